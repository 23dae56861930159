/**
 * A fleet member without a gateway, for the fleet's tests: its manual lists, its running policy
 * and its fleet, on a real Redis under the test's prefix. Several in one process behave like
 * several nodes (each has its own connections and node id).
 */
import { defaultPolicyPath, loadPolicyFile } from '../../src/config/load.js';
import type { PolicyDocument } from '../../src/config/schema.js';
import { type Fleet, startFleet } from '../../src/fleet/fleet.js';
import { ManualLists } from '../../src/policy/manual-lists.js';
import type { Clock } from '../../src/state/clock.js';

export const SECRET = 'fleet-test-secret-0123456789abcdef';

export interface FleetNode {
  readonly lists: ManualLists;
  readonly fleet: Fleet;
  /** The policy this node runs (replaced by the fleet's). */
  policy: PolicyDocument;
  /** Every log line, as `level message {detail}`. */
  readonly log: string[];
}

export interface NodeOptions {
  readonly url: string;
  readonly prefix: string;
  readonly clock: Clock;
  readonly cluster?: boolean;
  readonly secret?: string;
  readonly policy?: PolicyDocument;
  readonly resyncEveryMs?: number;
}

let defaultPolicy: PolicyDocument | null = null;

export async function startNode(options: NodeOptions): Promise<FleetNode> {
  defaultPolicy ??= await loadPolicyFile(defaultPolicyPath());
  const log: string[] = [];
  const line = (level: string) => (message: string, detail?: Record<string, unknown>) => {
    log.push(`${level} ${message} ${JSON.stringify(detail ?? {})}`);
  };
  const logger = { info: line('info'), warn: line('warn') };
  let fleet: Fleet | null = null;
  const lists = new ManualLists(options.clock, { onShare: (c) => fleet?.shareListChange(c) });
  const node: FleetNode = {
    lists,
    policy: options.policy ?? defaultPolicy,
    log,
    get fleet() {
      return fleet!;
    },
  };
  fleet = startFleet({
    store: { url: options.url, cluster: options.cluster ?? false, prefix: options.prefix },
    secret: options.secret ?? SECRET,
    lists,
    clock: options.clock,
    logger,
    current: () => node.policy,
    apply: (doc) => {
      node.policy = doc;
    },
    ...(options.resyncEveryMs === undefined ? {} : { resyncEveryMs: options.resyncEveryMs }),
  });
  await fleet.waitUntilSynced(5_000);
  return node;
}

/** Polls `check` every 20 ms until it holds or `deadlineMs` passed; returns whether it held. */
export async function eventually(check: () => boolean | Promise<boolean>, deadlineMs = 2_000): Promise<boolean> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const block = (value: string, who = 'ops') => ({
  list: 'block',
  target: 'ip',
  value,
  durationMs: 3_600_000,
  who,
  reason: 'credential stuffing from this address',
});
