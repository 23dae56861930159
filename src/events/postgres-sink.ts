/**
 * Events in Postgres: the sink for several gateway nodes, which all write to one database so the
 * console and `botgate report` see the whole deployment. Same contract as the SQLite sink (one
 * conformance suite runs against both), with the aggregates computed by Postgres.
 *
 * Writing: one batch is ONE statement, `INSERT … SELECT FROM json_to_recordset($1)`, the batch
 * sent as a single JSON array whatever its size. A multi-row VALUES list would need a parameter
 * per cell (the 65 535-parameter limit falls at ~3 400 rows); `unnest` of one array per column
 * works too but measured 1.5–2× slower here, the cost being pg's escaping of text arrays in
 * JavaScript, where JSON.stringify is native. A statement is atomic, so a rejected write stored
 * nothing, and `ON CONFLICT (id) DO NOTHING` makes a retried batch harmless.
 *
 * Failure: the pool never blocks a request. Writes come from the recorder's timer; a database that
 * is down fails the batch (retried with back-off, the backlog bounded and counted in metrics).
 * Connecting and each statement have timeouts, so a hung server fails a batch instead of
 * holding it forever: the server's own `statement_timeout`, and a client-side one a second later
 * for when the server cannot say so (a partition or a hung host swallows packets without a reset,
 * and TCP alone would wait for a quarter of an hour); the connection it timed out on is discarded.
 * The pool is small: one batch in flight plus the console's queries.
 */
import pg from 'pg';
import type { DecisionEvent } from './event.js';
import { type PostgresTables, postgresMigrations, postgresTables } from './postgres-migrations.js';
import type {
  AccountCounts,
  DecisionCount,
  EventArchive,
  EventCriteria,
  EventSink,
  SeriesPoint,
  SourceCount,
  SourceKey,
  TimeRange,
} from './sink.js';
import { rangeEdges, TRANSITION_LOOKBACK_MS } from './sqlite-archive.js';
import { classifyThreat, STOP_ACTIONS } from './threat.js';

export interface PostgresSinkOptions {
  /** postgres://user:password@host:port/database (any libpq-style URL pg accepts). */
  readonly url: string;
  /** Schema of the tables, created if missing. Default: none, so the connection's search_path (normally public). */
  readonly schema?: string;
  /** Pool size. Default 4: a batch in flight plus console queries; more nodes need no more. */
  readonly maxConnections?: number;
  /** Budget of one statement (a batch insert, a report query), on the server and (+1 s) on the client. Default 30 000 ms. */
  readonly statementTimeoutMs?: number;
  /** Budget to open a connection. Default 5 000 ms. */
  readonly connectTimeoutMs?: number;
}

/** bigint columns and counts as JS numbers: times in ms and counts stay far below 2^53. */
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format as 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

const STOPPED = `(${STOP_ACTIONS.map((a) => `'${a}'`).join(', ')})`;
const TRANSITIONS = "('attack-mode.started', 'attack-mode.ended')";
const SOURCE_COLUMNS: Readonly<Record<SourceKey, string>> = {
  ip: 'ip',
  prefix: 'prefix',
  fingerprint: 'fingerprint',
  userAgent: 'ua_family',
};
const MAX_SERIES_ROWS = 20_000;

interface EventRow {
  id: string;
  time: number;
  type: DecisionEvent['type'];
  flow: string;
  flow_kind: DecisionEvent['flowKind'];
  action: DecisionEvent['action'];
  enforced: boolean;
  decided_by: string;
  ip: string;
  prefix: string;
  fingerprint: string;
  ua_family: string;
  username_hash: string | null;
  status: number;
  score: number;
  details: EventDetails;
}

type EventDetails = Omit<
  DecisionEvent,
  | 'id'
  | 'time'
  | 'type'
  | 'flow'
  | 'flowKind'
  | 'action'
  | 'enforced'
  | 'decidedBy'
  | 'ip'
  | 'prefix'
  | 'fingerprint'
  | 'userAgentFamily'
  | 'usernameHash'
  | 'status'
  | 'score'
>;

/** The columns read back into events (not the derived ones). */
const EVENT_COLUMNS =
  'id, time, type, flow, flow_kind, action, enforced, decided_by, ip, prefix, fingerprint, ua_family, username_hash, status, score, details';

export class PostgresEventSink implements EventSink, EventArchive {
  readonly name = 'postgres';
  private readonly pool: pg.Pool;
  private readonly t: PostgresTables;
  private closed = false;

  private constructor(pool: pg.Pool, tables: PostgresTables) {
    this.pool = pool;
    this.t = tables;
  }

  /**
   * Connects and brings the schema up to date (creating the schema and tables on first use);
   * throws one clear error naming the database (password masked) if it cannot.
   */
  static async open(options: PostgresSinkOptions): Promise<PostgresEventSink> {
    const tables = postgresTables(options.schema ?? null);
    const statementTimeoutMs = options.statementTimeoutMs ?? 30_000;
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.maxConnections ?? 4,
      statement_timeout: statementTimeoutMs,
      query_timeout: statementTimeoutMs + 1_000,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      idleTimeoutMillis: 30_000,
      application_name: 'botgate',
      types,
    });
    // An idle connection dropped by the server must not crash the process; the next query reconnects.
    pool.on('error', () => {});
    try {
      await migrate(pool, tables, options.schema ?? null);
    } catch (error) {
      await pool.end().catch(() => {});
      const why = error instanceof Error ? error.message : String(error);
      throw new Error(`Cannot open the Postgres event database: ${why} (received "${maskPassword(options.url)}")`, {
        cause: error,
      });
    }
    return new PostgresEventSink(pool, tables);
  }

  /** The whole batch in one statement: all rows are stored or none. */
  async write(batch: readonly DecisionEvent[]): Promise<void> {
    if (batch.length === 0) return;
    let json = JSON.stringify(batch.map(toRecord));
    // Postgres text cannot hold U+0000; one such character would fail the batch on every retry.
    if (json.includes('\\u0000')) json = JSON.stringify(batch.map(toRecord), withoutNul);
    // The rollup counts only the rows this statement inserted (RETURNING), so a retried batch
    // adds nothing twice; its upserts go in key order so concurrent nodes lock rows in one order.
    await this.pool.query(
      `WITH inserted AS (
         INSERT INTO ${this.t.events}
           (id, time, type, flow, flow_kind, action, enforced, decided_by, ip, prefix, fingerprint, ua_family,
            username_hash, status, score, threat, attack, reasons, details)
         SELECT id, time, type, flow, flow_kind, action, enforced, decided_by, ip, prefix, fingerprint, ua_family,
                username_hash, status, score, threat, attack, reasons, details
         FROM json_to_recordset($1::json) AS b(
           id text, time bigint, type text, flow text, flow_kind text, action text, enforced boolean, decided_by text,
           ip text, prefix text, fingerprint text, ua_family text, username_hash text, status integer, score float8,
           threat text, attack boolean, reasons text[], details jsonb)
         ON CONFLICT (id) DO NOTHING
         RETURNING time, type, flow_kind, flow, action, enforced, attack, threat, decided_by
       )
       INSERT INTO ${this.t.minutes} (minute, type, flow_kind, flow, action, enforced, attack, threat, cleared, count)
       SELECT (time / 60000) * 60000, type, flow_kind, flow, action, enforced, attack, coalesce(threat, ''),
              decided_by = 'clearance/valid', count(*)
       FROM inserted GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9
       ON CONFLICT (minute, type, flow_kind, flow, action, enforced, attack, threat, cleared)
       DO UPDATE SET count = ${this.t.minutes}.count + excluded.count`,
      [json],
    );
  }

  async get(id: string): Promise<DecisionEvent | undefined> {
    const { rows } = await this.pool.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM ${this.t.events} WHERE id = $1`, [
      id,
    ]);
    return rows[0] === undefined ? undefined : fromRow(rows[0]);
  }

  async recent(limit: number): Promise<DecisionEvent[]> {
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM ${this.t.events} ORDER BY time DESC, seq DESC LIMIT $1`,
      [Math.max(0, Math.floor(limit))],
    );
    return rows.map(fromRow);
  }

  async search(c: EventCriteria): Promise<DecisionEvent[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: (n: string) => string, value: unknown): void => {
      params.push(value);
      where.push(clause(`$${params.length}`));
    };
    if (c.range) {
      add((n) => `time >= ${n}`, c.range.from);
      add((n) => `time < ${n}`, c.range.to);
    }
    if (c.reason !== undefined) add((n) => `reasons @> ${n}::text[]`, [c.reason]);
    if (c.id !== undefined) add((n) => `id = ${n}`, c.id);
    if (c.ip !== undefined) add((n) => `ip = ${n}`, c.ip);
    if (c.prefix !== undefined) add((n) => `prefix = ${n}`, c.prefix);
    if (c.fingerprint !== undefined) add((n) => `fingerprint = ${n}`, c.fingerprint);
    if (c.usernameHash !== undefined) add((n) => `username_hash = ${n}`, c.usernameHash);
    if (c.action !== undefined) add((n) => `action = ${n}`, c.action);
    if (c.flow !== undefined) add((n) => `flow = ${n}`, c.flow);
    if (c.type !== undefined) add((n) => `type = ${n}`, c.type);
    params.push(Math.max(0, Math.floor(c.limit)));
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM ${this.t.events}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}
       ORDER BY time DESC, seq DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(fromRow);
  }

  async decisionCounts(range: TimeRange): Promise<DecisionCount[]> {
    const e = rangeEdges(range, 60_000);
    const { rows } = await this.pool.query<DecisionCount>(
      `SELECT type, flow_kind AS "flowKind", flow, action, enforced, attack, threat, cleared, sum(n)::bigint AS count FROM (
         SELECT type, flow_kind, flow, action, enforced, attack, nullif(threat, '') AS threat, cleared, count AS n
         FROM ${this.t.minutes} WHERE minute >= $3 AND minute < $4
         UNION ALL
         SELECT type, flow_kind, flow, action, enforced, attack, threat, decided_by = 'clearance/valid', 1
         FROM ${this.t.events} WHERE (time >= $1 AND time < $3) OR (time >= $4 AND time < $2)
       ) t GROUP BY type, flow_kind, flow, action, enforced, attack, threat, cleared`,
      [e.from, e.to, e.fullFrom, e.fullTo],
    );
    return rows;
  }

  async accountCounts(range: TimeRange): Promise<AccountCounts> {
    const { rows } = await this.pool.query<AccountCounts>(
      `WITH attacked AS MATERIALIZED (
         SELECT username_hash AS account,
                bool_or(enforced AND action IN ${STOPPED}) AS defended,
                bool_or(NOT enforced AND action IN ${STOPPED}) AS monitored
         FROM ${this.t.events}
         WHERE time >= $1 AND time < $2 AND type = 'decision' AND flow_kind = 'login' AND attack
           AND username_hash IS NOT NULL
         GROUP BY username_hash
       ), suspected AS MATERIALIZED (
         SELECT username_hash AS account, count(*) AS events FROM ${this.t.events}
         WHERE type = 'ato.suspected' AND time >= $1 AND time < $2 AND username_hash IS NOT NULL
         GROUP BY username_hash
       )
       SELECT
         (SELECT count(*) FROM attacked) AS "targeted",
         (SELECT count(*) FROM attacked WHERE defended) AS "defended",
         (SELECT count(*) FROM attacked WHERE monitored) AS "defendedInMonitor",
         (SELECT count(*) FROM suspected) AS "takeoverSuspected",
         (SELECT count(*) FROM attacked WHERE defended AND account IN (SELECT account FROM suspected)) AS "defendedButSuspected",
         (SELECT count(*) FROM ${this.t.events} WHERE type = 'ato.suspected' AND time >= $1 AND time < $2) AS "takeoverEvents"`,
      [range.from, range.to],
    );
    return rows[0] as AccountCounts;
  }

  async series(range: TimeRange, bucketMs: number): Promise<SeriesPoint[]> {
    const e = rangeEdges(range, bucketMs);
    const { rows } = await this.pool.query<SeriesPoint>(
      `SELECT bucket, action, sum(n)::bigint AS count FROM (
         SELECT (minute / $1::bigint) * $1::bigint AS bucket, action, count AS n
         FROM ${this.t.minutes} WHERE minute >= $4 AND minute < $5 AND type = 'decision'
         UNION ALL
         SELECT (time / $1::bigint) * $1::bigint, action, 1
         FROM ${this.t.events} WHERE ((time >= $2 AND time < $4) OR (time >= $5 AND time < $3)) AND type = 'decision'
       ) t GROUP BY bucket, action ORDER BY bucket, action LIMIT ${MAX_SERIES_ROWS}`,
      [bucketMs, e.from, e.to, e.fullFrom, e.fullTo],
    );
    return rows;
  }

  async topSources(
    range: TimeRange,
    key: SourceKey,
    limit: number,
    order: 'requests' | 'attacks' = 'requests',
  ): Promise<SourceCount[]> {
    const column = SOURCE_COLUMNS[key];
    if (column === undefined) throw new RangeError(`Cannot rank sources: unknown key (received "${key}")`);
    const ranking = order === 'requests' ? 'requests DESC, attacks DESC' : 'attacks DESC, requests DESC';
    const { rows } = await this.pool.query<SourceCount>(
      `SELECT ${column} AS value, count(*) AS requests,
              count(*) FILTER (WHERE action IN ${STOPPED}) AS stopped,
              count(*) FILTER (WHERE attack) AS attacks, max(time) AS "lastSeen"
       FROM ${this.t.events} WHERE time >= $1 AND time < $2 AND type = 'decision' AND ${column} <> ''
       GROUP BY ${column} ORDER BY ${ranking}, ${column} COLLATE "C" LIMIT $3`,
      [range.from, range.to, limit],
    );
    return rows;
  }

  async attackModeTransitions(range: TimeRange): Promise<DecisionEvent[]> {
    const { rows } = await this.pool.query<EventRow & { seq: number }>(
      `SELECT * FROM (
         (SELECT seq, ${EVENT_COLUMNS} FROM ${this.t.events} WHERE type IN ${TRANSITIONS} AND time >= $1 AND time < $2)
         UNION ALL
         (SELECT DISTINCT ON (flow) seq, ${EVENT_COLUMNS} FROM ${this.t.events}
          WHERE type IN ${TRANSITIONS} AND time < $1 AND time >= $3 ORDER BY flow, time DESC, seq DESC)
       ) t ORDER BY time, type DESC`,
      [range.from, range.to, range.from - TRANSITION_LOOKBACK_MS],
    );
    return rows.map(fromRow);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

async function migrate(pool: pg.Pool, tables: PostgresTables, schema: string | null): Promise<void> {
  const steps = postgresMigrations(tables);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // One node migrates at a time; the others wait here, then find the work done.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`botgate-events:${schema ?? ''}`]);
    if (tables.schema !== null) await client.query(`CREATE SCHEMA IF NOT EXISTS ${tables.schema}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${tables.version} (version integer NOT NULL)`);
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${tables.version}`);
    const version = rows[0]?.version ?? 0;
    if (rows.length === 0) await client.query(`INSERT INTO ${tables.version} (version) VALUES (0)`);
    if (version > steps.length) {
      throw new Error(
        `it was written by a newer botgate (schema ${version}, this version knows ${steps.length}); upgrade botgate or use another database or schema`,
      );
    }
    for (let step = version; step < steps.length; step++) await client.query(steps[step] as string);
    await client.query(`UPDATE ${tables.version} SET version = $1`, [steps.length]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** One row of the batch's JSON, keyed by the recordset's column names. */
function toRecord(event: DecisionEvent) {
  const {
    id,
    time,
    type,
    flow,
    flowKind,
    action,
    enforced,
    decidedBy,
    ip,
    prefix,
    fingerprint,
    userAgentFamily,
    usernameHash,
    status,
    score,
    ...details
  } = event;
  const verdict = classifyThreat(event.findings, flowKind);
  return {
    id,
    time,
    type,
    flow,
    flow_kind: flowKind,
    action,
    enforced,
    decided_by: decidedBy,
    ip,
    prefix,
    fingerprint,
    ua_family: userAgentFamily,
    username_hash: usernameHash,
    status,
    score,
    threat: verdict.threat,
    attack: verdict.attack,
    reasons: event.findings.map((f) => f.reason),
    details: details satisfies EventDetails,
  };
}

function withoutNul(_key: string, value: unknown): unknown {
  return typeof value === 'string' && value.includes('\0') ? value.replaceAll('\0', '\uFFFD') : value;
}

function fromRow(row: EventRow): DecisionEvent {
  return {
    ...row.details,
    id: row.id,
    time: row.time,
    type: row.type,
    flow: row.flow,
    flowKind: row.flow_kind,
    action: row.action,
    enforced: row.enforced,
    decidedBy: row.decided_by,
    ip: row.ip,
    prefix: row.prefix,
    fingerprint: row.fingerprint,
    userAgentFamily: row.ua_family,
    usernameHash: row.username_hash,
    status: row.status,
    score: row.score,
  };
}

/** The URL with its password replaced, for error messages. */
export function maskPassword(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
}
