/**
 * The SQLite event file itself, synchronous (better-sqlite3): schema and migrations, batch writes,
 * searches and the report's aggregates. The gateway never calls it on its own thread: the
 * SqliteEventSink (sqlite-sink.ts) runs it in a worker thread, so neither a write nor a report
 * query ever holds up requests. Benchmarks and bulk imports use it directly.
 *
 * The fields people search by (time, ip, username hash, flow, action…) are columns with indexes;
 * everything else (findings, latencies, user agent) is one JSON column, so a new event field
 * needs no migration. WAL with `synchronous = NORMAL`: a power loss may lose the last
 * transactions, never corrupt the file; a process crash loses nothing written. The busy timeout
 * is short so a file locked by another writer fails the batch (the recorder retries it).
 *
 * Aggregates are GROUP BY queries, never events loaded into JavaScript, kept fast on millions of
 * rows (bench/report.ts) by: `threat` and `attack` (events/threat.ts) computed once per row;
 * reason codes in `event_reasons` (reason, time); decisions rolled up per minute in
 * `event_minutes` and per hour and source in `event_sources`, both maintained in the write's
 * transaction; and a partial index of the logins judged attacks.
 *
 * The table grows without bound; pruning old rows is left to the operator (or a later migration
 * adding retention).
 */
import Database from 'better-sqlite3';
import type { DecisionEvent } from './event.js';
import type {
  AccountCounts,
  DecisionCount,
  EventCriteria,
  SeriesPoint,
  SourceCount,
  SourceKey,
  TimeRange,
} from './sink.js';
import { classifyThreat, isStopAction, STOP_ACTIONS } from './threat.js';

type Migration = string | ((db: Database.Database) => void);

const STOPPED = `(${STOP_ACTIONS.map((a) => `'${a}'`).join(', ')})`;
const TRANSITIONS = "('attack-mode.started', 'attack-mode.ended')";
const MINUTE_MS = 60_000;
/**
 * event_sources keeps one row per source and hour, rather than per minute, by measurement
 * (bench/report.ts on 300 000 events over a week, medians of 4 interleaved runs, 2 cores shared
 * with other work): per minute, a console range of 1 h that does not start on a whole hour
 * (`since=1h`) took 1.2 ms instead of 1.6 ms (per hour it reads the range's rows, as the former
 * plan did: 1.4 ms), but a week by fingerprint took 116 ms instead of 5, a week by address 190
 * instead of 155, and the whole 7-day report 645 ms instead of 340.
 */
const SOURCE_ROLLUP_MS = 3_600_000;
/** Each source key, its column and its position in toRow; fixed names, never from input. */
const SOURCE_COLUMNS: readonly (readonly [SourceKey, string, number])[] = [
  ['ip', 'ip', 7],
  ['prefix', 'prefix', 8],
  ['fingerprint', 'fingerprint', 9],
  ['userAgent', 'ua_family', 15],
];

/** Schema steps, applied in order; `PRAGMA user_version` records how many have run. Append only. */
const MIGRATIONS: readonly Migration[] = [
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
  // 2: what the console and the report group and search by, taken out of the JSON.
  (db) => {
    db.exec(`
      ALTER TABLE events ADD COLUMN type TEXT NOT NULL DEFAULT 'decision';
      ALTER TABLE events ADD COLUMN ua_family TEXT NOT NULL DEFAULT '';
      ALTER TABLE events ADD COLUMN threat TEXT;
      ALTER TABLE events ADD COLUMN attack INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE event_reasons (
        reason   TEXT NOT NULL,
        time     INTEGER NOT NULL,
        event_id TEXT NOT NULL,
        PRIMARY KEY (reason, time, event_id)
      ) WITHOUT ROWID;`);
    // Rows written by schema 1 carry type, family and findings in `details` only.
    db.function('botgate_threat', { deterministic: true }, (details, kind) => verdictOf(details, kind).threat);
    db.function('botgate_attack', { deterministic: true }, (details, kind) =>
      verdictOf(details, kind).attack ? 1 : 0,
    );
    db.exec(`
      UPDATE events SET
        type = coalesce(json_extract(details, '$.type'), 'decision'),
        ua_family = coalesce(json_extract(details, '$.userAgentFamily'), ''),
        threat = botgate_threat(details, flow_kind),
        attack = botgate_attack(details, flow_kind);
      INSERT OR IGNORE INTO event_reasons (reason, time, event_id)
        SELECT json_extract(f.value, '$.reason'), e.time, e.id FROM events e, json_each(e.details, '$.findings') f
        WHERE json_extract(f.value, '$.reason') IS NOT NULL;
      CREATE INDEX events_transitions ON events (type, time) WHERE type <> 'decision';`);
  },
  // 3: what keeps the report fast on millions of rows (bench/report.ts): decision counts rolled
  // up per minute, covering indexes that walk one source key in order (a long range's top
  // sources group without sorting), and the attacked accounts' logins indexed on their own.
  `CREATE TABLE event_minutes (
     minute    INTEGER NOT NULL,
     type      TEXT NOT NULL,
     flow_kind TEXT NOT NULL,
     flow      TEXT NOT NULL,
     action    TEXT NOT NULL,
     enforced  INTEGER NOT NULL,
     attack    INTEGER NOT NULL,
     threat    TEXT NOT NULL,
     cleared   INTEGER NOT NULL,
     count     INTEGER NOT NULL,
     PRIMARY KEY (minute, type, flow_kind, flow, action, enforced, attack, threat, cleared)
   ) WITHOUT ROWID;
   INSERT INTO event_minutes
     SELECT (time / 60000) * 60000, type, flow_kind, flow, action, enforced, attack, coalesce(threat, ''),
            decided_by = 'clearance/valid', count(*)
     FROM events GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9;
   CREATE INDEX events_attack_logins ON events (time, username_hash, enforced, action)
     WHERE type = 'decision' AND flow_kind = 'login' AND attack = 1 AND username_hash IS NOT NULL;
   DROP INDEX events_ip;
   CREATE INDEX events_ip ON events (ip, time, type, action, attack);
   CREATE INDEX events_prefix ON events (prefix, time, type, action, attack);
   CREATE INDEX events_fingerprint ON events (fingerprint, time, type, action, attack);
   CREATE INDEX events_ua_family ON events (ua_family, time, type, action, attack);`,
  // 4: top sources rolled up per hour and source value (filled in here from the rows already
  // stored), in place of the four covering indexes that only top sources read: a long range reads
  // one row per source and hour instead of an index entry per event. The rollup is kept in hour
  // order, so a batch's upserts land on each key's last pages. Searches by address, network and
  // fingerprint keep narrow (value, time) indexes; nothing searches by family. Keyed by random-
  // looking values, those still dirty about one page an event each, as the covering ones did, so
  // the live write costs about what it did (bench/report.ts's "live ingest" line).
  `CREATE TABLE event_sources (
     key       TEXT NOT NULL,
     hour      INTEGER NOT NULL,
     value     TEXT NOT NULL,
     requests  INTEGER NOT NULL,
     stopped   INTEGER NOT NULL,
     attacks   INTEGER NOT NULL,
     last_seen INTEGER NOT NULL,
     PRIMARY KEY (key, hour, value)
   ) WITHOUT ROWID;
   ${SOURCE_COLUMNS.map(
     ([key, column]) =>
       `INSERT INTO event_sources
          SELECT '${key}', (time / ${SOURCE_ROLLUP_MS}) * ${SOURCE_ROLLUP_MS}, ${column}, count(*), sum(action IN ${STOPPED}),
                 sum(attack), max(time)
          FROM events WHERE type = 'decision' AND ${column} <> '' GROUP BY 2, 3;`,
   ).join('\n')}
   DROP INDEX events_ip;
   DROP INDEX events_prefix;
   DROP INDEX events_fingerprint;
   DROP INDEX events_ua_family;
   CREATE INDEX events_ip ON events (ip, time);
   CREATE INDEX events_prefix ON events (prefix, time);
   CREATE INDEX events_fingerprint ON events (fingerprint, time);`,
];

function verdictOf(details: unknown, kind: unknown) {
  const parsed = JSON.parse(String(details)) as { findings?: { reason: string }[] };
  return classifyThreat(parsed.findings ?? [], kind as DecisionEvent['flowKind']);
}

export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;

const BUSY_TIMEOUT_MS = 100;
const WAL_CHECKPOINT_PAGES = 10_000;
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

interface EventRow {
  id: string;
  type: DecisionEvent['type'];
  ua_family: string;
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
  | 'type'
  | 'userAgentFamily'
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

export class SqliteArchive {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly insertBatch: (batch: Iterable<DecisionEvent>) => number;
  private readonly selectById: Database.Statement<[string], EventRow>;
  private readonly selectRecent: Database.Statement<[number], EventRow>;
  private readonly countDecisions: Database.Statement<Record<string, number>, DecisionCountRow>;
  private readonly countAccounts: Database.Statement<Record<string, number>, AccountCounts>;
  private readonly seriesBy: Database.Statement<Record<string, number>, SeriesPoint>;
  private readonly sourcesBy: ReadonlyMap<string, Database.Statement<Record<string, number>, SourceCount>>;
  private readonly transitions: Database.Statement<Record<string, number>, EventRow>;
  private readonly searches = new Map<string, Database.Statement<unknown[], EventRow>>();

  /** Opens or creates the file and brings its schema up to date; throws one clear error if it cannot. */
  constructor(path: string) {
    this.path = path;
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      // A batch dirties about one leaf page an event in each index keyed by a random value (the
      // reference id, ip, prefix, fingerprint), so with SQLite's default (a checkpoint every 1 000
      // WAL pages) every batch of 1 000 events was followed by a checkpoint and its fsync.
      // Checkpointing every 10 000 pages (~40 MB of WAL) halved the live ingest cost at 200 000
      // rows (bench/report.ts's "live ingest" line); the file is cut back to 64 MB after each.
      db.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
      db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
      migrate(db);
    } catch (error) {
      db?.close();
      const why = error instanceof Error ? error.message : String(error);
      throw new Error(`Cannot open the SQLite event file: ${why} (received "${path}")`, { cause: error });
    }
    this.db = db;
    // A batch retried after an ambiguous failure must not fail on rows already stored; only the
    // id conflict is ignored (OR IGNORE would also skip rows breaking NOT NULL, silently).
    const insert = db.prepare<unknown[], unknown>(
      `INSERT INTO events
         (id, time, flow, flow_kind, action, enforced, decided_by, ip, prefix, fingerprint, username_hash, status, score, details,
          type, ua_family, threat, attack)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO NOTHING`,
    );
    const insertReason = db.prepare<[string, number, string], unknown>(
      'INSERT INTO event_reasons (reason, time, event_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    );
    const addMinute = db.prepare<unknown[], unknown>(
      `INSERT INTO event_minutes (minute, type, flow_kind, flow, action, enforced, attack, threat, cleared, count)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (minute, type, flow_kind, flow, action, enforced, attack, threat, cleared)
       DO UPDATE SET count = count + excluded.count`,
    );
    const addSource = db.prepare<unknown[], unknown>(
      `INSERT INTO event_sources (key, hour, value, requests, stopped, attacks, last_seen)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (key, hour, value) DO UPDATE SET
         requests = requests + excluded.requests, stopped = stopped + excluded.stopped,
         attacks = attacks + excluded.attacks, last_seen = max(last_seen, excluded.last_seen)`,
    );
    this.insertBatch = db.transaction((batch: Iterable<DecisionEvent>) => {
      let count = 0;
      const minutes = new Map<string, unknown[]>();
      const sources = new Map<string, unknown[]>();
      for (const event of batch) {
        const row = toRow(event);
        // Only rows actually inserted are rolled up, so a retried batch counts nothing twice.
        if (insert.run(row).changes === 1) {
          for (const finding of event.findings) insertReason.run(finding.reason, event.time, event.id);
          rollUp(minutes, row);
          if (event.type === 'decision') rollUpSources(sources, row);
        }
        count++;
      }
      for (const group of minutes.values()) addMinute.run(group);
      for (const group of sources.values()) addSource.run(group);
      return count;
    });
    this.selectById = db.prepare<[string], EventRow>('SELECT * FROM events WHERE id = ?');
    this.selectRecent = db.prepare<[number], EventRow>('SELECT * FROM events ORDER BY time DESC, rowid DESC LIMIT ?');
    // Full minutes come from the rollup, the partial minutes at each end from the rows themselves,
    // so any range is exact (rangeEdges picks the split).
    this.countDecisions = db.prepare(
      `SELECT type, flow_kind, flow, action, enforced, attack, threat, cleared, sum(n) AS count FROM (
         SELECT type, flow_kind, flow, action, enforced, attack, nullif(threat, '') AS threat, cleared, count AS n
         FROM event_minutes WHERE minute >= $fullFrom AND minute < $fullTo
         UNION ALL
         SELECT type, flow_kind, flow, action, enforced, attack, threat, decided_by = 'clearance/valid', 1
         FROM events WHERE time >= $from AND time < $fullFrom
         UNION ALL
         SELECT type, flow_kind, flow, action, enforced, attack, threat, decided_by = 'clearance/valid', 1
         FROM events WHERE time >= $fullTo AND time < $to
       ) GROUP BY type, flow_kind, flow, action, enforced, attack, threat, cleared`,
    );
    this.countAccounts = db.prepare(
      `WITH attacked AS MATERIALIZED (
         SELECT username_hash AS account,
                max(enforced = 1 AND action IN ${STOPPED}) AS defended,
                max(enforced = 0 AND action IN ${STOPPED}) AS monitored
         FROM events INDEXED BY events_attack_logins
         WHERE time >= $from AND time < $to AND type = 'decision' AND flow_kind = 'login' AND attack = 1
           AND username_hash IS NOT NULL
         GROUP BY username_hash
       ), suspected AS MATERIALIZED (
         SELECT username_hash AS account, count(*) AS events FROM events
         WHERE type = 'ato.suspected' AND type <> 'decision' AND time >= $from AND time < $to AND username_hash IS NOT NULL
         GROUP BY username_hash
       )
       SELECT
         (SELECT count(*) FROM attacked) AS targeted,
         (SELECT count(*) FROM attacked WHERE defended) AS defended,
         (SELECT count(*) FROM attacked WHERE monitored) AS defendedInMonitor,
         (SELECT count(*) FROM suspected) AS takeoverSuspected,
         (SELECT count(*) FROM attacked WHERE defended AND account IN (SELECT account FROM suspected)) AS defendedButSuspected,
         (SELECT coalesce(sum(events), 0) FROM suspected) + (
           SELECT count(*) FROM events WHERE type = 'ato.suspected' AND type <> 'decision' AND time >= $from AND time < $to AND username_hash IS NULL
         ) AS takeoverEvents`,
    );
    this.seriesBy = db.prepare(
      `SELECT bucket, action, sum(n) AS count FROM (
         SELECT (minute / CAST($bucket AS INTEGER)) * CAST($bucket AS INTEGER) AS bucket, action, count AS n
         FROM event_minutes WHERE minute >= $fullFrom AND minute < $fullTo AND type = 'decision'
         UNION ALL
         SELECT (time / CAST($bucket AS INTEGER)) * CAST($bucket AS INTEGER), action, 1
         FROM events WHERE time >= $from AND time < $fullFrom AND type = 'decision'
         UNION ALL
         SELECT (time / CAST($bucket AS INTEGER)) * CAST($bucket AS INTEGER), action, 1
         FROM events WHERE time >= $fullTo AND time < $to AND type = 'decision'
       ) GROUP BY bucket, action ORDER BY bucket, action LIMIT ${MAX_SERIES_ROWS}`,
    );
    const sources = new Map<string, Database.Statement<Record<string, number>, SourceCount>>();
    for (const [key, column] of SOURCE_COLUMNS) {
      // Whole hours from the rollup, the partial hours at each end from the rows through the time
      // index (a range with no whole hour inside reads only rows), as decisionCounts does per minute.
      const rows = (from: string, to: string) =>
        `SELECT ${column}, 1, action IN ${STOPPED}, attack, time FROM events INDEXED BY events_time
         WHERE time >= ${from} AND time < ${to} AND type = 'decision' AND ${column} <> ''`;
      for (const order of ['requests', 'attacks'] as const) {
        sources.set(
          `${key}/${order}`,
          db.prepare(
            `SELECT value, sum(requests) AS requests, sum(stopped) AS stopped, sum(attacks) AS attacks,
                    max(last_seen) AS lastSeen
             FROM (
               SELECT value, requests, stopped, attacks, last_seen FROM event_sources
               WHERE key = '${key}' AND hour >= $fullFrom AND hour < $fullTo
               UNION ALL ${rows('$from', '$fullFrom')}
               UNION ALL ${rows('$fullTo', '$to')}
             )
             GROUP BY value
             ORDER BY ${order === 'requests' ? 'requests DESC, attacks DESC' : 'attacks DESC, requests DESC'}, value
             LIMIT $limit`,
          ),
        );
      }
    }
    this.sourcesBy = sources;
    this.transitions = db.prepare(
      `SELECT * FROM (
         SELECT * FROM events WHERE type IN ${TRANSITIONS} AND type <> 'decision' AND time >= $from AND time < $to
         UNION ALL
         SELECT e.* FROM events e
         JOIN (SELECT flow, max(time) AS time FROM events
               WHERE type IN ${TRANSITIONS} AND type <> 'decision' AND time < $from AND time >= $since GROUP BY flow) last
           ON e.flow = last.flow AND e.time = last.time AND e.type IN ${TRANSITIONS} AND e.type <> 'decision'
       ) ORDER BY time, type DESC`,
    );
  }

  /** The whole batch in one transaction: all rows are stored or none. */
  write(batch: readonly DecisionEvent[]): void {
    this.insertBatch(batch);
  }

  /**
   * Stores any number of events in ONE transaction, reading them one at a time (a generator need
   * not hold them all): for bulk loads such as bench/report.ts. Unbounded in time, so never on a
   * thread that serves requests. Returns how many were read.
   */
  importEvents(events: Iterable<DecisionEvent>): number {
    return this.insertBatch(events);
  }

  get(id: string): DecisionEvent | undefined {
    const row = this.selectById.get(id);
    return row === undefined ? undefined : fromRow(row);
  }

  recent(limit: number): DecisionEvent[] {
    return this.selectRecent.all(Math.max(0, Math.floor(limit))).map(fromRow);
  }

  search(criteria: EventCriteria): DecisionEvent[] {
    const { sql, params } = searchQuery(criteria);
    let statement = this.searches.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare<unknown[], EventRow>(sql);
      // One statement per combination of criteria: a few dozen at most.
      this.searches.set(sql, statement);
    }
    return statement.all(...params).map(fromRow);
  }

  decisionCounts(range: TimeRange): DecisionCount[] {
    return this.countDecisions.all(rangeEdges(range, MINUTE_MS)).map((row) => ({
      type: row.type,
      flowKind: row.flow_kind,
      flow: row.flow,
      action: row.action,
      enforced: row.enforced === 1,
      attack: row.attack === 1,
      threat: row.threat,
      cleared: row.cleared === 1,
      count: row.count,
    }));
  }

  accountCounts(range: TimeRange): AccountCounts {
    return this.countAccounts.get({ from: range.from, to: range.to }) as AccountCounts;
  }

  series(range: TimeRange, bucketMs: number): SeriesPoint[] {
    return this.seriesBy.all({ bucket: bucketMs, ...rangeEdges(range, bucketMs) });
  }

  topSources(
    range: TimeRange,
    key: SourceKey,
    limit: number,
    order: 'requests' | 'attacks' = 'requests',
  ): SourceCount[] {
    const statement = this.sourcesBy.get(`${key}/${order}`);
    if (statement === undefined) throw new RangeError(`Cannot rank sources: unknown key (received "${key}")`);
    return statement.all({ ...rangeEdges(range, SOURCE_ROLLUP_MS, SOURCE_ROLLUP_MS), limit });
  }

  attackModeTransitions(range: TimeRange): DecisionEvent[] {
    return this.transitions
      .all({ from: range.from, to: range.to, since: range.from - TRANSITION_LOOKBACK_MS })
      .map(fromRow);
  }

  close(): void {
    if (!this.db.open) return;
    this.db.pragma('optimize');
    this.db.close();
  }
}

interface DecisionCountRow {
  type: DecisionEvent['type'];
  flow_kind: DecisionEvent['flowKind'];
  flow: string;
  action: DecisionEvent['action'];
  enforced: number;
  attack: number;
  threat: string | null;
  cleared: number;
  count: number;
}

/**
 * The range split for a rollup kept per `rollupMs` (event_minutes per minute, event_sources per
 * hour): [from, fullFrom) and [fullTo, to) are read from the rows, [fullFrom, fullTo) from whole
 * units of the rollup. With no whole unit inside, or when the caller's buckets are not whole units
 * (`unit`), everything is read from the rows.
 */
export function rangeEdges(
  range: TimeRange,
  unit: number,
  rollupMs = MINUTE_MS,
): { from: number; to: number; fullFrom: number; fullTo: number } {
  const fullFrom = Math.ceil(range.from / rollupMs) * rollupMs;
  const fullTo = Math.floor(range.to / rollupMs) * rollupMs;
  if (unit % rollupMs !== 0 || fullFrom >= fullTo)
    return { from: range.from, to: range.to, fullFrom: range.to, fullTo: range.to };
  return { from: range.from, to: range.to, fullFrom, fullTo };
}

/** Adds one inserted row to its minute's group (positions as in toRow). */
function rollUp(minutes: Map<string, unknown[]>, row: unknown[]): void {
  const minute = Math.floor((row[1] as number) / MINUTE_MS) * MINUTE_MS;
  const threat = (row[16] as string | null) ?? '';
  const cleared = row[6] === 'clearance/valid' ? 1 : 0;
  // minute, type, flow_kind, flow, action, enforced, attack, threat, cleared
  const key = `${minute}\u0000${row[14]}\u0000${row[3]}\u0000${row[2]}\u0000${row[4]}\u0000${row[5]}\u0000${row[17]}\u0000${threat}\u0000${cleared}`;
  const group = minutes.get(key);
  if (group === undefined)
    minutes.set(key, [minute, row[14], row[3], row[2], row[4], row[5], row[17], threat, cleared, 1]);
  else group[9] = (group[9] as number) + 1;
}

/** Adds one inserted decision row to its hour's group for each source key it has a value for. */
function rollUpSources(sources: Map<string, unknown[]>, row: unknown[]): void {
  const time = row[1] as number;
  const hour = Math.floor(time / SOURCE_ROLLUP_MS) * SOURCE_ROLLUP_MS;
  const stopped = isStopAction(row[4] as string) ? 1 : 0;
  const attack = row[17] as number;
  for (const [key, , position] of SOURCE_COLUMNS) {
    const value = row[position] as string;
    if (value === '') continue;
    const id = `${key}\u0000${hour}\u0000${value}`;
    const group = sources.get(id);
    // key, hour, value, requests, stopped, attacks, last_seen
    if (group === undefined) sources.set(id, [key, hour, value, 1, stopped, attack, time]);
    else {
      group[3] = (group[3] as number) + 1;
      group[4] = (group[4] as number) + stopped;
      group[5] = (group[5] as number) + attack;
      group[6] = Math.max(group[6] as number, time);
    }
  }
}
/** How far back a flow's last attack-mode transition is looked for, to know its state at `from`. */
export const TRANSITION_LOOKBACK_MS = 30 * 86_400_000;
/** Bounds a series whatever bucket a caller asks for (the API also bounds bucket counts). */
const MAX_SERIES_ROWS = 20_000;

/** The SQL text depends only on which criteria are present, so statements can be cached by it. */
function searchQuery(c: EventCriteria): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (clause: string, value: unknown): void => {
    where.push(clause);
    params.push(value);
  };
  if (c.reason !== undefined) {
    // Found through the reason index, newest first; the other criteria filter its rows.
    add('r.reason = ?', c.reason);
    if (c.range) {
      add('r.time >= ?', c.range.from);
      add('r.time < ?', c.range.to);
    }
  } else if (c.range) {
    add('e.time >= ?', c.range.from);
    add('e.time < ?', c.range.to);
  }
  if (c.id !== undefined) add('e.id = ?', c.id);
  if (c.ip !== undefined) add('e.ip = ?', c.ip);
  if (c.prefix !== undefined) add('e.prefix = ?', c.prefix);
  if (c.fingerprint !== undefined) add('e.fingerprint = ?', c.fingerprint);
  if (c.usernameHash !== undefined) add('e.username_hash = ?', c.usernameHash);
  if (c.action !== undefined) add('e.action = ?', c.action);
  if (c.flow !== undefined) add('e.flow = ?', c.flow);
  if (c.type !== undefined) add('e.type = ?', c.type);
  const from = c.reason === undefined ? 'events e' : 'event_reasons r JOIN events e ON e.id = r.event_id';
  const order = c.reason === undefined ? 'e.time DESC, e.rowid DESC' : 'r.time DESC, e.rowid DESC';
  params.push(Math.max(0, Math.floor(c.limit)));
  const sql = `SELECT e.* FROM ${from}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ?`;
  return { sql, params };
}

/** Brings the file's schema to `to` migrations (all of them; tests build older files with fewer). */
export function migrate(db: Database.Database, to = MIGRATIONS.length): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    throw new Error(
      `it was written by a newer botgate (schema ${version}, this version knows ${MIGRATIONS.length}); upgrade botgate or point events.sqlite at another file`,
    );
  }
  for (let step = version; step < to; step++) {
    const migration = MIGRATIONS[step] as Migration;
    db.transaction(() => {
      if (typeof migration === 'string') db.exec(migration);
      else migration(db);
      db.pragma(`user_version = ${step + 1}`);
    }).immediate();
  }
}

// The positional order matches the INSERT's column list.
function toRow(event: DecisionEvent): unknown[] {
  const verdict = classifyThreat(event.findings, event.flowKind);
  const {
    id,
    type,
    userAgentFamily,
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
    type,
    userAgentFamily,
    verdict.threat,
    verdict.attack ? 1 : 0,
  ];
}

function fromRow(row: EventRow): DecisionEvent {
  const details = JSON.parse(row.details) as EventDetails;
  return {
    ...details,
    id: row.id,
    type: row.type,
    userAgentFamily: row.ua_family,
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
