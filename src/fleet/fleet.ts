/**
 * What a gateway on the Redis store shares with the other nodes of its fleet: the manual list
 * entries (shared-lists.ts) and policy reloads (shared-policy.ts), over one FleetLink. Built by
 * gateway/start.ts when `store.type` is `redis` and a secret is set (the messages are signed with
 * it; without a shared secret no node could accept another's, so nothing is shared and the
 * gateway says so). With the memory store there is no fleet and nothing changes.
 */
import type { Registry } from 'prom-client';
import type { PolicyDocument } from '../config/schema.js';
import type { ManualAuditRecord, ManualLists } from '../policy/manual-lists.js';
import type { Clock } from '../state/clock.js';
import { FleetLink, type FleetLogger } from './fleet-link.js';
import { fleetMetrics } from './fleet-metrics.js';
import { SharedLists } from './shared-lists.js';
import { SharedPolicy } from './shared-policy.js';
import { createMessageSigner } from './signed-message.js';

export interface FleetOptions {
  readonly store: { readonly url: string; readonly cluster: boolean; readonly prefix: string };
  readonly secret: string;
  readonly lists: ManualLists;
  readonly clock: Clock;
  readonly logger: FleetLogger;
  readonly registry?: Registry;
  readonly current: () => PolicyDocument;
  readonly apply: (doc: PolicyDocument) => void;
  /** How often the revision is checked for missed messages. Default 5000 ms. */
  readonly resyncEveryMs?: number;
}

export interface Fleet {
  /** ManualLists' `onShare`. */
  shareListChange(change: ManualAuditRecord): void;
  /** After a local reload. */
  publishPolicy(doc: PolicyDocument): void;
  /** Resolves after the first resynchronisation, or false after `timeoutMs`. */
  waitUntilSynced(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export function startFleet(options: FleetOptions): Fleet {
  const { clock, logger } = options;
  const link = new FleetLink({
    ...options.store,
    signer: createMessageSigner(options.secret),
    logger,
    ...(options.registry ? { observer: fleetMetrics(options.registry) } : {}),
    ...(options.resyncEveryMs === undefined ? {} : { resyncEveryMs: options.resyncEveryMs }),
  });
  const lists = new SharedLists({ lists: options.lists, link, clock, logger });
  const policy = new SharedPolicy({ link, clock, logger, current: options.current, apply: options.apply });
  link.register(lists);
  link.register(policy);
  return {
    shareListChange: (change) => lists.share(change),
    publishPolicy: (doc) => policy.publish(doc),
    waitUntilSynced: (timeoutMs) => link.waitUntilSynced(timeoutMs),
    close: () => link.close(),
  };
}
