import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NdjsonEventSink } from '../../src/events/ndjson-sink.js';
import { sampleEvents } from './sample-events.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'botgate-ndjson-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function lines(path: string): Promise<unknown[]> {
  const text = await readFile(path, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line));
}

describe('NdjsonEventSink to a file', () => {
  it('appends one JSON object a line, after what the file already held', async () => {
    const path = join(dir, 'events.ndjson');
    await writeFile(path, '{"earlier":true}\n');
    const sink = NdjsonEventSink.toFile(path);
    const first = sampleEvents(3);
    const second = sampleEvents(2);
    await sink.write(first);
    await sink.write(second);
    await sink.close();
    expect(await lines(path)).toEqual([{ earlier: true }, ...first, ...second]);
  });

  it('opens a fresh file at the same path after reopen() (log rotation)', async () => {
    const path = join(dir, 'events.ndjson');
    const sink = NdjsonEventSink.toFile(path);
    const before = sampleEvents(2);
    await sink.write(before);
    await rename(path, `${path}.1`);
    await sink.reopen();
    const after = sampleEvents(2);
    await sink.write(after);
    await sink.close();
    expect(await lines(`${path}.1`)).toEqual(before);
    expect(await lines(path)).toEqual(after);
  });

  it('fails at once with one clear error for a path it cannot open', () => {
    expect(() => NdjsonEventSink.toFile(join(dir, 'missing', 'events.ndjson'))).toThrow(
      /Cannot open the NDJSON event file: .*received ".*missing/,
    );
  });

  it('refuses writes after close', async () => {
    const sink = NdjsonEventSink.toFile(join(dir, 'events.ndjson'));
    await sink.close();
    await expect(sink.write(sampleEvents(1))).rejects.toThrow(/closed/);
  });
});

describe('NdjsonEventSink to a stream it does not own', () => {
  it('resolves a batch only once the stream has taken it (backpressure)', async () => {
    const chunks: string[] = [];
    let release: (() => void) | undefined;
    const slow = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString());
        release = done;
      },
    });
    const sink = NdjsonEventSink.toStream(slow);
    let settled = false;
    const writing = sink.write(sampleEvents(2)).then(() => {
      settled = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(chunks).toHaveLength(1);
    expect(settled).toBe(false);
    release?.();
    await writing;
    expect(settled).toBe(true);
    await sink.close();
    expect(slow.writableEnded).toBe(false);
  });

  it('rejects the batch when the stream fails, without an unhandled error event', async () => {
    const broken = new Writable({
      write(_chunk, _encoding, done) {
        done(new Error('EPIPE: reader went away'));
      },
    });
    const sink = NdjsonEventSink.toStream(broken);
    await expect(sink.write(sampleEvents(1))).rejects.toThrow(/EPIPE/);
    await expect(sink.write(sampleEvents(1))).rejects.toThrow();
  });
});
