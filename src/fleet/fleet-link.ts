/**
 * How the nodes of one fleet (every gateway on the same Redis and `store.prefix`) tell each other
 * of changes made on one of them: manual list entries and policy reloads. Off the request path:
 * nothing here is awaited by a request, and the gateway keeps deciding on its local copies while
 * Redis is away.
 *
 * - Every change is stored and published in one script call: the state under
 *   `{prefix}:fleet:…` (so a node that starts or comes back reads it), a fleet revision counter
 *   incremented, and a message `{"rev":N,"kind":…,"msg":<signed envelope>}` published on the
 *   channel `{prefix}:fleet`. Every other node applies it on receipt (milliseconds).
 * - Two connections of their own besides the store's: one for commands (a budget of `timeoutMs`,
 *   default 1 s: these calls are rare and may carry thousands of entries), and the subscriber
 *   (ioredis needs one for SUBSCRIBE). Both follow redis-client.ts: no offline queue, no
 *   retries, reconnect forever in the background. On a Cluster, classic pub/sub is broadcast to
 *   every master, so one subscriber hears every node's messages.
 * - Resynchronisation: when the subscriber (re)connects, and whenever the revision shows a gap
 *   (a message lost while the subscriber was away or moving between Cluster nodes), the node
 *   first sends the changes it made while Redis was away, then reads the whole stored state in
 *   one atomic script call and replaces its copies. Every `resyncEveryMs` (default 5 s) it reads
 *   the revision counter (one GET) to notice what pub/sub may have missed.
 * - Redis restarted empty (or flushed): the snapshot carries an epoch, a random id set once per
 *   Redis dataset. A node that finds another epoch than the one it read before keeps its copies
 *   and stores them again (participants see `lost`), instead of taking the empty state.
 * - Messages are signed (signed-message.ts); a message whose signature does not match, or whose
 *   content a participant refuses, is counted and logged and changes nothing. The revision
 *   number is outside the signature (Redis assigns it), so only a signed message moves it.
 */
import { randomBytes } from 'node:crypto';
import { createRedisClient, type RedisClient } from '../state/redis-client.js';
import type { MessageSigner } from './signed-message.js';

/** One kind of shared state (manual lists, the policy). */
export interface FleetParticipant {
  readonly kind: string;
  /** True while changes made here wait to be stored. */
  hasPending(): boolean;
  /** Stores the changes made here while Redis was away; rejects when Redis still fails. */
  flush(): Promise<void>;
  /** Replaces the local copy with the stored state. */
  applySnapshot(snapshot: FleetSnapshot): void;
  /** Applies one change made on another node (already verified); throws to refuse it. */
  applyMessage(body: Record<string, unknown>): void;
}

/** The stored state, read atomically; values are verified bodies (invalid ones left out). */
export interface FleetSnapshot {
  /**
   * True when Redis lost the state this node read before (it restarted empty or was flushed):
   * the node's own copy is then the best there is, and is stored again.
   */
  readonly lost: boolean;
  readonly revision: number;
  /** Stored list changes for the active entries. */
  readonly lists: readonly Record<string, unknown>[];
  /** The shared audit trail, newest first. */
  readonly audit: readonly Record<string, unknown>[];
  /** The fleet policy, or null when no node published one. */
  readonly policy: Record<string, unknown> | null;
}

export interface FleetObserver {
  /** A resynchronisation finished (`reason`: started, reconnected, missed). */
  resynced(reason: string): void;
  /** A message from another node was applied or refused. */
  message(kind: string, result: 'applied' | 'refused'): void;
  connected(connected: boolean): void;
}

export interface FleetLogger {
  info(message: string, detail?: Record<string, unknown>): void;
  warn(message: string, detail?: Record<string, unknown>): void;
}

export interface FleetLinkOptions {
  readonly url: string;
  readonly cluster: boolean;
  readonly prefix: string;
  readonly signer: MessageSigner;
  readonly logger: FleetLogger;
  readonly observer?: FleetObserver;
  /** Budget of each fleet command, in ms. Default 1000. */
  readonly timeoutMs?: number;
  /** How often the revision is checked for missed messages. Default 5000 ms. */
  readonly resyncEveryMs?: number;
  /** Longest the audit trail kept in Redis. Default 1000. */
  readonly maxAudit?: number;
}

const NO_OBSERVER: FleetObserver = { resynced() {}, message() {}, connected() {} };

/** Stores a list change, trims the trail, prunes expired entries, counts and publishes. */
const LIST_SCRIPT = `
local lists, audit, expiry, revision = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local id, record, keep, expiresAt, now, channel = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
if keep == '1' then
  -- One entry per source: blocking what was allowed replaces the allow (and the other way round).
  redis.call('HDEL', lists, ARGV[8])
  redis.call('ZREM', expiry, ARGV[8])
  redis.call('HSET', lists, id, record)
  redis.call('ZADD', expiry, expiresAt, id)
else
  redis.call('HDEL', lists, id)
  redis.call('ZREM', expiry, id)
end
for _, gone in ipairs(redis.call('ZRANGEBYSCORE', expiry, '-inf', now)) do redis.call('HDEL', lists, gone) end
redis.call('ZREMRANGEBYSCORE', expiry, '-inf', now)
redis.call('LPUSH', audit, record)
redis.call('LTRIM', audit, 0, tonumber(ARGV[7]) - 1)
local rev = redis.call('INCR', revision)
redis.call('PUBLISH', channel, '{"rev":' .. rev .. ',"kind":"list","msg":' .. record .. '}')
return rev
`;

/** Stores a policy unless a newer version is stored; 0 when superseded, else the revision. */
const POLICY_SCRIPT = `
local policy, revision = KEYS[1], KEYS[2]
local stored = tonumber(redis.call('HGET', policy, 'version') or '0')
if stored >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', policy, 'version', ARGV[2], 'msg', ARGV[1])
local rev = redis.call('INCR', revision)
redis.call('PUBLISH', ARGV[3], '{"rev":' .. rev .. ',"kind":"policy","msg":' .. ARGV[1] .. '}')
return rev
`;

/**
 * The next policy version: above every version Redis assigned and above `floor` (the newest this
 * node knows), so a Redis that restarted empty cannot hand out numbers the nodes take as old.
 */
const VERSION_SCRIPT = `
local v = redis.call('INCR', KEYS[1])
local floor = tonumber(ARGV[1])
if v <= floor then
  v = floor + 1
  redis.call('SET', KEYS[1], v)
end
return v
`;

/** Everything a node needs to catch up, at one revision. */
const SNAPSHOT_SCRIPT = `
local revision, lists, audit, policy, epoch = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
redis.call('SET', epoch, ARGV[2], 'NX')
return {
  redis.call('GET', epoch),
  redis.call('GET', revision) or '0',
  redis.call('HVALS', lists),
  redis.call('LRANGE', audit, 0, tonumber(ARGV[1]) - 1),
  redis.call('HGET', policy, 'msg') or ''
}
`;

interface FleetCommands {
  fleetList(...args: string[]): Promise<number>;
  fleetPolicy(...args: string[]): Promise<number>;
  fleetVersion(...args: string[]): Promise<number>;
  fleetSnapshot(...args: string[]): Promise<[string, string, string[], string[], string]>;
}

interface Message {
  readonly rev: number;
  readonly kind: string;
  readonly msg: unknown;
}

export class FleetLink {
  /** Identifies this process in the messages it signs, so it skips its own. */
  readonly nodeId = randomBytes(6).toString('hex');
  readonly channel: string;
  private readonly keys: {
    epoch: string;
    revision: string;
    lists: string;
    audit: string;
    expiry: string;
    policy: string;
    policyVersion: string;
  };
  private readonly commands: RedisClient;
  private readonly subscriber: RedisClient;
  private readonly scripts: FleetCommands;
  private readonly signer: MessageSigner;
  private readonly logger: FleetLogger;
  private readonly observer: FleetObserver;
  private readonly maxAudit: number;
  private readonly participants = new Map<string, FleetParticipant>();
  private readonly timer: NodeJS.Timeout;
  /** The identity of the Redis dataset last read (set by the first snapshot that found none). */
  private epoch: string | null = null;
  /** The newest revision applied (from a snapshot or a message). */
  private revision = -1;
  private resyncing: Promise<void> | null = null;
  private again: string | null = null;
  /** Messages received while a snapshot is read; applied after it when newer. */
  private held: Message[] | null = null;
  private subscribed = false;
  private closed = false;
  private synced = false;
  private readonly syncWaiters: (() => void)[] = [];

  constructor(options: FleetLinkOptions) {
    const base = `{${options.prefix}}:fleet`;
    this.channel = base;
    this.keys = {
      revision: `${base}:revision`,
      lists: `${base}:lists`,
      audit: `${base}:audit`,
      expiry: `${base}:expiry`,
      policy: `${base}:policy`,
      epoch: `${base}:epoch`,
      policyVersion: `${base}:policy-version`,
    };
    this.signer = options.signer;
    this.logger = options.logger;
    this.observer = options.observer ?? NO_OBSERVER;
    this.maxAudit = options.maxAudit ?? 1_000;
    const client = { url: options.url, cluster: options.cluster, timeoutMs: options.timeoutMs ?? 1_000 };
    this.commands = createRedisClient(client);
    this.subscriber = createRedisClient(client);
    this.commands.defineCommand('fleetList', { numberOfKeys: 4, lua: LIST_SCRIPT });
    this.commands.defineCommand('fleetPolicy', { numberOfKeys: 2, lua: POLICY_SCRIPT });
    this.commands.defineCommand('fleetVersion', { numberOfKeys: 1, lua: VERSION_SCRIPT });
    this.commands.defineCommand('fleetSnapshot', { numberOfKeys: 5, lua: SNAPSHOT_SCRIPT });
    this.scripts = this.commands as unknown as FleetCommands;
    // Errors are seen through failed calls and the connected gauge; ioredis must not throw them.
    this.commands.on('error', () => {});
    this.subscriber.on('error', () => {});
    this.subscriber.on('message', (channel: string, text: string) => {
      if (channel === this.channel) this.receive(text);
    });
    this.subscriber.on('ready', () => this.subscribe());
    // The snapshot is read on the command connection: a resync waits for both.
    this.commands.on('ready', () => {
      if (this.subscribed) void this.resync(this.revision < 0 ? 'started' : 'reconnected');
    });
    this.subscriber.on('close', () => {
      if (this.closed || !this.subscribed) return;
      this.subscribed = false;
      this.observer.connected(false);
      this.logger.warn(
        'fleet channel lost: list entries and policy reloads from other nodes wait until Redis answers again; deciding on the local copies',
        { channel: this.channel },
      );
    });
    if (this.subscriber.status === 'ready') this.subscribe();
    this.timer = setInterval(() => void this.check(), options.resyncEveryMs ?? 5_000);
    this.timer.unref();
  }

  register(participant: FleetParticipant): void {
    this.participants.set(participant.kind, participant);
  }

  /** Resolves after the first resynchronisation, or after `timeoutMs`: false then. */
  waitUntilSynced(timeoutMs: number): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.syncWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Signs a body (the node id added), as stored and published. */
  sign(body: Record<string, unknown>): string {
    return this.signer.sign({ ...body, node: this.nodeId });
  }

  /**
   * Stores and publishes a list change; `expiresAt` null removes the entry, else the entry
   * `replaces` (the same source on the other list) goes. Returns the revision.
   */
  async changeList(
    id: string,
    replaces: string,
    record: string,
    expiresAt: number | null,
    now: number,
  ): Promise<number> {
    const { lists, audit, expiry, revision } = this.keys;
    return Number(
      await this.scripts.fleetList(
        lists,
        audit,
        expiry,
        revision,
        id,
        record,
        expiresAt === null ? '0' : '1',
        String(expiresAt ?? 0),
        String(now),
        this.channel,
        String(this.maxAudit),
        replaces,
      ),
    );
  }

  /** A new policy version, assigned by Redis, above `floor`: newest wins across the fleet. */
  async nextPolicyVersion(floor: number): Promise<number> {
    return Number(await this.scripts.fleetVersion(this.keys.policyVersion, String(floor)));
  }

  /** Stores and publishes a signed policy; 0 when a newer version is already stored. */
  async storePolicy(envelope: string, version: number): Promise<number> {
    return Number(
      await this.scripts.fleetPolicy(this.keys.policy, this.keys.revision, envelope, String(version), this.channel),
    );
  }

  /**
   * Brings this node up to date now (also done by itself on reconnect and on a gap). Never
   * rejects: a failure is logged and retried on reconnection or at the next check.
   */
  resync(reason: string): Promise<void> {
    if (this.resyncing !== null) {
      this.again = reason;
      return this.resyncing;
    }
    this.resyncing = this.runResync(reason).finally(() => {
      this.resyncing = null;
      const next = this.again;
      this.again = null;
      if (next !== null && !this.closed) void this.resync(next);
    });
    return this.resyncing;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.resyncing?.catch(() => {});
    for (const client of [this.subscriber, this.commands]) {
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    }
  }

  private subscribe(): void {
    if (this.closed) return;
    this.subscriber.subscribe(this.channel).then(
      () => {
        const first = this.revision < 0;
        this.subscribed = true;
        this.observer.connected(true);
        if (this.commands.status === 'ready') void this.resync(first ? 'started' : 'reconnected');
      },
      (error: unknown) =>
        this.logger.warn('Cannot subscribe to the fleet channel; retrying on the next check', { err: String(error) }),
    );
  }

  /** The periodic check: resubscribes, sends what waits, and catches up when a message was missed. */
  private async check(): Promise<void> {
    if (this.closed || this.resyncing !== null) return;
    if (!this.subscribed) {
      if (this.subscriber.status === 'ready') this.subscribe();
      return;
    }
    let stored: number;
    try {
      stored = Number((await this.commands.get(this.keys.revision)) ?? 0);
    } catch {
      return; // Redis away: the subscriber's reconnection resynchronises
    }
    const pending = [...this.participants.values()].some((p) => p.hasPending());
    if (stored !== this.revision || pending) await this.resync(pending ? 'pending' : 'missed');
  }

  private async runResync(reason: string): Promise<void> {
    try {
      for (const participant of this.participants.values()) await participant.flush();
      this.held = [];
      const { revision, lists, audit, policy, epoch } = this.keys;
      const [stored, rev, entries, trail, fleetPolicy] = await this.scripts.fleetSnapshot(
        revision,
        lists,
        audit,
        policy,
        epoch,
        String(this.maxAudit),
        randomBytes(8).toString('hex'),
      );
      // The epoch is set once per Redis dataset: another one means Redis lost what it held.
      const lost = this.epoch !== null && stored !== this.epoch;
      this.epoch = stored;
      const snapshot: FleetSnapshot = {
        lost,
        revision: Number(rev),
        lists: this.verified(entries, 'list'),
        audit: this.verified(trail, 'list'),
        policy: fleetPolicy === '' ? null : (this.verified([fleetPolicy], 'policy')[0] ?? null),
      };
      for (const participant of this.participants.values()) participant.applySnapshot(snapshot);
      this.revision = snapshot.revision;
      if (lost) {
        this.logger.warn(
          "Redis lost the fleet state (restarted without persistence, or flushed): storing this node's lists and policy again",
          { revision: this.revision },
        );
      }
      const held = this.held;
      this.held = null;
      for (const message of held) if (message.rev > this.revision) this.apply(message);
      this.observer.resynced(lost ? 'restored' : reason);
      if (lost) for (const participant of this.participants.values()) await participant.flush();
      this.logger.info('fleet resynchronised', {
        reason,
        revision: this.revision,
        entries: snapshot.lists.length,
        policyVersion: snapshot.policy?.version ?? null,
      });
      if (!this.synced) {
        this.synced = true;
        for (const waiter of this.syncWaiters.splice(0)) waiter();
      }
    } catch (error) {
      this.held = null;
      this.logger.warn(
        'Cannot resynchronise with the fleet: Redis did not answer; retrying on reconnect or the next check',
        { reason, err: String((error as Error).message ?? error) },
      );
    }
  }

  /** Bodies of the envelopes whose signature matches; the others are counted and logged. */
  private verified(texts: readonly string[], kind: string): Record<string, unknown>[] {
    const bodies: Record<string, unknown>[] = [];
    for (const text of texts) {
      const body = this.signer.open(text);
      if (isRecord(body)) bodies.push(body);
      else this.refused(kind, 'the signature does not match (set the same BOTGATE_SECRET on every node)');
    }
    return bodies;
  }

  private receive(text: string): void {
    let message: Message;
    try {
      const parsed = JSON.parse(text) as Partial<Message>;
      if (!Number.isSafeInteger(parsed.rev) || typeof parsed.kind !== 'string') throw new Error('no revision');
      message = parsed as Message;
    } catch {
      this.refused('_other', 'not a fleet message');
      return;
    }
    if (this.held !== null) {
      this.held.push(message);
      return;
    }
    if (message.rev <= this.revision) return; // already in the state last read
    const before = this.revision;
    if (this.apply(message) && before >= 0 && message.rev > before + 1) void this.resync('missed');
  }

  /**
   * Applies one message; false when its signature does not match. Only a signed message moves
   * the revision: an unsigned one published with the next number must not hide the real change.
   */
  private apply(message: Message): boolean {
    const participant = this.participants.get(message.kind);
    const body = this.signer.open(message.msg);
    if (!isRecord(body)) {
      this.refused(
        participant === undefined ? '_other' : message.kind,
        'the signature does not match (set the same BOTGATE_SECRET on every node)',
      );
      return false;
    }
    this.revision = Math.max(this.revision, message.rev);
    if (participant === undefined) {
      this.refused('_other', `unknown kind "${message.kind.slice(0, 20)}"`);
    } else if (body.node !== this.nodeId) {
      // (A change made here was applied when it was made.)
      try {
        participant.applyMessage(body);
        this.observer.message(message.kind, 'applied');
      } catch (error) {
        this.refused(message.kind, (error as Error).message);
      }
    }
    return true;
  }

  private refused(kind: string, why: string): void {
    this.observer.message(kind, 'refused');
    this.logger.warn('refused a fleet message', { kind, why });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
