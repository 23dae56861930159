/**
 * A file written by an earlier botgate (schema 1: the JSON column only; schema 3: top sources
 * read from covering indexes) is brought up to date on open: its events keep reading back whole,
 * and the columns and rollups the report reads are filled in from them, so the report covers
 * history recorded before the upgrade.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DecisionEvent } from '../../src/events/event.js';
import { SOURCE_KEYS, type SourceCount, type TimeRange } from '../../src/events/sink.js';
import { migrate } from '../../src/events/sqlite-archive.js';
import { SQLITE_SCHEMA_VERSION, SqliteEventSink } from '../../src/events/sqlite-sink.js';
import { sampleEvent } from './sample-events.js';
import { sourcesFromRows } from './sources-from-rows.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'botgate-migrate-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** Schema 1 exactly as the first release created it, with rows as it wrote them. */
function writeSchemaOne(path: string, events: readonly DecisionEvent[]): void {
  const db = new Database(path);
  db.exec(`CREATE TABLE events (
     id TEXT PRIMARY KEY, time INTEGER NOT NULL, flow TEXT NOT NULL, flow_kind TEXT NOT NULL, action TEXT NOT NULL,
     enforced INTEGER NOT NULL, decided_by TEXT NOT NULL, ip TEXT NOT NULL, prefix TEXT NOT NULL, fingerprint TEXT NOT NULL,
     username_hash TEXT, status INTEGER NOT NULL, score REAL NOT NULL, details TEXT NOT NULL);
   CREATE INDEX events_time ON events (time);
   CREATE INDEX events_ip ON events (ip, time);
   CREATE INDEX events_username_hash ON events (username_hash, time) WHERE username_hash IS NOT NULL;
   PRAGMA user_version = 1;`);
  const insert = db.prepare('INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  for (const e of events) {
    const {
      id,
      time,
      flow,
      flowKind,
      action,
      enforced,
      decidedBy,
      ip,
      prefix,
      fingerprint,
      usernameHash,
      status,
      score,
      ...details
    } = e;
    insert.run(
      id,
      time,
      flow,
      flowKind,
      action,
      enforced ? 1 : 0,
      decidedBy,
      ip,
      prefix,
      fingerprint,
      usernameHash,
      status,
      score,
      JSON.stringify(details),
    );
  }
  db.close();
}

describe('SqliteEventSink migrations', () => {
  it('upgrades a schema-1 file: events read back whole, and the report counts them', async () => {
    const path = join(dir, 'events.db');
    const T = Date.UTC(2026, 0, 1);
    const events = [
      sampleEvent({
        time: T + 1_000,
        findings: [{ source: 'd', reason: 'stuffing.source-failures', score: 80 }],
        usernameHash: 'acct-1',
      }),
      sampleEvent({
        time: T + 2_000,
        type: 'ato.suspected',
        usernameHash: 'acct-2',
        findings: [{ source: 'd', reason: 'ato.suspected', score: 100 }],
      }),
      sampleEvent({ time: T + 61_000, action: 'allow', findings: [], userAgentFamily: 'firefox' }),
    ];
    writeSchemaOne(path, events);
    const sink = new SqliteEventSink(path);
    try {
      for (const e of events) expect(await sink.get(e.id)).toEqual(e);
      const counts = await sink.decisionCounts({ from: T, to: T + 120_000 });
      expect(counts.find((c) => c.threat === 'credential-stuffing' && c.type === 'decision')).toMatchObject({
        attack: true,
        count: 1,
      });
      expect(counts.find((c) => c.type === 'ato.suspected')?.count).toBe(1);
      expect(await sink.search({ reason: 'stuffing.source-failures', limit: 5 })).toEqual([events[0]]);
      expect((await sink.topSources({ from: T, to: T + 120_000 }, 'userAgent', 5)).map((s) => s.value)).toEqual([
        'python-requests',
        'firefox',
      ]);
      expect((await sink.accountCounts({ from: T, to: T + 120_000 })).takeoverSuspected).toBe(1);
    } finally {
      await sink.close();
    }
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(SQLITE_SCHEMA_VERSION);
    raw.close();
  });

  it('upgrades a schema-3 file: top sources answer from the hourly rollup as the rows did', async () => {
    const path = join(dir, 'events.db');
    const H = 3_600_000;
    const T = Date.UTC(2026, 0, 1);
    const stuffing = [{ source: 'd', reason: 'stuffing.source-failures', score: 80 }];
    // Four hours of traffic from a few sources, some on the hours' first and last milliseconds.
    const at = (i: number) => (i % 7 === 0 ? Math.floor(i / 7) * H - (i % 2) : (i * 419_001) % (4 * H));
    const events = Array.from({ length: 60 }, (_, i) =>
      sampleEvent({
        time: T + at(i),
        type: i % 11 === 5 ? 'ato.suspected' : 'decision',
        ip: `198.51.100.${i % 5}`,
        prefix: i % 5 === 4 ? '198.51.101.0/24' : '198.51.100.0/24',
        fingerprint: ['aaaaaaaaaaaa', 'bbbbbbbbbbbb', ''][i % 3] as string,
        userAgentFamily: ['chrome', 'curl', 'firefox', ''][i % 4] as string,
        action: i % 3 === 0 ? 'block' : 'allow',
        findings: i % 4 === 1 ? stuffing : [],
      }),
    );
    writeSchemaOne(path, events);
    const ranges: TimeRange[] = [
      { from: T, to: T + 4 * H },
      { from: T + H, to: T + 2 * H },
      { from: T + 17 * 60_000, to: T + 3 * H + 5 },
      { from: T + H - 1, to: T + H + 1 },
      { from: T + 90 * 60_000, to: T + 140 * 60_000 },
    ];
    const queries = ranges.flatMap((range) =>
      SOURCE_KEYS.flatMap((key) => (['requests', 'attacks'] as const).map((order) => ({ range, key, order }))),
    );
    const answers = (db: Database.Database) => queries.map((q) => sourcesFromRows(db, q.range, q.key, 3, q.order));
    const ask = (sink: SqliteEventSink) => Promise.all(queries.map((q) => sink.topSources(q.range, q.key, 3, q.order)));
    const three = new Database(path);
    migrate(three, 3);
    expect(three.pragma('user_version', { simple: true })).toBe(3);
    const before: SourceCount[][] = answers(three);
    three.close();
    expect(before.filter((ranking) => ranking.length > 1).length).toBeGreaterThan(30);

    const sink = new SqliteEventSink(path);
    try {
      expect(await ask(sink)).toEqual(before);
      // Decisions written after the upgrade add to the hours filled in from the rows.
      await sink.write([
        sampleEvent({ time: T + H + 1, ip: '198.51.100.3', findings: stuffing }),
        sampleEvent({ time: T + 3 * H + 2, ip: '198.51.100.9', userAgentFamily: 'curl' }),
      ]);
      const raw = new Database(path, { readonly: true });
      const after = answers(raw);
      raw.close();
      expect(after).not.toEqual(before);
      expect(await ask(sink)).toEqual(after);
    } finally {
      await sink.close();
    }
    const raw = new Database(path, { readonly: true });
    try {
      expect(raw.pragma('user_version', { simple: true })).toBe(SQLITE_SCHEMA_VERSION);
      const indexes = Object.fromEntries(
        raw
          .prepare<[], [string, string]>(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' AND name IN ('events_ip', 'events_prefix', 'events_fingerprint', 'events_ua_family')",
          )
          .raw()
          .all(),
      );
      expect(indexes).toEqual({
        events_ip: 'CREATE INDEX events_ip ON events (ip, time)',
        events_prefix: 'CREATE INDEX events_prefix ON events (prefix, time)',
        events_fingerprint: 'CREATE INDEX events_fingerprint ON events (fingerprint, time)',
      });
    } finally {
      raw.close();
    }
  });
});
