/**
 * Logging in to the console: `POST /api/session` with `{ token, name }` exchanges the admin token
 * for a session cookie (HttpOnly, SameSite=Strict) and a CSRF token; `GET /api/session` says who
 * is logged in (and hands the page its CSRF token again after a reload); `DELETE /api/session`
 * logs out. Failed logins are throttled per client address: 10 within 5 minutes, then 429 until
 * the window passes, so the token cannot be guessed at line speed even on a reachable listener.
 */
import type { Clock } from '../state/clock.js';
import { ClientError, json, readJsonObject, stringField } from './http.js';
import type { AdminContext, Route } from './server.js';
import { clearedSessionCookie, sessionCookie } from './sessions.js';

const MAX_FAILURES = 10;
const FAILURE_WINDOW_MS = 5 * 60_000;
const MAX_TRACKED = 10_000;

export function sessionRoutes(admin: AdminContext): Route[] {
  const throttle = new LoginThrottle(admin.clock);
  return [
    {
      method: 'GET',
      path: '/api/session',
      access: 'read',
      handle: ({ res, caller }) => {
        if (caller.kind !== 'session')
          return json(res, 200, { operator: 'admin token', csrfToken: null, expiresAt: null });
        const { operator, csrfToken, expiresAt } = caller.session;
        json(res, 200, { operator, csrfToken, expiresAt });
      },
    },
    {
      method: 'POST',
      path: '/api/session',
      access: 'login',
      handle: async ({ req, res }) => {
        const peer = req.socket.remoteAddress ?? '';
        if (throttle.blocked(peer)) {
          throw new ClientError(
            429,
            'too_many_attempts',
            'Cannot log in: too many wrong tokens from this address; wait 5 minutes.',
          );
        }
        const body = await readJsonObject(req);
        const token = stringField(body, 'token', 1_000) as string;
        const operator = stringField(body, 'name', 80) as string;
        if (!admin.tokenMatches(token)) {
          throttle.failed(peer);
          throw new ClientError(
            401,
            'unauthorized',
            'Cannot log in: that is not the admin token (admin.token or BOTGATE_ADMIN_TOKEN).',
          );
        }
        const { id, session } = admin.sessions.create(operator.replace(/\p{Cc}/gu, ' '));
        const secure = (req.socket as { encrypted?: boolean }).encrypted === true;
        json(
          res,
          200,
          { operator: session.operator, csrfToken: session.csrfToken, expiresAt: session.expiresAt },
          { 'set-cookie': sessionCookie(id, Math.floor(admin.sessions.ttlMs / 1000), secure) },
        );
      },
    },
    {
      method: 'DELETE',
      path: '/api/session',
      access: 'change',
      handle: ({ res, caller }) => {
        if (caller.kind === 'session') admin.sessions.destroy(caller.id);
        res.writeHead(204, { 'set-cookie': clearedSessionCookie(), 'cache-control': 'no-store' });
        res.end();
      },
    },
  ];
}

/** Failed logins per address within a fixed window; bounded, forgetting everything past the bound. */
class LoginThrottle {
  private readonly failures = new Map<string, { count: number; until: number }>();

  constructor(private readonly clock: Clock) {}

  blocked(peer: string): boolean {
    const entry = this.failures.get(peer);
    if (entry === undefined) return false;
    if (entry.until <= this.clock.now()) {
      this.failures.delete(peer);
      return false;
    }
    return entry.count >= MAX_FAILURES;
  }

  failed(peer: string): void {
    const now = this.clock.now();
    const entry = this.failures.get(peer);
    if (entry === undefined || entry.until <= now) {
      if (this.failures.size >= MAX_TRACKED) this.failures.clear();
      this.failures.set(peer, { count: 1, until: now + FAILURE_WINDOW_MS });
    } else {
      entry.count++;
    }
  }
}
