/**
 * Block and allow entries an operator adds at runtime from the console or the admin API, each
 * for a chosen duration, with who added it, when and why. The gateway consults them before the
 * policy's own lists, on every request: an entry takes effect on the next request, and lapses by
 * itself when it expires (no timer: an expired entry simply stops matching and is swept later).
 *
 * Matching is three exact lookups, the address first, then its network (the /24 or /48 the
 * gateway groups by, as shown in events and top sources), then the header fingerprint: the most
 * specific entry wins, so one partner address can be allowed inside a blocked network. With no
 * entries the check costs one comparison.
 *
 * Scope, stated plainly: this object is the node's local copy, and every request is decided on it
 * (no request waits on Redis for a list). With the memory store that copy is all there is: entries
 * do not survive a restart and are not shared with other nodes. With the Redis store,
 * fleet/shared-lists.ts stores every change made here (`onShare`) in Redis and publishes it, applies
 * the changes of other nodes (`applyShared`), and replaces the copy with the stored entries when
 * the node starts or comes back after Redis was away (`replaceShared`); see docs/deployment.md.
 * For a permanent entry, use `lists` in the policy. The audit trail is bounded (the newest
 * `maxAudit` changes; shared on Redis, where expiries stay local records) and each change is also
 * handed to `onChange`, which the gateway logs.
 */
import type { Finding } from '../detectors/detector.js';
import { parseCidr } from '../signals/cidr.js';
import { canonicalIp } from '../signals/ip-address.js';
import { networkPrefix } from '../signals/network-prefix.js';
import type { Clock } from '../state/clock.js';
import type { Decision } from './decide.js';

export const MANUAL_LISTS = ['block', 'allow'] as const;
export type ManualList = (typeof MANUAL_LISTS)[number];
export const MANUAL_TARGETS = ['ip', 'prefix', 'fingerprint'] as const;
export type ManualTarget = (typeof MANUAL_TARGETS)[number];

export interface ManualEntry {
  /** Stable id for removal: `<list>:<target>:<value>`. */
  readonly id: string;
  readonly list: ManualList;
  readonly target: ManualTarget;
  /** Canonical address, `a.b.c.0/24` / `x:y:z::/48` network, or 12-hex fingerprint. */
  readonly value: string;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly reason: string;
}

export interface ManualAuditRecord {
  readonly at: number;
  readonly who: string;
  readonly change: 'added' | 'replaced' | 'removed' | 'expired';
  readonly entry: ManualEntry;
  /** Why it was removed (for `removed`); the entry carries why it was added. */
  readonly why: string | null;
}

export interface ManualEntryRequest {
  readonly list: string;
  readonly target: string;
  readonly value: string;
  readonly durationMs: number;
  readonly who: string;
  readonly reason: string;
}

export interface ManualListsOptions {
  /** Most active entries; past it `add` is refused. Default 10 000. */
  readonly maxEntries?: number;
  /** Changes kept in the audit trail. Default 1 000. */
  readonly maxAudit?: number;
  /** Longest duration an entry may have. Default 30 days. */
  readonly maxDurationMs?: number;
  readonly onChange?: (record: ManualAuditRecord) => void;
  /** Each add or remove made through this object (not expiries, not `applyShared`), to share it. */
  readonly onShare?: (record: ManualAuditRecord) => void;
}

/** A request the caller got wrong; the message is the one line to show (400). */
export class ManualEntryError extends Error {}

const FINGERPRINT = /^[0-9a-f]{12}$/;
const MAX_TEXT = 200;

export class ManualLists {
  private readonly byIp = new Map<string, ManualEntry>();
  private readonly byPrefix = new Map<string, ManualEntry>();
  private readonly byFingerprint = new Map<string, ManualEntry>();
  private readonly trail: ManualAuditRecord[] = [];
  private count = 0;
  private readonly maxEntries: number;
  private readonly maxAudit: number;
  readonly maxDurationMs: number;
  private readonly onChange: (record: ManualAuditRecord) => void;
  private readonly onShare: (record: ManualAuditRecord) => void;

  constructor(
    private readonly clock: Clock,
    options: ManualListsOptions = {},
  ) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.maxAudit = options.maxAudit ?? 1_000;
    this.maxDurationMs = options.maxDurationMs ?? 30 * 86_400_000;
    this.onChange = options.onChange ?? (() => {});
    this.onShare = options.onShare ?? (() => {});
  }

  /**
   * The decision for a request from this source when an entry covers it, else null. Called on
   * the hot path before the policy's lists: a `block` entry blocks (`list/manual-block`), an
   * `allow` entry skips detection (`list/manual-allow`); the finding names who, why and until when.
   */
  decision(ip: string, fingerprint: string, prefix: string, enforced: boolean): Decision | null {
    if (this.count === 0) return null;
    const entry = this.match(ip, fingerprint, prefix);
    if (entry === null) return null;
    const block = entry.list === 'block';
    const finding: Finding = {
      source: `list/manual-${entry.list}`,
      reason: `list.manual-${entry.list}`,
      score: block ? 100 : 0,
      detail: `${entry.target} ${entry.value} ${block ? 'blocked' : 'allowed'} by ${entry.createdBy} until ${new Date(entry.expiresAt).toISOString()}: ${entry.reason}`,
    };
    return {
      action: block ? 'block' : 'allow',
      decidedBy: finding.source,
      score: finding.score,
      findings: [finding],
      enforced,
      retryAfterSeconds: null,
    };
  }

  /** The entry covering this source, most specific first, or null. */
  match(ip: string, fingerprint: string, prefix: string): ManualEntry | null {
    if (this.count === 0) return null;
    const now = this.clock.now();
    return (
      this.live(this.byIp, ip, now) ??
      this.live(this.byPrefix, prefix, now) ??
      this.live(this.byFingerprint, fingerprint, now)
    );
  }

  /** Adds an entry, or replaces the one for the same list, target and value. Throws ManualEntryError. */
  add(request: ManualEntryRequest): ManualEntry {
    const list = oneOf('list', request.list, MANUAL_LISTS);
    const target = oneOf('target', request.target, MANUAL_TARGETS);
    const value = canonicalValue(target, request.value);
    const { durationMs } = request;
    if (!Number.isInteger(durationMs) || durationMs < 60_000 || durationMs > this.maxDurationMs) {
      throw new ManualEntryError(
        `Cannot add the entry: the duration must be from 1 minute to ${Math.round(this.maxDurationMs / 86_400_000)} days (received ${durationMs} ms)`,
      );
    }
    const who = text('who', request.who);
    const reason = text('reason', request.reason);
    this.sweep();
    const index = this.index(target);
    const prior = index.get(value);
    if (prior === undefined && this.count >= this.maxEntries) {
      throw new ManualEntryError(
        `Cannot add the entry: ${this.maxEntries} entries are active; remove some or wait for them to expire`,
      );
    }
    const now = this.clock.now();
    const entry: ManualEntry = Object.freeze({
      id: `${list}:${target}:${value}`,
      list,
      target,
      value,
      createdBy: who,
      createdAt: now,
      expiresAt: now + durationMs,
      reason,
    });
    // One entry per source: blocking what was allowed replaces the allow (and the other way round).
    index.set(value, entry);
    if (prior === undefined) this.count++;
    const change: ManualAuditRecord = {
      at: now,
      who,
      change: prior === undefined ? 'added' : 'replaced',
      entry,
      why: null,
    };
    this.record(change);
    this.onShare(change);
    return entry;
  }

  /** Removes an active entry by id; returns it, or undefined when there is none. */
  remove(id: string, who: string, why: string): ManualEntry | undefined {
    this.sweep();
    for (const index of [this.byIp, this.byPrefix, this.byFingerprint]) {
      for (const [value, entry] of index) {
        if (entry.id !== id) continue;
        index.delete(value);
        this.count--;
        const change: ManualAuditRecord = {
          at: this.clock.now(),
          who: text('who', who),
          change: 'removed',
          entry,
          why: text('reason', why),
        };
        this.record(change);
        this.onShare(change);
        return entry;
      }
    }
    return undefined;
  }

  /** Active entries, newest first. */
  entries(): ManualEntry[] {
    this.sweep();
    return [...this.byIp.values(), ...this.byPrefix.values(), ...this.byFingerprint.values()].sort(
      (a, b) => b.createdAt - a.createdAt,
    );
  }

  /** The newest `limit` changes, newest first. */
  audit(limit = this.maxAudit): ManualAuditRecord[] {
    this.sweep();
    return this.trail.slice(-limit).reverse();
  }

  /**
   * Applies a change made on another node (checked by `sharedAuditRecord`): the same effect and
   * log line as a local change, without sharing it again. Throws ManualEntryError past `maxEntries`.
   */
  applyShared(change: ManualAuditRecord): void {
    const { entry } = change;
    const index = this.index(entry.target);
    const prior = index.get(entry.value);
    if (change.change === 'removed') {
      if (prior?.id !== entry.id) return;
      index.delete(entry.value);
      this.count--;
    } else if (entry.expiresAt > this.clock.now()) {
      if (prior === undefined && this.count >= this.maxEntries) {
        throw new ManualEntryError(
          `Cannot take the entry ${entry.id}: ${this.maxEntries} entries are active on this node`,
        );
      }
      index.set(entry.value, entry);
      if (prior === undefined) this.count++;
    }
    this.record(change);
  }

  /**
   * Replaces every entry and the audit trail with the fleet's stored state (a node that starts,
   * or comes back after Redis was away). `trail` is oldest first. Logs nothing per entry.
   */
  replaceShared(active: readonly ManualEntry[], trail: readonly ManualAuditRecord[]): void {
    for (const index of [this.byIp, this.byPrefix, this.byFingerprint]) index.clear();
    this.count = 0;
    const now = this.clock.now();
    for (const entry of active) {
      if (entry.expiresAt <= now || this.count >= this.maxEntries) continue;
      const index = this.index(entry.target);
      if (!index.has(entry.value)) this.count++;
      index.set(entry.value, entry);
    }
    this.trail.splice(0, this.trail.length, ...trail.slice(-this.maxAudit));
  }

  get size(): number {
    return this.count;
  }

  private record(change: ManualAuditRecord): void {
    this.trail.push(change);
    if (this.trail.length > this.maxAudit) this.trail.splice(0, this.trail.length - this.maxAudit);
    this.onChange(change);
  }

  private live(index: Map<string, ManualEntry>, key: string, now: number): ManualEntry | null {
    const entry = index.get(key);
    return entry !== undefined && entry.expiresAt > now ? entry : null;
  }

  /** Drops expired entries, recording each in the audit trail. */
  private sweep(): void {
    if (this.count === 0) return;
    const now = this.clock.now();
    for (const index of [this.byIp, this.byPrefix, this.byFingerprint]) {
      for (const [value, entry] of index) {
        if (entry.expiresAt > now) continue;
        index.delete(value);
        this.count--;
        this.record({ at: entry.expiresAt, who: 'botgate', change: 'expired', entry, why: null });
      }
    }
  }

  private index(target: ManualTarget): Map<string, ManualEntry> {
    return target === 'ip' ? this.byIp : target === 'prefix' ? this.byPrefix : this.byFingerprint;
  }
}

/**
 * A change another node made, as it came from Redis (signature already verified), checked as
 * strictly as a request to the admin API: the value canonical, the texts bounded, the id matching.
 * Throws ManualEntryError.
 */
export function sharedAuditRecord(raw: Record<string, unknown>): ManualAuditRecord {
  const change = raw.change;
  if (change !== 'added' && change !== 'replaced' && change !== 'removed') {
    throw new ManualEntryError(`Cannot take the change: unknown change "${clip(String(change))}"`);
  }
  const e = (typeof raw.entry === 'object' && raw.entry !== null ? raw.entry : {}) as Record<string, unknown>;
  const list = oneOf('list', String(e.list), MANUAL_LISTS);
  const target = oneOf('target', String(e.target), MANUAL_TARGETS);
  const value = canonicalValue(target, String(e.value));
  const times = [raw.at, e.createdAt, e.expiresAt];
  if (!times.every((t) => typeof t === 'number' && Number.isFinite(t))) {
    throw new ManualEntryError('Cannot take the change: its times are not numbers');
  }
  const id = `${list}:${target}:${value}`;
  if (e.id !== id)
    throw new ManualEntryError(
      `Cannot take the change: its id does not match its entry (received "${clip(String(e.id))}")`,
    );
  const entry: ManualEntry = Object.freeze({
    id,
    list,
    target,
    value,
    createdBy: text('who', String(e.createdBy)),
    createdAt: e.createdAt as number,
    expiresAt: e.expiresAt as number,
    reason: text('reason', String(e.reason)),
  });
  return {
    at: raw.at as number,
    who: text('who', String(raw.who)),
    change,
    entry,
    why: raw.why === null || raw.why === undefined ? null : text('reason', String(raw.why)),
  };
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ManualEntryError(
    `Cannot add the entry: ${name} must be one of ${allowed.join(', ')} (received "${clip(value)}")`,
  );
}

/** The value as the gateway sees it in signals, so an exact lookup finds it. */
function canonicalValue(target: ManualTarget, raw: string): string {
  const value = String(raw).trim();
  if (target === 'ip') {
    const ip = canonicalIp(value);
    if (ip === null)
      throw new ManualEntryError(`Cannot add the entry: expected an IPv4 or IPv6 address (received "${clip(value)}")`);
    return ip;
  }
  if (target === 'prefix') {
    const parsed = parseCidr(value);
    const address = value.slice(0, value.indexOf('/'));
    if (parsed.ok && value.includes('/')) {
      const canonical = networkPrefix(canonicalIp(address) ?? address);
      if (canonical === parsed.cidr.text) return canonical;
    }
    throw new ManualEntryError(
      `Cannot add the entry: a network is the /24 (IPv4) or /48 (IPv6) botgate groups clients by, as shown in top sources; for other blocks use lists in the policy (received "${clip(value)}")`,
    );
  }
  const fingerprint = value.toLowerCase();
  if (!FINGERPRINT.test(fingerprint)) {
    throw new ManualEntryError(
      `Cannot add the entry: a fingerprint is 12 hex characters, as shown in events (received "${clip(value)}")`,
    );
  }
  return fingerprint;
}

function text(name: string, value: string): string {
  const trimmed = String(value ?? '').trim();
  if (trimmed.length === 0 || trimmed.length > MAX_TEXT) {
    throw new ManualEntryError(
      `Cannot record the change: "${name}" must be 1 to ${MAX_TEXT} characters (received ${trimmed.length})`,
    );
  }
  // Control characters would break log lines and the console's table.
  return trimmed.replace(/\p{Cc}/gu, ' ');
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
