/**
 * Where a solved challenge sends the browser. Only a same-origin path is ever used, so the
 * challenge can never become an open redirect; anything else falls back to a path the caller
 * knows is safe (the flow's page, or "/").
 */

/** Longest returnTo kept; it rides inside the challenge token, which the browser hashes per attempt. */
export const MAX_RETURN_TO_LENGTH = 1024;

/**
 * `candidate` when it is an origin-relative path ("/account?tab=2"), `fallback` otherwise.
 * Rejected: absolute URLs, scheme-relative "//host", "/\host" (browsers read a backslash as a
 * slash), control characters and whitespace (header injection, and browsers strip tabs and
 * newlines from URLs before parsing them), non-ASCII (a Location header cannot carry it; browsers
 * send paths percent-encoded anyway), and anything longer than MAX_RETURN_TO_LENGTH.
 */
export function safeReturnTo(candidate: string | null | undefined, fallback = '/'): string {
  if (typeof candidate !== 'string' || candidate.length === 0 || candidate.length > MAX_RETURN_TO_LENGTH)
    return fallback;
  if (candidate.charCodeAt(0) !== 47 /* / */) return fallback;
  const second = candidate.charCodeAt(1);
  if (second === 47 /* / */ || second === 92 /* \ */) return fallback;
  for (let i = 0; i < candidate.length; i++) {
    const c = candidate.charCodeAt(i);
    if (c <= 32 || c >= 127 || c === 92) return fallback;
  }
  return candidate;
}

/**
 * Where to send a browser whose form POST was challenged: the page the form was on, when the
 * Referer names this same host, else `fallback` (the flow's page). The form's contents are
 * not carried over (a password must never be written into a page), so the user submits again.
 */
export function formReturnTo(referer: string | undefined, host: string | undefined, fallback: string): string {
  const safeFallback = safeReturnTo(fallback);
  if (referer === undefined || host === undefined) return safeFallback;
  let url: URL;
  try {
    url = new URL(referer);
  } catch {
    return safeFallback;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.host !== host.toLowerCase()) return safeFallback;
  return safeReturnTo(url.pathname + url.search, safeFallback);
}
