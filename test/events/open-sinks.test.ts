import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSinks, readableSink } from '../../src/events/open-sinks.js';
import type { EventSink } from '../../src/events/sink.js';
import { SqliteEventSink } from '../../src/events/sqlite-sink.js';
import { sampleEvents } from './sample-events.js';

let dir: string;
let sinks: EventSink[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'botgate-sinks-'));
});

afterEach(async () => {
  for (const sink of sinks) await sink.close();
  sinks = [];
  await rm(dir, { recursive: true, force: true });
});

const config = (events: { sqlite: string | false; ndjson: string | false }) => ({
  ringSize: 100,
  maxBacklog: 1_000,
  maxProtocolErrorsPerSecond: 20,
  ...events,
});

describe('openSinks', () => {
  it('opens nothing when both sinks are off', () => {
    sinks = openSinks(config({ sqlite: false, ndjson: false }));
    expect(sinks).toEqual([]);
    expect(readableSink(sinks)).toBeUndefined();
  });

  it('opens SQLite and NDJSON to the given stdout, SQLite being the readable one', async () => {
    const stdout = new PassThrough();
    const chunks: string[] = [];
    stdout.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    sinks = openSinks(config({ sqlite: join(dir, 'events.db'), ndjson: 'stdout' }), { stdout });
    expect(sinks.map((s) => s.name)).toEqual(['sqlite', 'ndjson']);
    expect(readableSink(sinks)).toBeInstanceOf(SqliteEventSink);

    const events = sampleEvents(2);
    for (const sink of sinks) await sink.write(events);
    expect(chunks.join('')).toBe(events.map((e) => `${JSON.stringify(e)}\n`).join(''));
    expect(await readableSink(sinks)?.recent(10)).toEqual([...events].reverse());
  });

  it('opens an NDJSON file path and reports a bad one at once', () => {
    sinks = openSinks(config({ sqlite: false, ndjson: join(dir, 'events.ndjson') }));
    expect(sinks.map((s) => s.name)).toEqual(['ndjson']);
    expect(() => openSinks(config({ sqlite: false, ndjson: join(dir, 'no', 'such', 'dir.ndjson') }))).toThrow(
      /Cannot open the NDJSON event file/,
    );
  });
});
