/**
 * Faults: the events database cut off while traffic runs through a real botgate process.
 *
 * The shared Postgres is never stopped: a TCP proxy of the test's own stands between the gateway
 * and 127.0.0.1:5432, and cutting it destroys every connection and refuses new ones, which is
 * what the gateway sees when its database dies. Requests are answered as if nothing happened
 * (recording is off the request path: docs/threat-model.md, "An event sink down or slow"); every
 * event recorded during the outage is in Postgres once the proxy is back, as long as the outage
 * fits in the backlog (`events.maxBacklog`); past it the oldest waiting events are dropped,
 * exactly as many as went over, and counted (`botgate_events_dropped_total`); and the gateway
 * never exits. A database that hangs instead: test/events/postgres-sink.test.ts; the SQLite
 * writer thread killed: test/events/sqlite-thread-death.test.ts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropSchema, POSTGRES_URL, queryPostgres } from '../events/postgres.js';
import { freePort } from '../state/redis-process.js';
import { CuttableProxy } from '../support/cuttable-proxy.js';
import { killAll, type RunningProcess, startBotgate } from '../support/processes.js';
import { tempDir } from '../support/temp-dir.js';

const TOKEN = 'events-faults-admin-token-0123456789';
const MAX_BACKLOG = 40;
/** The test's own schema in the shared test database, named on the gateway's URL (search_path). */
const SCHEMA = `botgate_faults_${randomBytes(4).toString('hex')}`;

const APPLICATION = `
require('node:http').createServer((req, res) => {
  req.resume();
  req.on('end', () => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end('ok'); });
}).listen(Number(process.argv[1]), '127.0.0.1', () => console.log('listening'));
`;

let upstream: ChildProcess;
let gateway: RunningProcess;
let proxy: CuttableProxy;

const target = new URL(POSTGRES_URL);
const viaProxy = (port: number): string => {
  const url = new URL(POSTGRES_URL);
  url.host = `127.0.0.1:${port}`;
  url.searchParams.set('options', `-c search_path=${SCHEMA}`);
  return url.toString();
};

beforeAll(async () => {
  await queryPostgres(`CREATE SCHEMA ${SCHEMA}`);
  proxy = await CuttableProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
  const upstreamPort = await freePort();
  upstream = spawn(process.execPath, ['-e', APPLICATION, String(upstreamPort)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (upstream.stdout === null) throw new Error('the application has no stdout');
  await once(upstream.stdout, 'data');
  const dir = await tempDir('botgate-events-faults-');
  const config = join(dir, 'policy.yaml');
  await writeFile(
    config,
    [
      `upstream: { url: "http://127.0.0.1:${upstreamPort}" }`,
      `events: { sqlite: false, postgres: "${viaProxy(proxy.port)}", maxBacklog: ${MAX_BACKLOG} }`,
    ].join('\n'),
  );
  gateway = await startBotgate(
    ['run', '--config', config, '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', '--log-level', 'silent'],
    { BOTGATE_ADMIN_TOKEN: TOKEN, BOTGATE_SECRET: 'events-faults-secret-0123456789abcdef' },
  );
});

afterAll(async () => {
  await gateway?.stop();
  upstream?.kill('SIGKILL');
  await proxy?.close();
  killAll();
  await dropSchema(SCHEMA);
});

/** Sends `n` page requests one after another; returns their reference ids (all answered 200). */
async function pages(n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await request(`${gateway.addresses.gateway}/page/${i}`, { headers: { 'user-agent': 'curl/8.5.0' } });
    await res.body.dump();
    expect(res.statusCode).toBe(200);
    ids.push(String(res.headers['x-botgate-id']));
  }
  return ids;
}

async function metrics(): Promise<Map<string, number>> {
  const res = await request(`${gateway.addresses.admin}/metrics`);
  const values = new Map<string, number>();
  for (const line of (await res.body.text()).split('\n')) {
    const m = /^(botgate_events_\w+)\{sink="postgres"\} (\S+)$/.exec(line);
    if (m?.[1] !== undefined) values.set(m[1], Number(m[2]));
  }
  return values;
}

async function storedIds(ids: readonly string[]): Promise<Set<string>> {
  const rows = await queryPostgres<{ id: string }>(`SELECT id FROM ${SCHEMA}.events WHERE id = ANY($1)`, [ids]);
  return new Set(rows.map((r) => r.id));
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const alive = (): boolean => gateway.child.exitCode === null && gateway.child.signalCode === null;

describe('the events database cut off and restored', () => {
  it('loses nothing that fits in the backlog, and the gateway keeps serving', async () => {
    const before = await pages(10);
    await until('the first events in Postgres', async () => (await storedIds(before)).size === before.length);

    proxy.cutOff();
    const during = await pages(MAX_BACKLOG - 10);
    await until('a failed batch', async () => ((await metrics()).get('botgate_events_sink_failures_total') ?? 0) > 0);
    // The admin API still explains an outage request, from the ring.
    const explained = await request(`${gateway.addresses.admin}/api/events/${during[0]}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(explained.statusCode).toBe(200);
    await explained.body.dump();
    expect(alive()).toBe(true);
    proxy.restore();

    await until('every outage event in Postgres', async () => (await storedIds(during)).size === during.length);
    const m = await metrics();
    expect(m.get('botgate_events_dropped_total')).toBe(0);
    expect(m.get('botgate_events_backlog')).toBe(0);
    expect(alive()).toBe(true);
  });

  it('past the backlog bound, drops exactly the oldest overflow, counted, and keeps the rest', async () => {
    proxy.cutOff();
    const during = await pages(MAX_BACKLOG + 25);
    // Full, and no more: the gauge counts a batch in flight too, so it reads the bound exactly
    // between two retries.
    await until('a full backlog', async () => (await metrics()).get('botgate_events_backlog') === MAX_BACKLOG);
    expect(alive()).toBe(true);
    proxy.restore();

    const kept = during.slice(-MAX_BACKLOG);
    await until('the kept events in Postgres', async () => (await storedIds(kept)).size === kept.length);
    expect((await storedIds(during)).size).toBe(MAX_BACKLOG);
    expect((await metrics()).get('botgate_events_dropped_total')).toBe(25);
    // The gateway serves and records as before.
    const after = await pages(5);
    await until('events after recovery', async () => (await storedIds(after)).size === after.length);
    expect(alive()).toBe(true);
  });
});
