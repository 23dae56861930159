/**
 * Which parts of a policy a reload may change, and how a node takes the reloadable part of
 * another node's policy (fleet/shared-policy.ts) while keeping its own restart-only settings.
 *
 * Restart-only settings (listeners, upstream, admin, secret, trusted proxies, limits, store,
 * events) are per node: they never travel between nodes, and a reload that changes them is
 * refused whole (gateway/start.ts). Everything else (mode, flows, rules, lists, detection,
 * challenge, report…) is the reloadable part.
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

const restartOnly: ReadonlySet<string> = new Set(RESTART_ONLY_KEYS);

/** The restart-only keys whose values differ between two documents. */
export function changedRestartOnlyKeys(running: PolicyDocument, next: PolicyDocument): string[] {
  return RESTART_ONLY_KEYS.filter((key) => JSON.stringify(next[key]) !== JSON.stringify(running[key]));
}

/** The reloadable part of a document: what a node shares with the fleet (no secret, no token). */
export function reloadableSections(doc: PolicyDocument): Record<string, unknown> {
  return Object.fromEntries(Object.entries(doc).filter(([key]) => !restartOnly.has(key)));
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
  if (carried.length > 0) {
    throw new Error(`Cannot take ${source}: it sets ${carried.join(', ')}, which are per node and need a restart`);
  }
  const restart = Object.fromEntries(RESTART_ONLY_KEYS.filter((k) => own[k] !== undefined).map((k) => [k, own[k]]));
  // The merged document goes through the same checks as a policy file.
  return parsePolicyValue({ ...restart, ...sections }, source);
}
