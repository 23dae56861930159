/**
 * Top sources as SQLite answered them before the hourly rollup (schema 3): one GROUP BY over the
 * event rows of the range. The reference the rollup must agree with, to the last tie.
 */
import type Database from 'better-sqlite3';
import type { SourceCount, SourceKey, TimeRange } from '../../src/events/sink.js';
import { STOP_ACTIONS } from '../../src/events/threat.js';

const COLUMN: Readonly<Record<SourceKey, string>> = {
  ip: 'ip',
  prefix: 'prefix',
  fingerprint: 'fingerprint',
  userAgent: 'ua_family',
};
const STOPPED = `(${STOP_ACTIONS.map((a) => `'${a}'`).join(', ')})`;

export function sourcesFromRows(
  db: Database.Database,
  range: TimeRange,
  key: SourceKey,
  limit: number,
  order: 'requests' | 'attacks',
): SourceCount[] {
  const column = COLUMN[key];
  return db
    .prepare<[number, number, number], SourceCount>(
      `SELECT ${column} AS value, count(*) AS requests, sum(action IN ${STOPPED}) AS stopped,
              sum(attack) AS attacks, max(time) AS lastSeen
       FROM events NOT INDEXED
       WHERE time >= ? AND time < ? AND type = 'decision' AND ${column} <> ''
       GROUP BY ${column}
       ORDER BY ${order === 'requests' ? 'requests DESC, attacks DESC' : 'attacks DESC, requests DESC'}, value
       LIMIT ?`,
    )
    .all(range.from, range.to, limit);
}
