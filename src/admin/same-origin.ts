/**
 * Whether a state-changing request comes from the console's own pages, by the headers browsers
 * set and pages cannot forge: `Sec-Fetch-Site` must be `same-origin` when present, and `Origin`
 * must name this listener when present. A request without either (curl, a script) is not a
 * browser on another site; it still needs the session's CSRF token, which only the console's
 * pages can read. Both layers, because either alone has had gaps in some browser.
 */
import type { IncomingMessage } from 'node:http';

export function isSameOrigin(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return false;
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  const host = req.headers.host;
  if (host === undefined) return false;
  return origin === `http://${host}` || origin === `https://${host}`;
}
