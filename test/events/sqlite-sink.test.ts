import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DecisionEvent } from '../../src/events/event.js';
import { SQLITE_SCHEMA_VERSION, SqliteEventSink } from '../../src/events/sqlite-sink.js';
import { sampleEvent, sampleEvents } from './sample-events.js';

let dir: string;
let path: string;
const opened: SqliteEventSink[] = [];

function open(): SqliteEventSink {
  const sink = new SqliteEventSink(path);
  opened.push(sink);
  return sink;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'botgate-sqlite-'));
  path = join(dir, 'events.db');
});

afterEach(async () => {
  for (const sink of opened.splice(0)) await sink.close();
  await rm(dir, { recursive: true, force: true });
});

describe('SqliteEventSink', () => {
  it('writes a batch and reads it back, by id and newest first', async () => {
    const sink = open();
    const events = [
      sampleEvent({
        usernameHash: null,
        upstreamStatus: 200,
        upstreamMs: 12.5,
        status: 200,
        action: 'allow',
        enforced: false,
        mode: 'monitor',
        outcome: 'success',
      }),
      ...sampleEvents(4),
    ];
    await sink.write(events);

    for (const e of events) expect(await sink.get(e.id)).toEqual(e);
    expect(await sink.get('ffffffffffffffff')).toBeUndefined();
    expect(await sink.recent(3)).toEqual([events[4], events[3], events[2]]);
  });

  it('uses WAL with synchronous NORMAL and records its schema version', async () => {
    const sink = open();
    await sink.write(sampleEvents(1));
    const raw = new Database(path, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(raw.pragma('user_version', { simple: true })).toBe(SQLITE_SCHEMA_VERSION);
      const indexes = raw
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' AND sql IS NOT NULL")
        .pluck()
        .all();
      expect(indexes).toEqual(expect.arrayContaining(['events_time', 'events_ip', 'events_username_hash']));
    } finally {
      raw.close();
    }
  });

  it('survives reopening: the migration runs once and the events are still there', async () => {
    const first = open();
    const before = sampleEvents(3);
    await first.write(before);
    await first.close();

    const second = open();
    const after = sampleEvents(2);
    await second.write(after);
    expect((await second.recent(10)).map((e) => e.id)).toEqual([...before, ...after].reverse().map((e) => e.id));
  });

  it('writes a batch in one transaction: a bad row stores none of it', async () => {
    const sink = open();
    const bad = { ...sampleEvent(), ip: null } as unknown as DecisionEvent;
    const batch = [...sampleEvents(3), bad, ...sampleEvents(3)];
    await expect(sink.write(batch)).rejects.toThrow();
    expect(await sink.recent(100)).toEqual([]);
  });

  it('accepts a batch written twice (a retry after an ambiguous failure)', async () => {
    const sink = open();
    const batch = sampleEvents(3);
    await sink.write(batch);
    await sink.write(batch);
    expect(await sink.recent(100)).toHaveLength(3);
  });

  it('refuses a file written by a newer schema, naming the file', async () => {
    const raw = new Database(path);
    raw.pragma(`user_version = ${SQLITE_SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => open()).toThrow(/Cannot open the SQLite event file: .*newer botgate.*received ".*events\.db"/);
  });

  it('fails with one clear error for a path it cannot open', async () => {
    path = join(dir, 'missing', 'events.db');
    expect(() => open()).toThrow(/Cannot open the SQLite event file: .*received ".*missing/);
    path = join(dir, 'not-a-database');
    await writeFile(path, 'this is not sqlite, just text long enough to fill a header page......................');
    expect(() => open()).toThrow(/Cannot open the SQLite event file/);
  });
});
