import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DecisionEvent } from '../../src/events/event.js';
import { NdjsonEventSink } from '../../src/events/ndjson-sink.js';
import { EventRecorder, type RecorderOptions } from '../../src/events/recorder.js';
import type { EventSink } from '../../src/events/sink.js';
import { SqliteEventSink } from '../../src/events/sqlite-sink.js';
import { sampleEvent, sampleEvents } from './sample-events.js';

/** A sink that stores in memory and can be held (writes wait) or broken (writes fail). */
class TestSink implements EventSink {
  readonly stored: DecisionEvent[] = [];
  readonly batches: number[] = [];
  calls = 0;
  failing = false;
  closed = false;
  private gate: Promise<void> | null = null;
  private open: (() => void) | null = null;

  constructor(readonly name = 'test') {}

  hold(): void {
    this.gate = new Promise((resolve) => {
      this.open = resolve;
    });
  }

  release(): void {
    this.open?.();
    this.gate = null;
  }

  async write(batch: readonly DecisionEvent[]): Promise<void> {
    this.calls++;
    if (this.gate !== null) await this.gate;
    if (this.failing) throw new Error(`${this.name} is down`);
    this.batches.push(batch.length);
    this.stored.push(...batch);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

const recorders: EventRecorder[] = [];

function recorder(options: Partial<RecorderOptions> & Pick<RecorderOptions, 'sinks'>): EventRecorder {
  const r = new EventRecorder({ ringSize: 100, maxBacklog: 1_000, flushIntervalMs: 60_000, ...options });
  recorders.push(r);
  return r;
}

/** Waits for a condition the recorder reaches on its own (timers); fails the test if it never does. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition()).toBe(true);
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

afterEach(async () => {
  for (const r of recorders.splice(0)) await r.close();
});

describe('EventRecorder', () => {
  it('records synchronously into the ring and writes batches from its timer', async () => {
    const sink = new TestSink();
    const r = recorder({ sinks: [sink], flushIntervalMs: 5 });
    const events = sampleEvents(3);
    for (const e of events) r.record(e);

    expect(r.ring.get(events[1]?.id ?? '')).toBe(events[1]);
    expect(r.ring.recent(3)).toEqual([...events].reverse());
    expect(sink.calls).toBe(0);

    await until(() => sink.stored.length === 3);
    expect(sink.stored).toEqual(events);
    expect(sink.batches).toEqual([3]);
    expect(r.stats()).toEqual({
      recorded: 3,
      sinks: [{ name: 'test', written: 3, dropped: 0, failures: 0, backlog: 0 }],
    });
  });

  it('writes at once when a full batch is waiting, in batches of batchSize', async () => {
    const sink = new TestSink();
    const r = recorder({ sinks: [sink], batchSize: 4 });
    for (const e of sampleEvents(9)) r.record(e);
    await until(() => sink.stored.length === 8);
    expect(sink.batches).toEqual([4, 4]);
    await r.flush();
    expect(sink.batches).toEqual([4, 4, 1]);
  });

  it('keeps recording while a sink is stalled: its backlog drops the oldest past maxBacklog and counts them', async () => {
    const slow = new TestSink('slow');
    const r = recorder({ sinks: [slow], batchSize: 2, maxBacklog: 5 });
    slow.hold();
    const events = sampleEvents(12);
    r.record(events[0] as DecisionEvent);
    r.record(events[1] as DecisionEvent);
    await nextTurn();
    expect(slow.calls).toBe(1); // the first batch is in flight and stuck

    for (const e of events.slice(2)) expect(r.record(e)).toBeUndefined();
    expect(r.ring.size).toBe(12);
    expect(r.stats().sinks[0]).toMatchObject({ dropped: 5, backlog: 7, written: 0 });

    slow.release();
    await r.flush();
    expect(slow.stored).toEqual([...events.slice(0, 2), ...events.slice(7)]);
    expect(r.stats().sinks[0]).toMatchObject({ written: 7, dropped: 5, backlog: 0 });
  });

  it('retries a failing sink and loses nothing that fits in its backlog', async () => {
    const flaky = new TestSink('flaky');
    const errors: string[] = [];
    const r = recorder({
      sinks: [flaky],
      flushIntervalMs: 2,
      maxRetryDelayMs: 10,
      onError: (error, source) => errors.push(`${source}: ${(error as Error).message}`),
    });
    flaky.failing = true;
    const events = sampleEvents(6);
    for (const e of events.slice(0, 3)) r.record(e);
    await until(() => (r.stats().sinks[0]?.failures ?? 0) >= 2);
    for (const e of events.slice(3)) r.record(e);
    expect(r.stats().sinks[0]).toMatchObject({ written: 0, dropped: 0, backlog: 6 });

    flaky.failing = false;
    await until(() => flaky.stored.length === 6);
    expect(flaky.stored).toEqual(events);
    expect(errors.slice(0, 2)).toEqual(['flaky: flaky is down', 'flaky: flaky is down']);
    expect(r.stats().sinks[0]).toMatchObject({ written: 6, dropped: 0, backlog: 0 });
  });

  it('lets a failing sink fail alone: the others keep writing', async () => {
    const down = new TestSink('down');
    const up = new TestSink('up');
    down.failing = true;
    const r = recorder({ sinks: [down, up], maxBacklog: 3 });
    const events = sampleEvents(5);
    for (const e of events.slice(0, 3)) r.record(e);
    await r.flush();
    for (const e of events.slice(3)) r.record(e);
    await r.flush();
    expect(up.stored).toEqual(events);
    expect(r.stats().sinks).toEqual([
      { name: 'down', written: 0, dropped: 2, failures: 2, backlog: 3 },
      { name: 'up', written: 5, dropped: 0, failures: 0, backlog: 0 },
    ]);
  });

  it('calls listeners only while subscribed, and survives one that throws', () => {
    const errors: string[] = [];
    const r = recorder({ sinks: [], onError: (_error, source) => errors.push(source) });
    const seen: string[] = [];
    r.onEvent(() => {
      throw new Error('broken live view');
    });
    const stop = r.onEvent((e) => seen.push(e.id));
    const first = sampleEvent();
    r.record(first);
    stop();
    r.record(sampleEvent());
    expect(seen).toEqual([first.id]);
    expect(errors).toEqual(['listener', 'listener']);
  });
});

describe('EventRecorder with real sinks', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'botgate-recorder-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes everything to SQLite and NDJSON on close, then closes the sinks', async () => {
    const sqlite = new SqliteEventSink(join(dir, 'events.db'));
    const ndjsonPath = join(dir, 'events.ndjson');
    const ndjson = NdjsonEventSink.toFile(ndjsonPath);
    const r = recorder({ sinks: [sqlite, ndjson], batchSize: 1_000, maxBacklog: 5_000 });
    const events = sampleEvents(2_500);
    for (const e of events) r.record(e);
    await r.close();

    const lines = (await readFile(ndjsonPath, 'utf8')).trimEnd().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as DecisionEvent).id)).toEqual(events.map((e) => e.id));
    await expect(ndjson.write(events.slice(0, 1))).rejects.toThrow(/closed/);

    const reopened = new SqliteEventSink(join(dir, 'events.db'));
    try {
      expect(await reopened.recent(5_000)).toHaveLength(2_500);
      expect(await reopened.get(events[1_234]?.id ?? '')).toEqual(events[1_234]);
    } finally {
      await reopened.close();
    }

    r.record(sampleEvent());
    expect(r.ring.size).toBe(100);
    expect(r.stats().sinks.map((s) => [s.name, s.written, s.dropped])).toEqual([
      ['sqlite', 2_500, 1],
      ['ndjson', 2_500, 1],
    ]);
  });

  it('counts the failures of a file sink on a full disk and keeps its batch', async () => {
    const full = NdjsonEventSink.toFile('/dev/full');
    const r = recorder({ sinks: [full] });
    for (const e of sampleEvents(3)) r.record(e);
    await r.flush();
    await r.flush();
    expect(r.stats().sinks[0]).toMatchObject({ name: 'ndjson', written: 0, failures: 2, backlog: 3 });
  });
});
