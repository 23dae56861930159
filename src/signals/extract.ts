/**
 * Every request-head signal in one call: what the gateway runs on each request before any
 * detector. Built once per policy (the trusted-proxy set is compiled here), then pure and
 * synchronous; the only state is the User-Agent cache.
 */
import { createClientIpResolver, createTrustedProxyCheck } from './client-ip.js';
import { headerFingerprint } from './fingerprint.js';
import { networkPrefix } from './network-prefix.js';
import type { RequestSignals } from './request-signals.js';
import { type HeaderBag, uaInconsistency } from './ua-consistency.js';
import { classifyUserAgent } from './user-agent.js';

/** The request head as the gateway reads it from node:http. */
export interface RequestHead {
  /** The TCP peer address (`req.socket.remoteAddress`). */
  readonly peer: string;
  readonly method: string;
  readonly rawHeaders: readonly string[];
  readonly headers: HeaderBag;
  /** TLS on this connection. */
  readonly secure: boolean;
}

export interface SignalExtractorOptions {
  /** CIDRs or addresses whose X-Forwarded-For and X-Forwarded-Proto are believed; validated beforehand. */
  readonly trustedProxies: readonly string[];
}

export type SignalExtractor = (head: RequestHead) => RequestSignals;

export function createSignalExtractor(options: SignalExtractorOptions): SignalExtractor {
  const resolveClientIp = createClientIpResolver(options.trustedProxies);
  const isTrustedProxy = createTrustedProxyCheck(options.trustedProxies);

  /**
   * Whether the browser sees a secure context, where it sends fetch metadata and client hints:
   * TLS here; or HTTPS at a trusted proxy, by the left-most X-Forwarded-Proto (the scheme the
   * first proxy saw; a client lying here only makes the consistency checks stricter on itself);
   * or a localhost origin, which browsers treat as secure over plain HTTP.
   */
  const secureContext = (head: RequestHead): boolean =>
    head.secure ||
    isLocalhost(first(head.headers.host)) ||
    (firstListItem(head.headers['x-forwarded-proto']) === 'https' && isTrustedProxy(head.peer));

  return (head) => {
    const headers = head.headers;
    const ip = resolveClientIp(head.peer, joined(headers['x-forwarded-for']));
    const userAgent = classifyUserAgent(first(headers['user-agent']));
    const acceptsHtml =
      (head.method === 'GET' || head.method === 'HEAD') && (joined(headers.accept)?.includes('text/html') ?? false);
    const inconsistency =
      userAgent.class === 'browser'
        ? uaInconsistency(userAgent, headers, { secure: secureContext(head), navigation: acceptsHtml })
        : null;
    return {
      ip,
      prefix: networkPrefix(ip),
      fingerprint: headerFingerprint(head.rawHeaders),
      userAgent,
      uaInconsistency: inconsistency,
      acceptsHtml,
    };
  };
}

function first(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' || value === undefined ? value : value[0];
}

function joined(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' || value === undefined ? value : value.join(',');
}

/** `https, http` → `https`; lower-cased. */
function firstListItem(value: string | string[] | undefined): string | undefined {
  const text = first(value);
  if (text === undefined) return undefined;
  const comma = text.indexOf(',');
  return (comma < 0 ? text : text.slice(0, comma)).trim().toLowerCase();
}

/** `localhost`, `app.localhost`, `127.0.0.1`, `[::1]`, with or without a port. */
function isLocalhost(host: string | undefined): boolean {
  if (host === undefined) return false;
  let name: string;
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    name = close < 0 ? host : host.slice(0, close + 1);
  } else {
    const colon = host.lastIndexOf(':');
    name = colon < 0 ? host : host.slice(0, colon);
  }
  name = name.toLowerCase();
  return name === 'localhost' || name.endsWith('.localhost') || name === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(name);
}
