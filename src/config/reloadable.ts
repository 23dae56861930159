/**
 * Which parts of a policy a reload may change, and how a node takes the reloadable part of
 * another node's policy (fleet/shared-policy.ts) while keeping its own restart-only settings.
 *
 * Restart-only settings (listeners, upstream, admin, secret, trusted proxies, limits, store,
 * events, and all of `challenge` but `force`, which holds the CAPTCHA provider's and earlier node
 * secrets) are per node: they never travel between nodes, and a reload that changes them is
 * refused whole (gateway/start.ts), never silently ignored. Secrets therefore never reach Redis,
 * signed or not. Everything else (mode, flows, rules, lists, detection, challenge.force, report…)
 * is the reloadable part.
 */
import { parsePolicyValue } from './load.js';
import type { PolicyDocument } from './schema.js';

export const RESTART_ONLY_KEYS = [
  'listen',
  'upstream',
  'admin',
  'secret',
  'trustedProxies',
  'limits',
  'store',
  'events',
] as const satisfies readonly (keyof PolicyDocument)[];

/**
 * Restart-only keys inside the `challenge` section: everything the challenge service is built
 * from at start (difficulties, clearance lifetimes, the secrets earlier clearances were signed
 * with, the CAPTCHA provider with its secret and client). Only `challenge.force` is read per
 * request, so only it reloads.
 */
export const RESTART_ONLY_CHALLENGE_KEYS = [
  'difficulty',
  'flows',
  'clearanceMinutes',
  'graceMinutes',
  'previousSecrets',
  'captcha',
] as const satisfies readonly (keyof PolicyDocument['challenge'])[];

const restartOnly: ReadonlySet<string> = new Set(RESTART_ONLY_KEYS);

/** The restart-only keys (`challenge.captcha` for nested ones) whose values differ between two documents. */
export function changedRestartOnlyKeys(running: PolicyDocument, next: PolicyDocument): string[] {
  const changed: string[] = RESTART_ONLY_KEYS.filter((key) => !sameValue(next[key], running[key]));
  for (const key of RESTART_ONLY_CHALLENGE_KEYS) {
    if (!sameValue(next.challenge[key], running.challenge[key])) changed.push(`challenge.${key}`);
  }
  return changed;
}

/** The reloadable part of a document: what a node shares with the fleet (no secret, no token). */
export function reloadableSections(doc: PolicyDocument): Record<string, unknown> {
  const sections: Record<string, unknown> = Object.fromEntries(
    Object.entries(doc).filter(([key]) => !restartOnly.has(key)),
  );
  if (doc.challenge !== undefined) {
    const challenge: Record<string, unknown> = { ...doc.challenge };
    for (const key of RESTART_ONLY_CHALLENGE_KEYS) delete challenge[key];
    sections.challenge = challenge;
  }
  return sections;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * `own` with its reloadable part replaced by `sections`, checked as a whole like a policy file
 * (every problem named by its path). Throws a PolicyError, or an Error when `sections` is not a
 * mapping or carries a restart-only key; `source` names the document in the message.
 */
export function withReloadableSections(own: PolicyDocument, sections: unknown, source: string): PolicyDocument {
  if (typeof sections !== 'object' || sections === null || Array.isArray(sections)) {
    throw new Error(`Cannot take ${source}: expected a mapping of policy keys`);
  }
  const carried = Object.keys(sections).filter((key) => restartOnly.has(key));
  const challenge = (sections as { challenge?: unknown }).challenge;
  const ownChallenge: Record<string, unknown> = { ...own.challenge };
  if (typeof challenge === 'object' && challenge !== null && !Array.isArray(challenge)) {
    for (const key of RESTART_ONLY_CHALLENGE_KEYS) if (key in challenge) carried.push(`challenge.${key}`);
  }
  if (carried.length > 0) {
    throw new Error(`Cannot take ${source}: it sets ${carried.join(', ')}, which are per node and need a restart`);
  }
  const restart = Object.fromEntries(RESTART_ONLY_KEYS.filter((k) => own[k] !== undefined).map((k) => [k, own[k]]));
  const merged: Record<string, unknown> = { ...restart, ...sections };
  // The node's own challenge settings (all but force: secrets, CAPTCHA, difficulties) stay.
  const kept = Object.fromEntries(RESTART_ONLY_CHALLENGE_KEYS.map((key) => [key, ownChallenge[key]]));
  merged.challenge = typeof challenge === 'object' && challenge !== null ? { ...challenge, ...kept } : { ...kept };
  // The merged document goes through the same checks as a policy file.
  return parsePolicyValue(merged, source);
}
