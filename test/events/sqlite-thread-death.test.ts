/**
 * Faults: the SQLite sink's writer thread killed while events flow (a crash in the native module
 * or an out-of-memory in the thread looks the same to the sink). The kill lands right after a
 * batch was handed to the thread, so the thread may have committed it or not: the ambiguous case.
 * The sink starts a new thread on the next call, the recorder retries the failed batch from its
 * bounded backlog, and every event is stored exactly once (ids are unique, and the per-minute
 * rollup counts only rows actually inserted).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DecisionEvent } from '../../src/events/event.js';
import { EventRecorder } from '../../src/events/recorder.js';
import type { EventSink } from '../../src/events/sink.js';
import { SqliteEventSink } from '../../src/events/sqlite-sink.js';
import { sampleEvent } from './sample-events.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'botgate-sqlite-death-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The sink's current thread: reached into on purpose, as a fault injected from outside would be. */
const threadOf = (sink: SqliteEventSink): Worker | null => (sink as unknown as { worker: Worker | null }).worker;

describe('the SQLite writer thread killed mid-run', () => {
  it('starts a new thread and stores every event exactly once', async () => {
    const path = join(dir, 'events.db');
    const sink = new SqliteEventSink(path);
    let killNextWrite = false;
    let kills = 0;
    // The recorder writes through this: a write marked for a fault kills the thread the moment
    // the batch has been posted to it.
    const faulty: EventSink = {
      name: sink.name,
      write(batch: readonly DecisionEvent[]) {
        const written = sink.write(batch);
        if (killNextWrite) {
          killNextWrite = false;
          kills++;
          void threadOf(sink)?.terminate();
        }
        return written;
      },
      close: () => sink.close(),
    };
    const recorder = new EventRecorder({
      ringSize: 100,
      maxBacklog: 10_000,
      sinks: [faulty],
      batchSize: 50,
      flushIntervalMs: 5,
      maxRetryDelayMs: 20,
    });

    const ids: string[] = [];
    for (let round = 0; round < 20; round++) {
      if (round % 5 === 2) {
        // One kill at a time: the previous one has landed (a thread starting takes a while).
        while (killNextWrite) await new Promise((r) => setTimeout(r, 5));
        killNextWrite = true;
      }
      for (let i = 0; i < 60; i++) {
        const event = sampleEvent({ time: Date.UTC(2026, 0, 1, 12) + ids.length });
        ids.push(event.id);
        recorder.record(event);
      }
      await new Promise((r) => setTimeout(r, 15));
    }
    await recorder.flush();
    // A retry may still be pausing after the last kill: flush again until everything is written.
    for (let i = 0; i < 50 && (recorder.stats().sinks[0]?.backlog ?? 0) > 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      await recorder.flush();
    }

    expect(kills).toBe(4);
    expect(sink.restarts).toBe(4);
    const stats = recorder.stats().sinks[0];
    expect(stats).toMatchObject({ dropped: 0, backlog: 0 });
    // A batch the thread committed before dying counts as written twice here; the file has it once.
    expect(stats?.written).toBeGreaterThanOrEqual(ids.length);

    const counts = await sink.decisionCounts({ from: Date.UTC(2026, 0, 1), to: Date.UTC(2026, 0, 2) });
    expect(counts.reduce((n, c) => n + c.count, 0)).toBe(ids.length);
    await recorder.close();

    const db = new Database(path, { readonly: true });
    try {
      const row = db.prepare('SELECT count(*) AS n, count(DISTINCT id) AS distinctIds FROM events').get() as {
        n: number;
        distinctIds: number;
      };
      expect(row).toEqual({ n: ids.length, distinctIds: ids.length });
      const stored = new Set((db.prepare('SELECT id FROM events').all() as { id: string }[]).map((r) => r.id));
      expect(ids.filter((id) => !stored.has(id))).toEqual([]);
    } finally {
      db.close();
    }
  });
});
