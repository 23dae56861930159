/**
 * Reading request bodies: bounded, then parsed as the route expects.
 *
 * Every body is capped at `BODY_LIMIT_BYTES` (64 KiB): a declared length above it is refused
 * before a byte is read, a streamed body as soon as it passes it. Both answer 413, and the
 * connection is closed rather than drained, so an endless upload costs nothing more.
 */
import type { IncomingMessage } from 'node:http';

export const BODY_LIMIT_BYTES = 64 * 1024;

/** A body the route cannot use; `status` is the answer (400 or 413). */
export class BodyError extends Error {
  constructor(
    readonly status: 400 | 413,
    message: string,
  ) {
    super(message);
    this.name = 'BodyError';
  }
}

export function readBody(req: IncomingMessage, limit: number = BODY_LIMIT_BYTES): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > limit) {
        req.off('data', onData);
        req.pause();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks, received).toString('utf8')));
    req.once('error', reject);
    // A client that goes away mid-body; after 'end' the promise is settled and this is a no-op.
    req.once('close', () => reject(new BodyError(400, 'The request ended before its body')));
  });
}

/** A JSON object body; anything else (bad JSON, an array, a string) is a 400. */
export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readBody(req);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BodyError(400, 'The body must be JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BodyError(400, 'The body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/** An `application/x-www-form-urlencoded` body. */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new URLSearchParams(await readBody(req));
}

function tooLarge(limit: number): BodyError {
  return new BodyError(413, `The body is larger than ${limit} bytes`);
}
