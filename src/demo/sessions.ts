/**
 * Random ids that stand for a signed-in account: the session cookie of the pages and the bearer
 * token of the API each keep one `SessionBook`.
 *
 * An id is 24 random bytes (base64url), so it cannot be guessed. The book is bounded: past
 * `capacity` open sessions (default 100 000) the oldest is forgotten, so a simulator that signs in
 * millions of times cannot exhaust memory; the trade-off is that a very old session may end early.
 * Sessions do not otherwise expire: the demo lives for one test or one benchmark.
 */
import { randomBytes } from 'node:crypto';

export const DEFAULT_SESSION_CAPACITY = 100_000;

export class SessionBook {
  /** id → username, in opening order (a Map keeps insertion order, which makes eviction cheap). */
  private readonly open = new Map<string, string>();

  constructor(private readonly capacity: number = DEFAULT_SESSION_CAPACITY) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(`Cannot create a session book: capacity must be a whole number >= 1 (received ${capacity})`);
    }
  }

  /** Opens a session for `username` and returns its id. */
  start(username: string): string {
    if (this.open.size >= this.capacity) {
      const oldest = this.open.keys().next();
      if (!oldest.done) this.open.delete(oldest.value);
    }
    const id = randomBytes(24).toString('base64url');
    this.open.set(id, username);
    return id;
  }

  /** The username a session id stands for, or undefined when the id is unknown or forgotten. */
  find(id: string | undefined): string | undefined {
    return id === undefined ? undefined : this.open.get(id);
  }

  end(id: string | undefined): void {
    if (id !== undefined) this.open.delete(id);
  }

  get size(): number {
    return this.open.size;
  }
}
