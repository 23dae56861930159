/**
 * A pass-through for the upstream's answer that keeps a copy of its first bytes, for flows
 * whose outcome is told by a body marker and for the deceive action's template; `onComplete`
 * sees the sample when the body is complete, before the client's response ends. Backpressure
 * is the client's: a write waits for the client's 'drain'.
 */
import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';

export class BodySample extends Writable {
  private readonly chunks: Buffer[] = [];
  private kept = 0;

  constructor(
    private readonly res: ServerResponse,
    private readonly limit: number,
    /** Called with the sample once the whole body has passed, before the client's response ends. */
    private readonly onComplete: (sample: Buffer) => void,
  ) {
    super();
    res.once('close', () => {
      if (!res.writableFinished) this.destroy();
    });
  }

  /** The first `limit` bytes of the body seen so far. */
  sample(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.kept);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.kept < this.limit) {
      const part = chunk.length <= this.limit - this.kept ? chunk : chunk.subarray(0, this.limit - this.kept);
      this.chunks.push(part);
      this.kept += part.length;
    }
    if (this.res.write(chunk)) callback();
    else this.res.once('drain', () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.onComplete(this.sample());
    this.res.end(() => callback());
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (error && !this.res.destroyed) this.res.destroy();
    callback(error);
  }
}
