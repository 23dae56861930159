/**
 * Request bodies: how their framing is checked, how a flow's body is buffered (bounded), and how
 * a compressed one is opened for reading its fields.
 *
 * Only flows that declare fields are buffered; every other body streams to the upstream
 * untouched. Buffering a small login body and forwarding the same bytes was measured cheaper
 * than streaming it (see DESIGN.md), and it lets detection read the fields before the
 * application does.
 */
import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';

export type BodyResult =
  | { readonly kind: 'ok'; readonly body: Buffer }
  | { readonly kind: 'too-large' }
  | { readonly kind: 'aborted' };

const EMPTY = Buffer.alloc(0);

/** A Content-Length botgate forwards: digits only, no leading zero, at most 15 of them. */
const CONTENT_LENGTH = /^(?:0|[1-9][0-9]{0,14})$/;

/**
 * Why the body's framing could be read two ways, or null. Node's parser already refuses
 * Content-Length with Transfer-Encoding, two Content-Lengths, and most malformed values; it lets
 * through what botgate must refuse itself (found on Node 20 and 24, test/hardening keeps it so):
 * - `Content-Length: 003`: Node reads 3; a parser that reads octal, or refuses, reads otherwise;
 * - `Transfer-Encoding` other than exactly `chunked` (`identity, chunked`, `gzip, chunked`,
 *   `,chunked`, an empty value): Node decodes the chunks and ignores the rest, a stricter or
 *   older parser falls back to Content-Length or reads to the end;
 * - `Transfer-Encoding` on HTTP/1.0, which has no chunked coding (RFC 9112 §6.1).
 * botgate re-frames every body it forwards (undici writes its own framing), so the upstream
 * never sees the client's framing; these are refused because a request whose length two parsers
 * disagree on is an attack, not a client to serve.
 */
export function framingProblem(req: IncomingMessage): string | null {
  const length = req.headers['content-length'];
  const coding = req.headers['transfer-encoding'];
  if (length !== undefined && !CONTENT_LENGTH.test(length)) return `Content-Length "${length.slice(0, 20)}"`;
  if (coding === undefined) return null;
  if (req.httpVersion === '1.0') return 'Transfer-Encoding on HTTP/1.0';
  if (coding.trim().toLowerCase() !== 'chunked') return `Transfer-Encoding "${coding.slice(0, 40)}"`;
  if (length !== undefined) return 'both Content-Length and Transfer-Encoding';
  return null;
}

export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

export function readBoundedBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return Promise.resolve({ kind: 'too-large' });
  if (!hasBody(req)) return Promise.resolve({ kind: 'ok', body: EMPTY });

  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (result: BodyResult): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        // Stop reading: the caller answers 413 and closes the connection.
        req.pause();
        done({ kind: 'too-large' });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void =>
      done({ kind: 'ok', body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) });
    const onAbort = (): void => done({ kind: 'aborted' });
    const onClose = (): void => {
      if (!req.complete) done({ kind: 'aborted' });
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('close', onClose);
  });
}

export type DecodedBody =
  | { readonly kind: 'ok'; readonly body: Buffer }
  | { readonly kind: 'too-large' }
  | { readonly kind: 'malformed'; readonly cause: string };

const decoders = {
  gzip: promisify(gunzip),
  'x-gzip': promisify(gunzip),
  deflate: promisify(inflate),
  br: promisify(brotliDecompress),
} as const;

/**
 * The body as the application reads it when it inflates compressed requests (Express's
 * body-parser does by default: gzip, deflate, br): the fields botgate judges must be the ones
 * the application sees, so a compressed login is opened, never waved through unread. The bytes
 * forwarded stay the client's, with its Content-Encoding.
 *
 * Bounded: the output stops at `limit` (413, so a zip bomb costs at most `limit` bytes).
 * Refused as malformed: a coding other than one of gzip, x-gzip, deflate, br and identity,
 * several codings at once (body-parser refuses them too), and bytes that do not decode.
 */
export async function decodedBody(
  body: Buffer,
  contentEncoding: string | undefined,
  limit: number,
): Promise<DecodedBody> {
  if (contentEncoding === undefined) return { kind: 'ok', body };
  const coding = contentEncoding.trim().toLowerCase();
  if (coding === '' || coding === 'identity') return { kind: 'ok', body };
  const decode = Object.hasOwn(decoders, coding) ? decoders[coding as keyof typeof decoders] : undefined;
  if (decode === undefined) return { kind: 'malformed', cause: `Content-Encoding "${contentEncoding.slice(0, 40)}"` };
  if (body.length === 0) return { kind: 'ok', body };
  try {
    return { kind: 'ok', body: await decode(body, { maxOutputLength: limit }) };
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return { kind: 'too-large' };
    return { kind: 'malformed', cause: `a ${coding} body that does not decode` };
  }
}
