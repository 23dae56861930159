/**
 * Runtime block and allow entries: canonical values, the most specific entry first, expiry
 * without a timer, one entry per source, a bounded audit trail of who, when and why.
 */
import { describe, expect, it } from 'vitest';
import { ManualEntryError, ManualLists, sharedAuditRecord } from '../../src/policy/manual-lists.js';
import { ManualClock } from '../../src/state/clock.js';

const HOUR = 3_600_000;
const request = (over: Partial<Parameters<ManualLists['add']>[0]> = {}) => ({
  list: 'block',
  target: 'ip',
  value: '203.0.113.7',
  durationMs: HOUR,
  who: 'Dana',
  reason: 'stuffing',
  ...over,
});

describe('ManualLists', () => {
  it('matches nothing, cheaply, when empty', () => {
    const lists = new ManualLists(new ManualClock());
    expect(lists.match('203.0.113.7', 'aaaaaaaaaaaa', '203.0.113.0/24')).toBeNull();
    expect(lists.decision('203.0.113.7', 'aaaaaaaaaaaa', '203.0.113.0/24', true)).toBeNull();
  });

  it('blocks an address, a network or a fingerprint, with a decision naming who, until when and why', () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const lists = new ManualLists(clock);
    lists.add(request());
    const decision = lists.decision('203.0.113.7', 'aaaaaaaaaaaa', '203.0.113.0/24', true);
    expect(decision).toMatchObject({ action: 'block', decidedBy: 'list/manual-block', score: 100, enforced: true });
    expect(decision?.findings[0]).toEqual({
      source: 'list/manual-block',
      reason: 'list.manual-block',
      score: 100,
      detail: 'ip 203.0.113.7 blocked by Dana until 2026-01-01T01:00:00.000Z: stuffing',
    });
    lists.add(request({ target: 'prefix', value: '198.51.100.0/24' }));
    expect(lists.match('198.51.100.99', 'bbbbbbbbbbbb', '198.51.100.0/24')?.target).toBe('prefix');
    lists.add(request({ target: 'fingerprint', value: 'CCCCCCCCCCCC' }));
    expect(lists.match('192.0.2.1', 'cccccccccccc', '192.0.2.0/24')?.value).toBe('cccccccccccc');
    expect(lists.decision('192.0.2.1', 'cccccccccccc', '192.0.2.0/24', false)?.enforced).toBe(false);
  });

  it('lets the most specific entry win: an allowed address inside a blocked network passes', () => {
    const lists = new ManualLists(new ManualClock());
    lists.add(request({ target: 'prefix', value: '203.0.113.0/24' }));
    lists.add(request({ list: 'allow', value: '203.0.113.9', reason: 'partner' }));
    expect(lists.decision('203.0.113.9', 'x', '203.0.113.0/24', true)).toMatchObject({
      action: 'allow',
      decidedBy: 'list/manual-allow',
      score: 0,
    });
    expect(lists.decision('203.0.113.10', 'x', '203.0.113.0/24', true)?.action).toBe('block');
  });

  it('stores values as the gateway sees them', () => {
    const lists = new ManualLists(new ManualClock());
    expect(lists.add(request({ value: '::ffff:203.0.113.7' })).value).toBe('203.0.113.7');
    expect(lists.add(request({ value: '2001:DB8:0::1' })).value).toBe('2001:db8::1');
    expect(lists.add(request({ target: 'prefix', value: '203.0.113.77/24' })).value).toBe('203.0.113.0/24');
    expect(lists.add(request({ target: 'prefix', value: '2001:db8:1:2::/48' })).value).toBe('2001:db8:1::/48');
  });

  it.each([
    [{ list: 'ban' }, /list must be one of/],
    [{ target: 'asn' }, /target must be one of/],
    [{ value: 'not-an-ip' }, /IPv4 or IPv6/],
    [{ target: 'prefix', value: '10.0.0.0/8' }, /\/24 \(IPv4\) or \/48/],
    [{ target: 'prefix', value: '203.0.113.7' }, /\/24 \(IPv4\) or \/48/],
    [{ target: 'fingerprint', value: 'abc' }, /12 hex/],
    [{ durationMs: 1_000 }, /from 1 minute/],
    [{ durationMs: 31 * 24 * HOUR }, /to 30 days/],
    [{ durationMs: 90_000.5 }, /duration/],
    [{ who: '  ' }, /"who"/],
    [{ reason: '' }, /"reason"/],
    [{ reason: 'x'.repeat(201) }, /"reason"/],
  ])('refuses %j with one clear line', (over, message) => {
    const lists = new ManualLists(new ManualClock());
    expect(() => lists.add(request(over as never))).toThrow(ManualEntryError);
    expect(() => lists.add(request(over as never))).toThrow(message);
  });

  it('lapses when it expires, recorded as expired in the audit trail', () => {
    const clock = new ManualClock(0);
    const lists = new ManualLists(clock);
    lists.add(request());
    clock.advance(HOUR - 1);
    expect(lists.match('203.0.113.7', 'x', 'y')).not.toBeNull();
    clock.advance(1);
    expect(lists.match('203.0.113.7', 'x', 'y')).toBeNull();
    expect(lists.entries()).toEqual([]);
    expect(lists.audit(1)[0]).toMatchObject({ change: 'expired', who: 'botgate', at: HOUR });
  });

  it('keeps one entry per source: allowing a blocked address replaces the block', () => {
    const changes: string[] = [];
    const lists = new ManualLists(new ManualClock(), { onChange: (c) => changes.push(`${c.change} ${c.entry.list}`) });
    lists.add(request());
    lists.add(request({ list: 'allow', reason: 'false positive' }));
    expect(lists.entries()).toHaveLength(1);
    expect(lists.match('203.0.113.7', 'x', 'y')?.list).toBe('allow');
    expect(changes).toEqual(['added block', 'replaced allow']);
  });

  it('removes by id with who and why, and says when there was nothing to remove', () => {
    const lists = new ManualLists(new ManualClock());
    const entry = lists.add(request());
    expect(lists.remove('block:ip:192.0.2.1', 'Dana', 'typo')).toBeUndefined();
    expect(lists.remove(entry.id, 'Eve', 'false alarm')).toEqual(entry);
    expect(lists.match('203.0.113.7', 'x', 'y')).toBeNull();
    expect(lists.audit(1)[0]).toMatchObject({ change: 'removed', who: 'Eve', why: 'false alarm' });
  });

  it('bounds the entries and the audit trail', () => {
    const lists = new ManualLists(new ManualClock(), { maxEntries: 2, maxAudit: 3 });
    lists.add(request({ value: '192.0.2.1' }));
    lists.add(request({ value: '192.0.2.2' }));
    expect(() => lists.add(request({ value: '192.0.2.3' }))).toThrow(/2 entries are active/);
    lists.add(request({ value: '192.0.2.2', reason: 'again' }));
    lists.remove('block:ip:192.0.2.1', 'Dana', 'done');
    expect(lists.audit()).toHaveLength(3);
    expect(lists.audit()[0]?.change).toBe('removed');
  });
});

describe('a change from another node (sharedAuditRecord, applyShared)', () => {
  const change = () => {
    const made: unknown[] = [];
    const lists = new ManualLists(new ManualClock(Date.UTC(2026, 0, 1)), { onShare: (c) => made.push(c) });
    lists.add(request({ value: '203.0.113.7' }));
    return JSON.parse(JSON.stringify(made[0])) as Record<string, unknown>;
  };

  it('applies as the same entry, without being shared again', () => {
    const shared: unknown[] = [];
    const other = new ManualLists(new ManualClock(Date.UTC(2026, 0, 1)), { onShare: (c) => shared.push(c) });
    other.applyShared(sharedAuditRecord(change()));
    expect(other.match('203.0.113.7', '', '')?.createdBy).toBe('Dana');
    expect(other.audit().map((r) => r.change)).toEqual(['added']);
    expect(shared).toEqual([]);
  });

  it('is checked like a request to the admin API: canonical value, matching id, known change', () => {
    const entry = (over: Record<string, unknown>) => {
      const c = change();
      return { ...c, entry: { ...(c.entry as Record<string, unknown>), ...over } };
    };
    expect(() => sharedAuditRecord(entry({ id: 'block:ip:192.0.2.1' }))).toThrow(ManualEntryError);
    expect(() => sharedAuditRecord(entry({ value: 'not an address', id: 'block:ip:not an address' }))).toThrow(
      ManualEntryError,
    );
    expect(() => sharedAuditRecord(entry({ list: 'pass', id: 'pass:ip:203.0.113.7' }))).toThrow(ManualEntryError);
    expect(() => sharedAuditRecord(entry({ expiresAt: 'tomorrow' }))).toThrow(ManualEntryError);
    expect(() => sharedAuditRecord({ ...change(), change: 'drop table' })).toThrow(ManualEntryError);
  });
});
