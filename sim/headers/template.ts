/**
 * Header sets as the wire carries them: an ordered list of (name, value) pairs with the exact
 * casing a client stack writes, where a value beginning with `$` is a slot filled per request
 * (the cookie jar's contents, the page the request came from) or per client (its User-Agent and
 * language). A slot with nothing to fill drops its header, as a browser omits `Cookie` when it
 * has none; every other header is sent exactly as written.
 *
 * Order and casing matter because botgate's fingerprint hashes them: a simulated Chrome must
 * write its head as Chrome does, or every "human" would carry a fingerprint no real browser has.
 */

/** What a request is, from the client stack's point of view; each stack writes each kind its own way. */
export type RequestKind =
  /** A top-level page load (typed address or followed link). */
  | 'navigate'
  /** The page load that follows a form's redirect (Chrome reorders it). */
  | 'navigate-after-post'
  | 'style'
  | 'script'
  | 'image'
  /** A form submitted by the browser (a navigation with a body). */
  | 'form'
  /** fetch() from a page script with a JSON body. */
  | 'fetch-json'
  /** fetch() from a page script asking for JSON. */
  | 'fetch-get-json'
  /** An HTTP library's or app's GET. */
  | 'get'
  /** An HTTP library's or app's form POST. */
  | 'post-form'
  /** An HTTP library's or app's JSON POST. */
  | 'post-json';

export type HeaderTemplate = readonly (readonly [name: string, value: string])[];

/** A client software stack: how it writes each kind of request it makes. */
export interface ClientStack {
  readonly name: string;
  readonly templates: Readonly<Partial<Record<RequestKind, HeaderTemplate>>>;
}

/** Per-client values: one person's browser, one install of an app, one tool's configuration. */
export interface ClientIdentity {
  readonly stack: ClientStack;
  readonly userAgent: string;
  readonly acceptLanguage?: string;
  /** Client hints (Chromium only): `sec-ch-ua`, `sec-ch-ua-mobile`, `sec-ch-ua-platform`. */
  readonly brands?: string;
  readonly mobile?: string;
  readonly platform?: string;
}

/** Per-request values. */
export interface RequestFacts {
  /** The Host header: the address the client connects to. */
  readonly host: string;
  /** `http://host`, for Origin. */
  readonly origin: string;
  readonly referer?: string | undefined;
  readonly cookie?: string | undefined;
  readonly contentLength?: number | undefined;
  readonly contentType?: string | undefined;
  /** `Sec-Fetch-Site`: `none` for a typed address, `same-origin` for a link or a page's request, `cross-site` from a search engine. */
  readonly site?: 'none' | 'same-origin' | 'cross-site' | undefined;
  readonly ifNoneMatch?: string | undefined;
  readonly authorization?: string | undefined;
}

export function renderHeaders(identity: ClientIdentity, kind: RequestKind, facts: RequestFacts): string[] {
  const template = identity.stack.templates[kind];
  if (template === undefined) {
    throw new Error(`Cannot build a ${kind} request: the ${identity.stack.name} stack never makes one`);
  }
  const out: string[] = [];
  for (const [name, value] of template) {
    const filled = value.charCodeAt(0) === 36 /* $ */ ? slot(value, identity, facts) : value;
    if (filled !== undefined) out.push(name, filled);
  }
  return out;
}

function slot(name: string, identity: ClientIdentity, facts: RequestFacts): string | undefined {
  switch (name) {
    case '$host':
      return facts.host;
    case '$origin':
      return facts.origin;
    case '$referer':
      return facts.referer;
    case '$cookie':
      return facts.cookie;
    case '$length':
      return facts.contentLength === undefined ? undefined : String(facts.contentLength);
    case '$contentType':
      return facts.contentType;
    case '$site':
      return facts.site ?? 'same-origin';
    case '$ifNoneMatch':
      return facts.ifNoneMatch;
    case '$auth':
      return facts.authorization;
    case '$ua':
      return identity.userAgent;
    case '$lang':
      return identity.acceptLanguage;
    case '$brands':
      return identity.brands;
    case '$mobile':
      return identity.mobile;
    case '$platform':
      return identity.platform;
    default:
      throw new Error(`Cannot fill header slot ${name}: no such slot (see sim/headers/template.ts)`);
  }
}
