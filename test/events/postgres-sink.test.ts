/**
 * What only the Postgres sink has: migrations on start (raced by several nodes), one statement
 * per batch whatever its size, a clear error naming the database without its password, and
 * batches written through the recorder. The archive contract (event-archive.test.ts) covers the
 * queries.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { PostgresEventSink } from '../../src/events/postgres-sink.js';
import { EventRecorder } from '../../src/events/recorder.js';
import { CuttableProxy } from '../support/cuttable-proxy.js';
import { dropSchema, POSTGRES_URL, queryPostgres } from './postgres.js';
import { sampleEvent, sampleEvents } from './sample-events.js';

const schemas: string[] = [];
const opened: PostgresEventSink[] = [];

function freshSchema(): string {
  const schema = `botgate_test_${randomBytes(6).toString('hex')}`;
  schemas.push(schema);
  return schema;
}

async function open(schema: string): Promise<PostgresEventSink> {
  const sink = await PostgresEventSink.open({ url: POSTGRES_URL, schema });
  opened.push(sink);
  return sink;
}

afterEach(async () => {
  for (const sink of opened.splice(0)) await sink.close();
  for (const schema of schemas.splice(0)) await dropSchema(schema);
});

describe('PostgresEventSink', () => {
  it('creates its schema, tables and indexes on first start and records the schema version', async () => {
    const schema = freshSchema();
    await open(schema);
    const tables = await queryPostgres<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
      [schema],
    );
    expect(tables.map((t) => t.table_name)).toEqual(['event_minutes', 'events', 'events_schema']);
    const indexes = await queryPostgres<{ indexname: string }>(
      'SELECT indexname FROM pg_indexes WHERE schemaname = $1',
      [schema],
    );
    expect(indexes.map((i) => i.indexname)).toEqual(
      expect.arrayContaining([
        'events_time',
        'events_ip',
        'events_username_hash',
        'events_reasons',
        'events_transitions',
        'events_prefix',
        'events_attack_logins',
      ]),
    );
    const [version] = await queryPostgres<{ version: number }>(`SELECT version FROM "${schema}".events_schema`);
    expect(version?.version).toBe(1);
  });

  it('lets several nodes start at once: one migrates, all write', async () => {
    const schema = freshSchema();
    const nodes = await Promise.all([open(schema), open(schema), open(schema)]);
    await Promise.all(nodes.map((node) => node.write(sampleEvents(2))));
    expect(await nodes[0]?.recent(10)).toHaveLength(6);
    const versions = await queryPostgres(`SELECT version FROM "${schema}".events_schema`);
    expect(versions).toHaveLength(1);
  });

  it('keeps its events across restarts', async () => {
    const schema = freshSchema();
    const first = await open(schema);
    const events = sampleEvents(3);
    await first.write(events);
    await first.close();
    const second = await open(schema);
    expect(await second.recent(10)).toEqual([...events].reverse());
  });

  it('writes a batch larger than a VALUES list could carry in one statement', async () => {
    const sink = await open(freshSchema());
    // 5 000 rows × 19 columns would be 95 000 parameters in a VALUES list (the limit is 65 535).
    const batch = sampleEvents(5_000);
    await sink.write(batch);
    expect(await sink.get((batch[4_999] as { id: string }).id)).toEqual(batch[4_999]);
    expect(await sink.search({ limit: 10_000 })).toHaveLength(5_000);
  });

  it('stores an event carrying a NUL character (which Postgres text cannot hold) with a replacement', async () => {
    const sink = await open(freshSchema());
    const event = sampleEvent({ path: '/login\u0000x', userAgentFamily: 'a\u0000b' });
    await sink.write([event, sampleEvent()]);
    expect(await sink.get(event.id)).toEqual({ ...event, path: '/login\uFFFDx', userAgentFamily: 'a\uFFFDb' });
  });

  it('refuses a database written by a newer botgate', async () => {
    const schema = freshSchema();
    await (await open(schema)).close();
    await queryPostgres(`UPDATE "${schema}".events_schema SET version = 99`);
    await expect(PostgresEventSink.open({ url: POSTGRES_URL, schema })).rejects.toThrow(
      /Cannot open the Postgres event database: it was written by a newer botgate \(schema 99/,
    );
  });

  it('names an unreachable database in one line, without its password', async () => {
    const url = 'postgres://botgate:s3cret-password@127.0.0.1:1/events';
    const error = (await PostgresEventSink.open({ url, connectTimeoutMs: 2_000 }).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toMatch(
      /^Cannot open the Postgres event database: .*\(received "postgres:\/\/botgate:\*\*\*@127\.0\.0\.1:1\/events"\)$/,
    );
    expect(error.message).not.toContain('s3cret');
  });

  it('fails a batch on a server that stopped answering, instead of waiting on TCP, and writes it once it answers', async () => {
    const target = new URL(POSTGRES_URL);
    const proxy = await CuttableProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    try {
      const url = new URL(POSTGRES_URL);
      url.host = `127.0.0.1:${proxy.port}`;
      const sink = await PostgresEventSink.open({
        url: url.toString(),
        schema: freshSchema(),
        statementTimeoutMs: 500,
      });
      opened.push(sink);
      const batch = sampleEvents(3);
      proxy.stall();
      // No reset ever comes: only the client-side timeout can end this write.
      await expect(sink.write(batch)).rejects.toThrow(/timeout/i);
      proxy.restore();
      await sink.write(batch);
      expect(await sink.search({ limit: 10 })).toHaveLength(3);
    } finally {
      await proxy.close();
    }
  });

  it('rejects a schema name that is not a plain identifier', async () => {
    await expect(PostgresEventSink.open({ url: POSTGRES_URL, schema: 'x"; DROP TABLE y; --' })).rejects.toThrow(
      /schema name/,
    );
  });

  it('stores what the recorder hands it, in batches', async () => {
    const sink = await open(freshSchema());
    const recorder = new EventRecorder({
      ringSize: 10,
      maxBacklog: 10_000,
      sinks: [sink],
      batchSize: 100,
      flushIntervalMs: 10,
    });
    const events = Array.from({ length: 250 }, () => sampleEvent());
    for (const e of events) recorder.record(e);
    await recorder.flush();
    expect(recorder.stats().sinks[0]).toMatchObject({
      name: 'postgres',
      written: 250,
      dropped: 0,
      failures: 0,
      backlog: 0,
    });
    expect(await sink.search({ limit: 1_000 })).toHaveLength(250);
    opened.splice(opened.indexOf(sink), 1);
    await recorder.close();
  });
});
