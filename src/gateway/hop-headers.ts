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
 * Client request headers to send upstream, as a flat [name, value, …] list keeping the client's
 * order and casing. `host` is kept or dropped per `preserveHost` (undici sets the upstream's).
 */
export function forwardRequestHeaders(rawHeaders: readonly string[], connection: string | undefined, preserveHost: boolean): string[] {
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
export function forwardResponseHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
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
