/**
 * Account takeover: the moment a stuffing or cracking run finds a working password. botgate
 * cannot see the password check, but it sees its result, so a success is a suspected takeover
 * when it comes with attack evidence (stuffing, cracking, spraying or attack-mode findings on
 * the request) or right after a run of failures on that account from several sources.
 *
 * This detector reads the account's recent failures (so that evidence is on the request as
 * `account.under-attack`) and whether the device was flagged by an earlier suspected takeover
 * (`ato.device-flagged`, which makes the gateway tell the upstream on every later request).
 * The decision that a success IS a suspected takeover is `isSuspectedTakeover`, used by the
 * gateway when the outcome is known.
 */
import type { LoginDetection } from '../config/schema.js';
import type { StoreOp } from '../state/store.js';
import type { DecisionSummary, Detector, Finding } from './detector.js';
import { loginKeys as k } from './login-keys.js';

const NONE: readonly never[] = [];

/**
 * Reasons that make a successful login a suspected takeover: evidence of an attack, not the
 * weak signals a real user can carry (many usernames behind a shared NAT, a fast autofill).
 */
const ATTACK_REASONS: ReadonlySet<string> = new Set([
  'stuffing.source-failures',
  'stuffing.device-many-usernames',
  'stuffing.fingerprint-failures',
  'cracking.many-passwords',
  'spraying.shared-password',
  'account.under-attack',
  'attack-mode.no-evidence',
]);

export function isSuspectedTakeover(decision: DecisionSummary): Finding | null {
  for (const f of decision.findings) if (ATTACK_REASONS.has(f.reason)) return f;
  return null;
}

export function createAccountTakeoverDetector(config: LoginDetection): Detector {
  const windowMs = config.crackingWindowSeconds * 1000;
  return {
    name: 'account-takeover',
    appliesTo: (flow) => flow.kind !== 'asset',
    plan(input) {
      const ops: StoreOp[] = [];
      const user = input.fields?.usernameHash;
      if (input.flow.kind === 'login' && user !== undefined) {
        ops.push(
          { kind: 'peek', key: k.accountFailures(user), windowMs },
          { kind: 'distinct', key: k.accountFailureSources(user), windowMs },
        );
      }
      if (input.device) ops.push({ kind: 'flagGet', key: k.takeoverDevice(input.device.id) });
      return ops;
    },
    judge(input, results): readonly Finding[] {
      if (results.length === 0) return NONE;
      const findings: Finding[] = [];
      let i = 0;
      if (input.flow.kind === 'login' && input.fields?.usernameHash !== undefined) {
        const failures = results[i++] as number;
        const sources = results[i++] as number;
        if (failures >= config.accountFailures && sources >= config.accountFailureSources) {
          findings.push({
            source: 'detector/account-takeover',
            reason: 'account.under-attack',
            score: 30,
            detail: `${failures} failed logins on this account from ${sources} addresses within ${config.crackingWindowSeconds} s`,
          });
        }
      }
      if (input.device && results[i] !== null && results[i] !== undefined) {
        findings.push({
          source: 'detector/account-takeover',
          reason: 'ato.device-flagged',
          score: 0,
          detail: 'this device completed a login that was a suspected account takeover',
        });
      }
      return findings;
    },
    learn(input, outcome) {
      const user = input.fields?.usernameHash;
      if (input.flow.kind !== 'login' || user === undefined || outcome.result !== 'failure') return NONE;
      return [
        { kind: 'hit', key: k.accountFailures(user), windowMs },
        { kind: 'distinct', key: k.accountFailureSources(user), windowMs, member: input.signals.ip },
      ];
    },
  };
}
