/**
 * The client key a challenge and its clearance are bound to (the `fingerprint` of `Binding`).
 *
 * It must be the same on every request one browser makes while the clearance lives, or a solved
 * challenge is useless: the page load, the form post that redeems the challenge, the GET that
 * follows the 303, and the page's own fetch() calls. The header-order fingerprint
 * (signals/fingerprint.ts) is not: measured in Chromium, the GET that follows a 303 sends
 * `sec-ch-ua` after `Sec-Fetch-Dest` instead of before `User-Agent`, and fetch() sends another
 * Accept, so each gets another fingerprint, and a clearance bound to it would be refused on the
 * very next request (test/actions/challenge/challenge-page.chromium.test.ts walks that path).
 *
 * So the binding uses the values a browser sends identically on all of them: User-Agent,
 * Accept-Language, and the client hints naming platform and form factor. It is not a secret and
 * not meant to tell stacks apart (detection does that); it stops a clearance from being carried
 * to a client that presents differently. Together with the network prefix, a farm that wants
 * to share one clearance must share one /24 (or /48) and one browser identity, and detectors
 * still count it as one client.
 *
 * Hash: two 32-bit FNV-1a-style lanes (FNV's and murmur's multipliers) over the values, shown as
 * 16 hex characters; no BigInt, and nothing allocated but the result for single-valued headers.
 * bench/challenge.ts prints its cost.
 */

/** The client a challenge or clearance is bound to; both must match the request that presents it. */
export interface Binding {
  /** Network prefix (/24 for IPv4, /48 for IPv6), as signals/network-prefix.ts writes it. */
  readonly prefix: string;
  /** `clientBinding(headers)`: the same on every request of one browser. */
  readonly fingerprint: string;
}

/** Header values as Node's IncomingMessage.headers holds them. */
export type HeaderValues = Readonly<Record<string, string | readonly string[] | undefined>>;

const BOUND_HEADERS = ['user-agent', 'accept-language', 'sec-ch-ua-platform', 'sec-ch-ua-mobile'] as const;

export function clientBinding(headers: HeaderValues): string {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (const name of BOUND_HEADERS) {
    const raw = headers[name];
    const value = raw === undefined ? '' : typeof raw === 'string' ? raw : raw.join(', ');
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
    }
    // A separator no header value can contain, so ("ab", "") and ("a", "b") differ.
    a = Math.imul(a ^ 0x0a, 0x01000193);
    b = Math.imul(b ^ 0x0a, 0x5bd1e995);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}
