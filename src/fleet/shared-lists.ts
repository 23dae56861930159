/**
 * The operators' manual block and allow entries (policy/manual-lists.ts) shared by the fleet:
 * a change made on one node (admin API or console) is stored in Redis with its expiry and
 * published; every other node applies it on receipt; a node that starts or comes back after
 * Redis was away replaces its copy with the stored active entries and the shared audit trail.
 *
 * A change takes effect on the node where it was made at once, whatever Redis does; while Redis
 * is away it waits here (in order) and is stored before the node's next resynchronisation, so
 * the last change Redis receives for an entry wins. The wait is bounded by `maxPending`: past
 * it the oldest waiting change is dropped and logged (it still holds on this node).
 */
import { type ManualAuditRecord, type ManualLists, sharedAuditRecord } from '../policy/manual-lists.js';
import type { Clock } from '../state/clock.js';
import type { FleetLink, FleetLogger, FleetParticipant, FleetSnapshot } from './fleet-link.js';

/** Why an entry was stored again (in the shared audit trail). */
const RESTORED = 'stored again: Redis had lost the fleet lists';

export interface SharedListsOptions {
  readonly lists: ManualLists;
  readonly link: FleetLink;
  readonly clock: Clock;
  readonly logger: FleetLogger;
  /** Changes kept while Redis is away. Default 10 000. */
  readonly maxPending?: number;
}

export class SharedLists implements FleetParticipant {
  readonly kind = 'list';
  private readonly lists: ManualLists;
  private readonly link: FleetLink;
  private readonly clock: Clock;
  private readonly logger: FleetLogger;
  private readonly maxPending: number;
  private readonly pending: ManualAuditRecord[] = [];
  private draining: Promise<void> | null = null;
  private warned = false;

  constructor(options: SharedListsOptions) {
    this.lists = options.lists;
    this.link = options.link;
    this.clock = options.clock;
    this.logger = options.logger;
    this.maxPending = options.maxPending ?? 10_000;
  }

  /** ManualLists' `onShare`: stores and publishes the change in the background. */
  share(change: ManualAuditRecord): void {
    this.pending.push(change);
    if (this.pending.length > this.maxPending) {
      const dropped = this.pending.shift()!;
      this.logger.warn('manual list change not shared: too many changes wait for Redis', {
        id: dropped.entry.id,
        change: dropped.change,
      });
    }
    this.flush().catch(() => {
      if (this.warned) return;
      this.warned = true;
      this.logger.warn(
        'manual list change not yet shared: Redis did not answer; it holds on this node and is sent when Redis answers again',
        { id: change.entry.id, waiting: this.pending.length },
      );
    });
  }

  hasPending(): boolean {
    return this.pending.length > 0;
  }

  /** Sends the waiting changes, oldest first; rejects at the first that Redis does not take. */
  flush(): Promise<void> {
    this.draining ??= this.drain().finally(() => {
      this.draining = null;
    });
    return this.draining;
  }

  applySnapshot(snapshot: FleetSnapshot): void {
    if (snapshot.lost) {
      this.restore(this.records(snapshot.lists));
      return;
    }
    const active = this.records(snapshot.lists).map((r) => r.entry);
    const trail = this.records(snapshot.audit).reverse();
    this.lists.replaceShared(active, trail);
    // A change made here after the snapshot was read is not in it, yet.
    for (const change of this.pending) this.applyQuietly(change);
  }

  applyMessage(body: Record<string, unknown>): void {
    this.lists.applyShared(sharedAuditRecord(body));
  }

  /**
   * Redis lost the fleet's lists (it restarted empty): this node keeps its entries, takes those
   * other nodes stored since, and stores its own again, so a block outlives Redis as long as one
   * node holds it. (An entry removed elsewhere while Redis was empty may come back this way.)
   */
  private restore(stored: readonly ManualAuditRecord[]): void {
    const held = new Set(this.lists.entries().map((e) => e.id));
    for (const record of stored) if (!held.has(record.entry.id)) this.applyQuietly(record);
    const storedIds = new Set(stored.map((r) => r.entry.id));
    const waiting = new Set(this.pending.map((c) => c.entry.id));
    const now = this.clock.now();
    for (const entry of this.lists.entries()) {
      if (storedIds.has(entry.id) || waiting.has(entry.id)) continue;
      this.pending.push({ at: now, who: entry.createdBy, change: 'added', entry, why: RESTORED });
    }
  }

  private async drain(): Promise<void> {
    for (let change = this.pending[0]; change !== undefined; change = this.pending[0]) {
      const { entry } = change;
      const signed = this.link.sign({ ...change });
      const otherList = entry.list === 'block' ? 'allow' : 'block';
      await this.link.changeList(
        entry.id,
        `${otherList}:${entry.target}:${entry.value}`,
        signed,
        change.change === 'removed' ? null : entry.expiresAt,
        this.clock.now(),
      );
      this.pending.shift();
    }
    this.warned = false;
  }

  /** Applies a stored or waiting change; one past the cap on entries is logged and left out. */
  private applyQuietly(change: ManualAuditRecord): void {
    try {
      this.lists.applyShared(change);
    } catch (error) {
      this.logger.warn('ignored a stored manual list change', { why: (error as Error).message });
    }
  }

  /** Checked records; a stored one that fails the checks is logged and left out. */
  private records(bodies: readonly Record<string, unknown>[]): ManualAuditRecord[] {
    const records: ManualAuditRecord[] = [];
    for (const body of bodies) {
      try {
        records.push(sharedAuditRecord(body));
      } catch (error) {
        this.logger.warn('ignored a stored manual list change', { why: (error as Error).message });
      }
    }
    return records;
  }
}
