/**
 * What reached the marketplace, for tests, benchmarks and the simulator's scoreboard: request
 * counts by route, the outcome of logins, signups and comments, and a log of received requests
 * with botgate's reference id (`x-botgate-id`), so a scoreboard can tell exactly which of its
 * requests got through the gateway.
 *
 * Contracts:
 * - A request is accounted when its answer has been written, with the status sent. The log is in
 *   that order, which is arrival order for requests answered at once; a login or signup waits for
 *   its password hash, so a faster request that arrived after it may come first. Sequence numbers
 *   start at 1 and have no gaps, so a reader that pages with `after` never misses an entry.
 * - The log keeps the latest `RECEIVED_LOG_CAP` entries (500 000); older ones are
 *   dropped, which a reader sees as a jump in `seq`. Header values are kept up to 256 characters,
 *   so a full log holds some 50 MB with typical values.
 * - `ato` is the request's `x-botgate-ato` header (botgate's account-takeover flag, for example
 *   `suspected`); an item carries it only when the request did, so most items have no `ato` key.
 * - Route keys are the route table's patterns (`POST /login`, `GET /api/listings/:id`) and
 *   `METHOD *` for unknown paths, so their number is bounded whatever the traffic.
 */

export const RECEIVED_LOG_CAP = 500_000;
/** Longest page of `received`, and the default. */
export const RECEIVED_PAGE_LIMIT = 10_000;
const HEADER_VALUE_LIMIT = 256;

/** How a route's answer counts in the stats; the status decides success. */
export type Outcome = 'form-login' | 'api-login' | 'signup' | 'comment';

export interface DemoStats {
  requests: number;
  byRoute: Record<string, number>;
  logins: { success: number; failure: number };
  signups: { created: number; rejected: number };
  comments: { created: number; rejected: number };
}

export interface ReceivedRequest {
  seq: number;
  /** The request's `x-botgate-id`, null when absent. */
  id: string | null;
  route: string;
  status: number;
  /** The request's `x-forwarded-for`, null when absent. */
  forwardedFor: string | null;
  /** The request's `x-botgate-ato`; absent when the request had none. */
  ato?: string;
}

export interface ReceivedPage {
  /** Pass as `after` to read on; equals `after` when nothing new arrived. */
  next: number;
  items: ReceivedRequest[];
}

export class Accounting {
  private readonly routeKeys: string[] = [];
  private readonly routeOutcomes: (Outcome | undefined)[] = [];
  private readonly slots = new Map<string, number>();
  private routeCounts: number[] = [];
  private counters = newCounters();

  // The log is a ring of columns rather than of objects: a fraction of the memory, no garbage.
  private readonly routeOf: Uint16Array;
  private readonly statusOf: Uint16Array;
  private readonly idOf: (string | null)[] = [];
  private readonly forwardedForOf: (string | null)[] = [];
  private readonly atoOf: (string | null)[] = [];
  /** Sequence number of the latest entry; entries `last - size + 1 .. last` are kept. */
  private last = 0;

  constructor(private readonly capacity: number = RECEIVED_LOG_CAP) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(
        `Cannot create the demo accounting: capacity must be a whole number >= 1 (received ${capacity})`,
      );
    }
    this.routeOf = new Uint16Array(capacity);
    this.statusOf = new Uint16Array(capacity);
  }

  /** The slot of a route key, registered on first use; `outcome` says how its answers count. */
  slot(key: string, outcome?: Outcome): number {
    const known = this.slots.get(key);
    if (known !== undefined) return known;
    const slot = this.routeKeys.length;
    this.routeKeys.push(key);
    this.routeOutcomes.push(outcome);
    this.routeCounts.push(0);
    this.slots.set(key, slot);
    return slot;
  }

  record(
    slot: number,
    status: number,
    id: string | undefined,
    forwardedFor: string | undefined,
    ato: string | undefined = undefined,
  ): void {
    this.counters.requests++;
    this.routeCounts[slot] = (this.routeCounts[slot] ?? 0) + 1;
    this.countOutcome(this.routeOutcomes[slot], status);

    const seq = ++this.last;
    const at = (seq - 1) % this.capacity;
    this.routeOf[at] = slot;
    this.statusOf[at] = status;
    this.idOf[at] = clip(id);
    this.forwardedForOf[at] = clip(forwardedFor);
    this.atoOf[at] = clip(ato);
  }

  stats(): DemoStats {
    const byRoute: Record<string, number> = {};
    this.routeKeys.forEach((key, slot) => {
      const count = this.routeCounts[slot] ?? 0;
      if (count > 0) byRoute[key] = count;
    });
    const { requests, logins, signups, comments } = this.counters;
    return { requests, byRoute, logins: { ...logins }, signups: { ...signups }, comments: { ...comments } };
  }

  /** Entries with `seq > after`, oldest first, at most `limit` (capped at `RECEIVED_PAGE_LIMIT`). */
  received(after: number, limit: number = RECEIVED_PAGE_LIMIT): ReceivedPage {
    const oldestKept = Math.max(1, this.last - this.capacity + 1);
    const from = Math.max(after + 1, oldestKept);
    const to = Math.min(this.last, from + Math.min(limit, RECEIVED_PAGE_LIMIT) - 1);
    const items: ReceivedRequest[] = [];
    for (let seq = from; seq <= to; seq++) {
      const at = (seq - 1) % this.capacity;
      const item: ReceivedRequest = {
        seq,
        id: this.idOf[at] ?? null,
        route: this.routeKeys[this.routeOf[at] as number] as string,
        status: this.statusOf[at] as number,
        forwardedFor: this.forwardedForOf[at] ?? null,
      };
      const ato = this.atoOf[at];
      if (ato != null) item.ato = ato;
      items.push(item);
    }
    // A reader whose `after` is past the end (the log was reset) is brought back to it.
    return { next: items.length > 0 ? to : Math.min(after, this.last), items };
  }

  /** Clears the counters and the log; sequence numbers start again at 1. Route keys stay. */
  reset(): void {
    this.counters = newCounters();
    this.routeCounts = this.routeCounts.map(() => 0);
    this.last = 0;
    this.idOf.length = 0;
    this.forwardedForOf.length = 0;
    this.atoOf.length = 0;
  }

  private countOutcome(outcome: Outcome | undefined, status: number): void {
    const { logins, signups, comments } = this.counters;
    switch (outcome) {
      case 'form-login':
        // The form answers a failure with the login page (200) and a success with a redirect.
        if (status === 302) logins.success++;
        else if (status === 200) logins.failure++;
        break;
      case 'api-login':
        if (status === 200) logins.success++;
        else if (status === 401) logins.failure++;
        break;
      case 'signup':
        if (status === 201) signups.created++;
        else if (status >= 400) signups.rejected++;
        break;
      case 'comment':
        if (status === 201) comments.created++;
        else if (status >= 400) comments.rejected++;
        break;
      case undefined:
        break;
    }
  }
}

function newCounters(): Omit<DemoStats, 'byRoute'> {
  return {
    requests: 0,
    logins: { success: 0, failure: 0 },
    signups: { created: 0, rejected: 0 },
    comments: { created: 0, rejected: 0 },
  };
}

function clip(value: string | undefined): string | null {
  if (value === undefined) return null;
  return value.length > HEADER_VALUE_LIMIT ? value.slice(0, HEADER_VALUE_LIMIT) : value;
}
