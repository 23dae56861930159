/**
 * Writing the marketplace's answers. Pages and API answers are never cached (they depend on the
 * session and on state that changes); pages carry a strict content security policy, which the
 * demo meets by loading its only script and stylesheet from /static/. Every answer has a
 * Content-Length, so keep-alive connections never need chunked framing.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

const HTML_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'self'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
} as const;

const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
} as const;

export function sendHtml(
  res: ServerResponse,
  status: number,
  html: string | Buffer,
  headers?: OutgoingHttpHeaders,
): void {
  res.writeHead(status, { ...HTML_HEADERS, 'content-length': Buffer.byteLength(html), ...headers });
  res.end(html);
}

/** Sends `value` as JSON. */
export function sendJson(res: ServerResponse, status: number, value: unknown, headers?: OutgoingHttpHeaders): void {
  sendJsonText(res, status, JSON.stringify(value), headers);
}

/** Sends JSON text already built (the hot routes build theirs once). */
export function sendJsonText(
  res: ServerResponse,
  status: number,
  json: string | Buffer,
  headers?: OutgoingHttpHeaders,
): void {
  res.writeHead(status, { ...JSON_HEADERS, 'content-length': Buffer.byteLength(json), ...headers });
  res.end(json);
}

/** Headers for a JSON body that never changes, so its route writes them without building any. */
export function fixedJsonHeaders(json: Buffer): OutgoingHttpHeaders {
  return Object.freeze({ ...JSON_HEADERS, 'content-length': json.length });
}

export function sendError(res: ServerResponse, status: number, message: string, headers?: OutgoingHttpHeaders): void {
  sendJson(res, status, { error: message }, headers);
}

export function redirect(res: ServerResponse, location: string, headers?: OutgoingHttpHeaders): void {
  res.writeHead(302, { location, 'cache-control': 'no-store', 'content-length': 0, ...headers });
  res.end();
}
