/**
 * What the signal extractors know about one request. Pure data: built synchronously from the
 * request head (and, for flows with fields, the parsed body) with no I/O and no state.
 */

/** Who the User-Agent claims to be, in the categories detection cares about. */
export type UserAgentClass =
  /** A mainstream browser (Chrome, Firefox, Safari, Edge, their mobile forms). */
  | 'browser'
  /** A declared crawler or monitor (search engines, link previews, uptime checks). */
  | 'crawler'
  /** An HTTP library or attack tool (curl, python-requests, Go-http-client, Java, Hydra…). */
  | 'automation'
  /** A browser that says it runs headless or under a driver. */
  | 'headless'
  /** No User-Agent header, or an empty one. */
  | 'empty'
  /** Anything else. */
  | 'unknown';

/** The engine a browser User-Agent implies; what it must send follows the engine, not the brand (Chrome on iOS is WebKit). */
export type BrowserEngine = 'blink' | 'gecko' | 'webkit' | 'other';

export interface UserAgentInfo {
  readonly class: UserAgentClass;
  /**
   * Lower-case family from a fixed list (chrome, firefox, safari, edge, curl, python-requests,
   * hydra, googlebot…), `other` when unknown: bounded, so it may label a metric.
   */
  readonly family: string;
  readonly mobile: boolean;
  /** `other` unless class is `browser`. */
  readonly engine: BrowserEngine;
  /**
   * Major version the engine's behaviour follows: Chromium's for every Blink browser (Opera
   * and Samsung report their Chromium version), Firefox's, Safari's. 0 when unknown (webviews,
   * iOS browsers other than Safari, non-browsers), which makes version-gated checks lenient.
   */
  readonly engineVersion: number;
}

export interface RequestSignals {
  /** Client IP as botgate believes it: the peer, or the right-most untrusted X-Forwarded-For hop behind a trusted proxy. */
  readonly ip: string;
  /** The IP's network: /24 for IPv4, /48 for IPv6, in CIDR form. */
  readonly prefix: string;
  /** Short stable hash of the header names' order, casing and presence plus client-stack values. */
  readonly fingerprint: string;
  readonly userAgent: UserAgentInfo;
  /** Why the headers contradict the User-Agent (`missing sec-ch-ua`), or null when they agree. */
  readonly uaInconsistency: string | null;
  /** A navigation a browser makes: GET/HEAD accepting text/html. */
  readonly acceptsHtml: boolean;
}

/**
 * Body fields of a flow, normalised. Usernames are NFKC then case folded; passwords never
 * appear, only their keyed hash.
 */
export interface FlowFields {
  /** Normalised username or login e-mail, for keys; never written to events in clear. */
  readonly username?: string;
  /** HMAC of the normalised username under the node secret, for events and shared keys. */
  readonly usernameHash?: string;
  /** HMAC of the password under the node secret. */
  readonly passwordHash?: string;
  /** The password is in the breached-password filter (when one is configured). */
  readonly passwordBreached?: boolean;
  readonly email?: string;
  readonly text?: string;
  readonly identity?: string;
}
