/**
 * A day of recorded decisions, handed to the gateway's recorder before the browser opens, so the
 * console's charts and report have history to show (a test lives for seconds, a console for
 * days): people around the clock with a daily rhythm, a credential-stuffing wave six hours ago
 * with a takeover it let through, and the last quarter hour of ordinary traffic. Seeded, so every
 * run draws the same day.
 */

import type { Finding } from '../../src/detectors/detector.js';
import type { DecisionEvent } from '../../src/events/event.js';
import { referenceId } from '../../src/gateway/reference-id.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

export function dayOfHistory(now: number): DecisionEvent[] {
  const random = mulberry32(7);
  const events: DecisionEvent[] = [];
  const add = (time: number, e: Partial<DecisionEvent>) => events.push(event(time, e));

  for (let t = now - 24 * HOUR; t < now - 2 * MIN; t += MIN) {
    const hour = new Date(t).getUTCHours();
    const rhythm = 0.35 + 0.65 * Math.sin((Math.PI * ((hour + 18) % 24)) / 24) ** 2;
    const people = Math.round((t > now - 15 * MIN ? 10 : 6) * rhythm * (0.7 + random() * 0.6));
    for (let i = 0; i < people; i++) {
      const ip = `198.51.100.${1 + Math.floor(random() * 200)}`;
      const at = t + Math.floor(random() * MIN);
      if (random() < 0.25) {
        const user = `user${Math.floor(random() * 400)}`;
        const weak = random() < 0.01;
        add(at, {
          ...login(ip, user),
          action: weak ? 'challenge' : 'allow',
          decidedBy: weak ? 'rule/forms-suspicious' : 'default/allow',
          findings: weak ? [finding('ua.inconsistent', 50)] : [],
          status: weak ? 403 : 302,
          upstreamStatus: weak ? null : 302,
          outcome: weak ? null : 'success',
        });
      } else {
        add(at, { ip, prefix: prefixOf(ip), path: `/listings/${Math.floor(random() * 90)}`, method: 'GET' });
      }
    }
    // A tool that never stops trying, blocked on its User-Agent.
    if (random() < 0.5) {
      add(t + Math.floor(random() * MIN), {
        ...login(`203.0.113.${5 + Math.floor(random() * 3)}`, `victim${Math.floor(random() * 1e6)}`),
        userAgentClass: 'automation',
        userAgentFamily: 'python-requests',
        fingerprint: '5d1e0c3b9a77',
        action: 'block',
        decidedBy: 'rule/forms-automation',
        score: 60,
        findings: [finding('ua.automation', 60)],
        status: 403,
        upstreamStatus: null,
        outcome: null,
      });
    }
    // The wave: a combo list through residential proxies, six to five hours ago.
    if (t > now - 6 * HOUR && t < now - 5 * HOUR) {
      const tries = 25 + Math.floor(random() * 15);
      for (let i = 0; i < tries; i++) {
        const ip = `100.${64 + Math.floor(random() * 8)}.${Math.floor(random() * 255)}.${1 + Math.floor(random() * 250)}`;
        const stuffed = random() < 0.985;
        add(t + Math.floor(random() * MIN), {
          ...login(ip, `combo${Math.floor(random() * 1e7)}`),
          fingerprint: '8e2f6a10c4d2',
          action: stuffed ? 'deceive' : 'challenge',
          decidedBy: stuffed ? 'rule/login-attack-evidence' : 'rule/attack-mode-browsers',
          score: stuffed ? 80 : 60,
          findings: stuffed
            ? [finding('stuffing.source-failures', 80), finding('login.unknown-username', 20)]
            : [finding('attack-mode.no-evidence', 60), finding('stuffing.many-usernames', 40)],
          status: stuffed ? 200 : 403,
          upstreamStatus: null,
          outcome: null,
        });
      }
    }
  }
  add(now - 6 * HOUR, transition('started'));
  add(now - 5 * HOUR + 4 * MIN, transition('ended'));
  add(now - 5 * HOUR - 20 * MIN, {
    ...login('100.66.12.9', 'user77'),
    type: 'ato.suspected',
    findings: [finding('ato.suspected', 100)],
  });
  return events.sort((a, b) => a.time - b.time);
}

function login(ip: string, user: string): Partial<DecisionEvent> {
  return {
    method: 'POST',
    path: '/login',
    flow: 'login-form',
    flowKind: 'login',
    ip,
    prefix: prefixOf(ip),
    usernameHash: hashOf(user),
  };
}

function transition(state: 'started' | 'ended'): Partial<DecisionEvent> {
  return {
    type: `attack-mode.${state}`,
    method: '',
    path: '',
    host: null,
    flow: 'login-form',
    flowKind: 'login',
    ip: '',
    prefix: '',
    fingerprint: '',
    userAgentClass: 'unknown',
    userAgentFamily: '',
    action: 'tag',
    decidedBy: 'detector/attack-mode',
    findings: [
      {
        source: 'detector/attack-mode',
        reason: `attack-mode.${state}`,
        score: 0,
        detail: 'failure ratio 0.91 against a baseline of 0.12',
      },
    ],
    status: 0,
    upstreamStatus: null,
  };
}

function event(time: number, e: Partial<DecisionEvent>): DecisionEvent {
  return {
    id: referenceId(),
    time,
    type: 'decision',
    method: 'GET',
    path: '/',
    host: 'market.example',
    flow: 'pages',
    flowKind: 'page',
    ip: '198.51.100.1',
    prefix: '198.51.100.0/24',
    fingerprint: '522b1ad8970c',
    userAgentClass: 'browser',
    userAgentFamily: 'chrome',
    usernameHash: null,
    action: 'allow',
    enforced: true,
    mode: 'enforce',
    decidedBy: 'default/allow',
    score: 0,
    findings: [],
    decisionMicros: 9,
    upstreamStatus: 200,
    upstreamMs: 4,
    status: 200,
    outcome: null,
    ...e,
  };
}

function finding(reason: string, score: number): Finding {
  return { source: 'detector/history', reason, score, detail: 'recorded before the test started' };
}

function prefixOf(ip: string): string {
  return `${ip.split('.').slice(0, 3).join('.')}.0/24`;
}

function hashOf(user: string): string {
  let h = 2166136261;
  for (let i = 0; i < user.length; i++) h = Math.imul(h ^ user.charCodeAt(i), 16777619);
  return (h >>> 0).toString(16).padStart(8, '0').repeat(4);
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
