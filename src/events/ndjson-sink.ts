/**
 * Events as NDJSON (one JSON object a line) for log shippers: to stdout or appended to a file.
 *
 * A batch becomes one write, and `write` resolves only when the stream has taken the chunk
 * (its write callback), so a slow reader slows the sink, never the process: the recorder waits,
 * the sink's backlog grows and, past its bound, drops and counts. A file sink reopens its file
 * after an error (a full disk freed, a directory recreated) and on `reopen()` (log rotation).
 *
 * Caveat: on Linux, Node writes to stdout synchronously when it is a file or a pipe, so a stalled
 * reader of stdout stalls the event loop; for heavy volumes prefer a file path.
 */
import { createWriteStream, openSync } from 'node:fs';
import type { Writable } from 'node:stream';
import type { DecisionEvent } from './event.js';
import type { EventSink } from './sink.js';

export class NdjsonEventSink implements EventSink {
  readonly name = 'ndjson';
  private stream: NodeJS.WritableStream | null = null;
  private closed = false;

  private constructor(
    /** Opens the destination; called again after an error when the sink owns the stream. */
    private readonly open: () => NodeJS.WritableStream,
    /** Whether close() ends the stream (a file) or leaves it to its owner (stdout). */
    private readonly ownsStream: boolean,
  ) {}

  /**
   * Appends to `path`, creating it if needed. The file is opened here, synchronously, so a bad
   * path fails at startup with one clear error rather than as a stream of failed batches.
   */
  static toFile(path: string): NdjsonEventSink {
    let fd: number | null;
    try {
      fd = openSync(path, 'a');
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new Error(`Cannot open the NDJSON event file: ${why} (received "${path}")`, { cause: error });
    }
    return new NdjsonEventSink(() => {
      const stream = fd === null ? createWriteStream(path, { flags: 'a' }) : createWriteStream('', { fd });
      fd = null;
      return stream;
    }, true);
  }

  /**
   * Writes to a stream someone else owns (stdout). The sink listens for the stream's errors, so
   * a closed pipe fails batches (counted by the recorder) instead of crashing the process.
   */
  static toStream(stream: NodeJS.WritableStream): NdjsonEventSink {
    return new NdjsonEventSink(() => stream, false);
  }

  async write(batch: readonly DecisionEvent[]): Promise<void> {
    if (this.closed) throw new Error('Cannot write events: the NDJSON sink is closed');
    if (batch.length === 0) return;
    let chunk = '';
    for (const event of batch) chunk += `${JSON.stringify(event)}\n`;
    await writeChunk(this.current(), chunk);
  }

  /** Closes an owned file so the next batch opens the path afresh (after rotation). */
  async reopen(): Promise<void> {
    const stream = this.stream;
    this.stream = null;
    if (stream !== null && this.ownsStream) await end(stream);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.reopen();
  }

  private current(): NodeJS.WritableStream {
    if (this.stream !== null) return this.stream;
    const stream = this.open();
    if (this.ownsStream) {
      // A failed file is dropped; the next batch reopens it. The error itself reaches the
      // pending write's callback, which rejects that batch.
      stream.on('error', () => {
        if (this.stream === stream) this.stream = null;
      });
    } else if (!stream.listeners('error').includes(ignoreError)) {
      stream.on('error', ignoreError);
    }
    this.stream = stream;
    return stream;
  }
}

/** The write callback already carries the error to the batch; this keeps it from crashing the process. */
function ignoreError(): void {}

function writeChunk(stream: NodeJS.WritableStream, chunk: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(chunk, (error) => (error ? reject(error) : resolve()));
  });
}

function end(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    if ((stream as Partial<Writable>).destroyed === true) return resolve();
    stream.once('close', resolve);
    stream.end();
  });
}
