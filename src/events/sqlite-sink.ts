/**
 * Events in a local SQLite file: the embedded default, readable back by the admin API and by
 * `botgate report`. The fields people search by (time, ip, username hash, flow, action…) are
 * columns with indexes; everything else (findings, latencies, user agent) is one JSON column, so
 * a new event field needs no migration.
 *
 * better-sqlite3 is synchronous. That is acceptable here because the recorder calls `write` from
 * its timer, never from request handling, and one batch of ~1 000 rows in one transaction takes a
 * few milliseconds in WAL mode with `synchronous = NORMAL`. The trade-off of NORMAL: a power loss
 * may lose the last transactions, never corrupt the file; a process crash loses nothing written.
 * The busy timeout is short so a file locked by another writer fails the batch (the recorder
 * retries it) instead of stalling the event loop for seconds.
 *
 * The table grows without bound; pruning old rows is left to the operator (or a later migration
 * adding retention).
 */
import Database from 'better-sqlite3';
import type { DecisionEvent } from './event.js';
import type { EventQuery, EventSink } from './sink.js';

/** Schema steps, applied in order; `PRAGMA user_version` records how many have run. Append only. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE events (
     id            TEXT PRIMARY KEY,
     time          INTEGER NOT NULL,
     flow          TEXT NOT NULL,
     flow_kind     TEXT NOT NULL,
     action        TEXT NOT NULL,
     enforced      INTEGER NOT NULL,
     decided_by    TEXT NOT NULL,
     ip            TEXT NOT NULL,
     prefix        TEXT NOT NULL,
     fingerprint   TEXT NOT NULL,
     username_hash TEXT,
     status        INTEGER NOT NULL,
     score         REAL NOT NULL,
     details       TEXT NOT NULL
   );
   CREATE INDEX events_time ON events (time);
   CREATE INDEX events_ip ON events (ip, time);
   CREATE INDEX events_username_hash ON events (username_hash, time) WHERE username_hash IS NOT NULL;`,
];

export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;

const BUSY_TIMEOUT_MS = 100;

interface EventRow {
  id: string;
  time: number;
  flow: string;
  flow_kind: DecisionEvent['flowKind'];
  action: DecisionEvent['action'];
  enforced: number;
  decided_by: string;
  ip: string;
  prefix: string;
  fingerprint: string;
  username_hash: string | null;
  status: number;
  score: number;
  details: string;
}

type EventDetails = Omit<
  DecisionEvent,
  | 'id'
  | 'time'
  | 'flow'
  | 'flowKind'
  | 'action'
  | 'enforced'
  | 'decidedBy'
  | 'ip'
  | 'prefix'
  | 'fingerprint'
  | 'usernameHash'
  | 'status'
  | 'score'
>;

export class SqliteEventSink implements EventSink, EventQuery {
  readonly name = 'sqlite';
  readonly path: string;
  private readonly db: Database.Database;
  private readonly insertBatch: (batch: readonly DecisionEvent[]) => void;
  private readonly selectById: Database.Statement<[string], EventRow>;
  private readonly selectRecent: Database.Statement<[number], EventRow>;

  /** Opens or creates the file and brings its schema up to date; throws one clear error if it cannot. */
  constructor(path: string) {
    this.path = path;
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      migrate(db);
    } catch (error) {
      db?.close();
      const why = error instanceof Error ? error.message : String(error);
      throw new Error(`Cannot open the SQLite event file: ${why} (received "${path}")`, { cause: error });
    }
    this.db = db;
    // A batch retried after an ambiguous failure must not fail on rows already stored; only the
    // id conflict is ignored (OR IGNORE would also skip rows breaking NOT NULL, silently).
    const insert = db.prepare<[unknown[]], unknown>(
      `INSERT INTO events
         (id, time, flow, flow_kind, action, enforced, decided_by, ip, prefix, fingerprint, username_hash, status, score, details)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO NOTHING`,
    );
    this.insertBatch = db.transaction((batch: readonly DecisionEvent[]) => {
      for (const event of batch) insert.run(toRow(event));
    });
    this.selectById = db.prepare<[string], EventRow>('SELECT * FROM events WHERE id = ?');
    this.selectRecent = db.prepare<[number], EventRow>('SELECT * FROM events ORDER BY time DESC, rowid DESC LIMIT ?');
  }

  /** The whole batch in one transaction: all rows are stored or none. */
  async write(batch: readonly DecisionEvent[]): Promise<void> {
    this.insertBatch(batch);
  }

  async get(id: string): Promise<DecisionEvent | undefined> {
    const row = this.selectById.get(id);
    return row === undefined ? undefined : fromRow(row);
  }

  async recent(limit: number): Promise<DecisionEvent[]> {
    return this.selectRecent.all(Math.max(0, Math.floor(limit))).map(fromRow);
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    this.db.pragma('optimize');
    this.db.close();
  }
}

function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new Error(
      `it was written by a newer botgate (schema ${version}, this version knows ${MIGRATIONS.length}); upgrade botgate or point events.sqlite at another file`,
    );
  }
  for (let step = version; step < MIGRATIONS.length; step++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[step] as string);
      db.pragma(`user_version = ${step + 1}`);
    }).immediate();
  }
}

// The positional order matches the INSERT's column list.
function toRow(event: DecisionEvent): unknown[] {
  const {
    id,
    time,
    flow,
    flowKind,
    action,
    enforced,
    decidedBy,
    ip,
    prefix,
    fingerprint,
    usernameHash,
    status,
    score,
    ...details
  } = event;
  return [
    id,
    time,
    flow,
    flowKind,
    action,
    enforced ? 1 : 0,
    decidedBy,
    ip,
    prefix,
    fingerprint,
    usernameHash,
    status,
    score,
    JSON.stringify(details satisfies EventDetails),
  ];
}

function fromRow(row: EventRow): DecisionEvent {
  const details = JSON.parse(row.details) as EventDetails;
  return {
    ...details,
    id: row.id,
    time: row.time,
    flow: row.flow,
    flowKind: row.flow_kind,
    action: row.action,
    enforced: row.enforced === 1,
    decidedBy: row.decided_by,
    ip: row.ip,
    prefix: row.prefix,
    fingerprint: row.fingerprint,
    usernameHash: row.username_hash,
    status: row.status,
    score: row.score,
  };
}
