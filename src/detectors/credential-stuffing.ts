/**
 * Credential stuffing: combo lists from other sites' breaches tried against this login. The
 * costs a stuffer cannot avoid, and that real users do not pay:
 *
 * - it tries many usernames from whatever it controls (an IP, a network, a device cookie);
 * - most of its attempts fail, and most of its usernames were never seen here;
 * - it does not behave like a browser session: no page visit before the POST (no device
 *   cookie), or a POST sooner after the page than a person types.
 *
 * Many usernames alone is weak evidence (hundreds of people share a carrier-grade NAT), so it
 * scores low; many usernames with a high failure ratio is strong. A shared fingerprint (every
 * user of a browser build has it) needs far more attempts before its failure ratio counts.
 *
 * Learning: every forwarded login whose outcome is known counts as an attempt per source, a
 * failure as a failure; a success makes the username known, and remembers this device and
 * this network for this user (positive evidence for attack mode).
 */
import type { LoginDetection } from '../config/schema.js';
import type { StoreOp, StoreValue } from '../state/store.js';
import type { Detector, DetectorInput, Finding } from './detector.js';
import { failureRatioLowerBound } from './failure-evidence.js';
import { DAY_MS, loginKeys as k } from './login-keys.js';

const SOURCE = 'detector/credential-stuffing';
const NONE: readonly never[] = [];

export const STUFFING_SCORES = {
  'stuffing.source-failures': 85,
  'stuffing.fingerprint-failures': 30,
  'stuffing.many-usernames': 25,
  'stuffing.device-many-usernames': 55,
  'login.unknown-username': 10,
  'login.no-page-visit': 40,
  'login.too-fast': 40,
} as const;

type Source = 'ip' | 'prefix' | 'device' | 'fingerprint';

export function createCredentialStuffingDetector(config: LoginDetection): Detector {
  const windowMs = config.windowSeconds * 1000;
  const knownTtl = config.knownUsernameDays * DAY_MS;
  const deviceTtl = config.knownDeviceDays * DAY_MS;
  const usernameLimit: Record<Source, number> = {
    ip: config.usernamesPerIp,
    prefix: config.usernamesPerPrefix,
    device: config.usernamesPerDevice,
    fingerprint: Number.POSITIVE_INFINITY,
  };

  const sources = (input: DetectorInput): [Source, string][] => {
    const s = input.signals;
    const list: [Source, string][] = [
      ['ip', s.ip],
      ['prefix', s.prefix],
      ['fingerprint', s.fingerprint],
    ];
    if (input.device) list.push(['device', input.device.id]);
    return list;
  };

  return {
    name: 'credential-stuffing',
    appliesTo: (flow) => flow.kind === 'login' || flow.kind === 'signup',

    plan(input) {
      const user = input.fields?.usernameHash;
      if (input.flow.kind !== 'login' || user === undefined) return NONE;
      const ops: StoreOp[] = [];
      for (const [source, value] of sources(input)) {
        ops.push(
          { kind: 'distinct', key: k.usernames(source, value), windowMs, member: user },
          { kind: 'peek', key: k.attempts(source, value), windowMs },
          { kind: 'peek', key: k.failures(source, value), windowMs },
        );
      }
      ops.push({ kind: 'flagGet', key: k.knownUsername(user) });
      if (input.device) ops.push({ kind: 'flagGet', key: k.pageView(input.device.id) });
      return ops;
    },

    judge(input, results: readonly StoreValue[]): readonly Finding[] {
      if (results.length === 0) return NONE;
      const findings: Finding[] = [];
      let i = 0;
      for (const [source] of sources(input)) {
        const usernames = results[i++] as number;
        const attempts = results[i++] as number;
        const failures = results[i++] as number;
        const ratio = attempts > 0 ? failures / attempts : 0;
        if (source === 'fingerprint') {
          if (attempts >= config.fingerprintMinAttempts && ratio >= config.fingerprintFailureRatio) {
            findings.push(
              finding(
                'stuffing.fingerprint-failures',
                `${pct(ratio)} of ${attempts} logins from this header fingerprint failed`,
              ),
            );
          }
          continue;
        }
        // The bar is met with confidence, not by the first few logins' ratio (failure-evidence.ts).
        const atLeast = failureRatioLowerBound(failures, attempts);
        if (attempts >= config.minAttempts && atLeast >= config.failureRatio && usernames >= 2) {
          findings.push(
            finding(
              'stuffing.source-failures',
              `${pct(ratio)} of ${attempts} logins from this ${source} failed (at least ${pct(atLeast)} at 95 % confidence), over ${usernames} usernames`,
            ),
          );
        } else if (usernames >= usernameLimit[source]) {
          const reason = source === 'device' ? 'stuffing.device-many-usernames' : 'stuffing.many-usernames';
          findings.push(finding(reason, `${usernames} usernames from this ${source} within ${config.windowSeconds} s`));
        }
      }
      const known = results[i++];
      if (known === null)
        findings.push(finding('login.unknown-username', 'this username never logged in or signed up successfully'));
      if (input.device) {
        const viewed = results[i++];
        const elapsed = typeof viewed === 'string' ? input.now - Number(viewed) : Number.POSITIVE_INFINITY;
        if (elapsed < config.minTypingMs)
          findings.push(finding('login.too-fast', `posted ${elapsed} ms after its page loaded`));
      } else if (input.signals.userAgent.class === 'browser') {
        // A browser that logs in has loaded a page of this site, which set the device cookie;
        // an app's own HTTP stack is not a browser and is not held to this.
        findings.push(
          finding('login.no-page-visit', 'a browser posted the login without having loaded a page (no device cookie)'),
        );
      }
      return findings;
    },

    learn(input, outcome) {
      const user = input.fields?.usernameHash;
      if (user === undefined || outcome.result === 'unknown') return NONE;
      const ops: StoreOp[] = [];
      if (outcome.result === 'success') {
        ops.push({ kind: 'flagSet', key: k.knownUsername(user), value: '1', ttlMs: knownTtl });
        if (input.flow.kind === 'login') {
          if (input.device)
            ops.push({ kind: 'flagSet', key: k.knownDevice(input.device.id, user), value: '1', ttlMs: deviceTtl });
          ops.push({ kind: 'flagSet', key: k.knownNetwork(user, input.signals.prefix), value: '1', ttlMs: deviceTtl });
        }
      }
      if (input.flow.kind !== 'login') return ops;
      for (const [source, value] of sources(input)) {
        ops.push({ kind: 'hit', key: k.attempts(source, value), windowMs });
        if (outcome.result === 'failure') ops.push({ kind: 'hit', key: k.failures(source, value), windowMs });
      }
      return ops;
    },
  };
}

function finding(reason: keyof typeof STUFFING_SCORES, detail: string): Finding {
  return { source: SOURCE, reason, score: STUFFING_SCORES[reason], detail };
}

function pct(ratio: number): string {
  return `${Math.round(ratio * 100)} %`;
}
