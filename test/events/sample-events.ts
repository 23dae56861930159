/**
 * Sample decision events for the events tests. They carry a username hash, never a password or a
 * clear username, like the events the gateway records.
 */
import type { DecisionEvent } from '../../src/events/event.js';

let counter = 0;

/** A login decision with a fresh 16-hex reference id; `overrides` replace any field. */
export function sampleEvent(overrides: Partial<DecisionEvent> = {}): DecisionEvent {
  counter++;
  return {
    id: counter.toString(16).padStart(16, '0'),
    time: Date.UTC(2026, 0, 1) + counter,
    type: 'decision',
    method: 'POST',
    path: '/login',
    host: 'shop.example',
    flow: 'login',
    flowKind: 'login',
    ip: `203.0.113.${counter % 250}`,
    prefix: '203.0.113.0/24',
    fingerprint: 'fp3a9c0d1e',
    userAgentClass: 'automation',
    userAgentFamily: 'python-requests',
    usernameHash: 'u:7f3e9b21c4d05a68',
    action: 'block',
    enforced: true,
    mode: 'enforce',
    decidedBy: 'rule/login-stuffing',
    score: 87.5,
    findings: [
      {
        source: 'detector/credential-stuffing',
        reason: 'login.failure_ratio',
        score: 80,
        detail: '41 of 44 logins failed from this prefix',
      },
      { source: 'detector/automation', reason: 'ua.automation', score: 60 },
    ],
    decisionMicros: 7.25,
    upstreamStatus: null,
    upstreamMs: null,
    status: 403,
    outcome: null,
    ...overrides,
  };
}

export function sampleEvents(n: number, overrides: Partial<DecisionEvent> = {}): DecisionEvent[] {
  return Array.from({ length: n }, () => sampleEvent(overrides));
}
