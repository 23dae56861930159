/**
 * A file written by an earlier botgate (schema 1: the JSON column only) is brought up to date on
 * open: its events keep reading back whole, and the columns and rollups the report reads are
 * filled in from them, so the report covers history recorded before the upgrade.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DecisionEvent } from '../../src/events/event.js';
import { SQLITE_SCHEMA_VERSION, SqliteEventSink } from '../../src/events/sqlite-sink.js';
import { sampleEvent } from './sample-events.js';

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
});
