/**
 * Small HTTP pieces the admin listener shares: JSON answers with the headers every admin
 * response carries, bounded JSON bodies, cookies. The admin listener is not on the hot path, but
 * it is an authenticated surface, so every answer says `no-store` and `nosniff`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Headers on every admin answer: nothing cached, nothing sniffed, never framed, no referrer. */
export const ADMIN_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers?: Record<string, string | string[]>,
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...ADMIN_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** An error answer: a stable code and one line saying what was wrong and how to fix it. */
export function problem(
  res: ServerResponse,
  status: number,
  error: string,
  message: string,
  headers?: Record<string, string>,
): void {
  json(res, status, { error, message }, headers);
}

/** A request the client got wrong: becomes `status` with `error` and the message. */
export class ClientError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new ClientError(400, 'bad_request', message);

const MAX_BODY_BYTES = 16 * 1024;

/**
 * The request's JSON object body, at most 16 KiB. Refuses anything but `application/json`
 * (415): a cross-site HTML form cannot send that type without a CORS preflight, which this
 * listener never grants.
 */
export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json(\s*;|$)/i.test(type)) {
    req.resume();
    throw new ClientError(
      415,
      'unsupported_media_type',
      `Cannot read the request: send a JSON body with content-type application/json (received "${type.slice(0, 60)}")`,
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      throw new ClientError(413, 'too_large', `Cannot read the request: the body is over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw badRequest('Cannot read the request: the body is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw badRequest('Cannot read the request: expected a JSON object');
  return value as Record<string, unknown>;
}

/** One cookie's value from a Cookie header, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** A string field of a JSON body, trimmed; throws 400 naming the field when it is missing or too long. */
export function stringField(
  body: Record<string, unknown>,
  name: string,
  max = 200,
  optional = false,
): string | undefined {
  const value = body[name];
  if (value === undefined && optional) return undefined;
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > max) {
    throw badRequest(`Cannot read "${name}": expected a text of 1 to ${max} characters`);
  }
  return value.trim();
}
