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
 * Scope, stated plainly: entries live in this process's memory. They do not survive a restart and
 * are not shared with other nodes (for a permanent or fleet-wide entry, use `lists` in the policy).
 * The audit trail is bounded (the newest `maxAudit` changes) and each change is also handed to
 * `onChange`, which the gateway logs.
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

  constructor(
    private readonly clock: Clock,
    options: ManualListsOptions = {},
  ) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.maxAudit = options.maxAudit ?? 1_000;
    this.maxDurationMs = options.maxDurationMs ?? 30 * 86_400_000;
    this.onChange = options.onChange ?? (() => {});
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
    this.record({ at: now, who, change: prior === undefined ? 'added' : 'replaced', entry, why: null });
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
        this.record({
          at: this.clock.now(),
          who: text('who', who),
          change: 'removed',
          entry,
          why: text('reason', why),
        });
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
