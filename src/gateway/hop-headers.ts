/**
 * Header hygiene between client, botgate and upstream (RFC 9110 §7.6.1): hop-by-hop headers
 * and any header the Connection header names are not forwarded; headers botgate uses to talk
 * to the upstream (`x-botgate-*`) are dropped from the client's request so a client cannot forge
 * a decision; `Expect` is answered by botgate itself.
 */
const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
]);

/** Headers botgate sets itself on the way upstream; a client's copies are dropped. */
const SET_BY_GATEWAY: ReadonlySet<string> = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host']);

const TAG_PREFIX = 'x-botgate-';

/**
 * Why the request head must be refused (400) before anything reads it, or null. Node's parser
 * lets each of these through (Node 20 and 24 alike); each lets an upstream read the request
 * otherwise than botgate:
 * - no Host on HTTP/1.1 (checked here rather than by Node's `requireHostHeader`, so that the
 *   answer carries a reference id and the refusal is an event like the others);
 * - more than one Host: Node keeps the first in `req.headers`, other servers the last, so flow
 *   matching by host and the application's virtual host could disagree;
 * - a malformed Host (empty, `a/b`, `a@b`, spaces, escapes): not a host name any upstream agrees on;
 * - an underscore in a header name: CGI, PHP, WSGI and Rack turn `-` and `_` both into `_`, so
 *   `X_Forwarded_For` or `X_Botgate_Decision` would collide with the headers botgate sets, and
 *   nginx drops such headers by default; no browser sends one;
 * - a Connection header naming a header botgate decides on (`Connection: host`,
 *   `content-type`…): as a hop-by-hop list it would make botgate drop that header on the way
 *   upstream, so the application would see another Host (the upstream's own) or another body
 *   type than the one judged.
 * One pass over the raw header list; only Host and Connection lines cost an allocation.
 */
export function headerProblem(rawHeaders: readonly string[], httpVersion: string): string | null {
  let hosts = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.indexOf('_') >= 0) return `a header name with an underscore ("${name.slice(0, 64)}")`;
    if (name.length === 4 && name.toLowerCase() === 'host') {
      if (++hosts > 1) return 'more than one Host header';
      if (!isHost(rawHeaders[i + 1]!)) return 'a malformed Host header';
    } else if (name.length === 10 && name.toLowerCase() === 'connection') {
      for (const token of connectionTokens(rawHeaders[i + 1]!)) {
        if (END_TO_END.has(token)) return `a Connection header naming ${token}`;
      }
    }
  }
  if (hosts === 0 && httpVersion === '1.1') return 'no Host header';
  return null;
}

/** Headers a client may not turn into hop-by-hop ones: botgate's decision depends on them. */
const END_TO_END: ReadonlySet<string> = new Set([
  'host',
  'content-length',
  'content-type',
  'content-encoding',
  'cookie',
  'authorization',
]);

/** `reg-name [":" port]` or `"[" IPv6 "]" [":" port]` (RFC 9110 §7.2), without percent-escapes. */
const HOST = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{0,5})?$/;

function isHost(value: string): boolean {
  return value.length <= 255 && HOST.test(value);
}

/**
 * Client request headers to send upstream, as a flat [name, value, …] list keeping the client's
 * order and casing. `host` is kept or dropped per `preserveHost` (undici sets the upstream's).
 */
export function forwardRequestHeaders(
  rawHeaders: readonly string[],
  connection: string | undefined,
  preserveHost: boolean,
): string[] {
  const named = connection ? connectionTokens(connection) : null;
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || SET_BY_GATEWAY.has(lower) || lower.startsWith(TAG_PREFIX)) continue;
    if (lower === 'host' && !preserveHost) continue;
    if (named?.has(lower)) continue;
    out.push(name, rawHeaders[i + 1]!);
  }
  return out;
}

/** Upstream response headers to send to the client, without hop-by-hop ones. */
export function forwardResponseHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | string[]> {
  const connection = headers.connection;
  const named = typeof connection === 'string' ? connectionTokens(connection) : null;
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || HOP_BY_HOP.has(name) || named?.has(name)) continue;
    out[name] = value;
  }
  return out;
}

function connectionTokens(value: string): Set<string> {
  const set = new Set<string>();
  for (const token of value.split(',')) {
    const t = token.trim().toLowerCase();
    if (t) set.add(t);
  }
  return set;
}
