/**
 * One conformance suite, two archives: the embedded SQLite file and Postgres (127.0.0.1:5432,
 * or POSTGRES_URL), each Postgres run in a schema of its own that is dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresEventSink } from '../../src/events/postgres-sink.js';
import { SqliteEventSink } from '../../src/events/sqlite-sink.js';
import { eventArchiveContract } from './event-archive-contract.js';
import { dropSchema, POSTGRES_URL } from './postgres.js';

eventArchiveContract('SqliteEventSink', () => {
  let dir: string | undefined;
  return {
    async open() {
      dir = await mkdtemp(join(tmpdir(), 'botgate-archive-'));
      return new SqliteEventSink(join(dir, 'events.db'));
    },
    async cleanup() {
      if (dir) await rm(dir, { recursive: true, force: true });
    },
  };
});

eventArchiveContract('PostgresEventSink', () => {
  const schema = `botgate_test_${randomBytes(6).toString('hex')}`;
  return {
    open: () => PostgresEventSink.open({ url: POSTGRES_URL, schema }),
    cleanup: () => dropSchema(schema),
  };
});
