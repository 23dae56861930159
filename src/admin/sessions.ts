/**
 * Console sessions: logging in with the admin token gives the browser a random session id in an
 * HttpOnly, SameSite=Strict cookie (script cannot read it, other sites cannot send it), and the
 * page a CSRF token it echoes in `x-csrf-token` on every change. The session remembers the name
 * the operator gave, which the audit trail records as "who".
 *
 * Sessions live in memory: a restart logs everyone out, and each node has its own (log in to the
 * node you talk to). At most `maxSessions` exist; past it the oldest is dropped. A session ends
 * `ttlMs` after login (default 8 hours, a working day), whatever the activity.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../state/clock.js';

export const SESSION_COOKIE = 'botgate_session';

export interface ConsoleSession {
  readonly operator: string;
  readonly csrfToken: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

export interface SessionOptions {
  readonly ttlMs?: number;
  readonly maxSessions?: number;
}

export class ConsoleSessions {
  /** Keyed by a hash of the id, so the map holds nothing a memory dump could replay directly. */
  private readonly sessions = new Map<string, ConsoleSession>();
  readonly ttlMs: number;
  private readonly maxSessions: number;

  constructor(
    private readonly clock: Clock,
    options: SessionOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 8 * 3_600_000;
    this.maxSessions = options.maxSessions ?? 1_000;
  }

  /** A new session for `operator`: its id (for the cookie) and the session. */
  create(operator: string): { id: string; session: ConsoleSession } {
    const id = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const session: ConsoleSession = {
      operator,
      csrfToken: randomBytes(24).toString('base64url'),
      createdAt: now,
      expiresAt: now + this.ttlMs,
    };
    if (this.sessions.size >= this.maxSessions) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    this.sessions.set(key(id), session);
    return { id, session };
  }

  get(id: string | undefined): ConsoleSession | undefined {
    if (id === undefined || id.length === 0 || id.length > 100) return undefined;
    const k = key(id);
    const session = this.sessions.get(k);
    if (session === undefined) return undefined;
    if (session.expiresAt <= this.clock.now()) {
      this.sessions.delete(k);
      return undefined;
    }
    return session;
  }

  destroy(id: string | undefined): void {
    if (id !== undefined) this.sessions.delete(key(id));
  }

  /** Constant-time comparison of the CSRF token a request echoed with its session's. */
  static csrfMatches(session: ConsoleSession, sent: string | string[] | undefined): boolean {
    if (typeof sent !== 'string') return false;
    const a = createHash('sha256').update(sent).digest();
    const b = createHash('sha256').update(session.csrfToken).digest();
    return timingSafeEqual(a, b);
  }
}

function key(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

/** The Set-Cookie value for a session id; `secure` when the admin listener is reached over TLS. */
export function sessionCookie(id: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
}
