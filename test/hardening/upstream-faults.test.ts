/**
 * Faults: the application killed (SIGKILL) and restarted on the same port while traffic runs
 * through a real botgate process. Every request is answered: by the application, or by botgate
 * with 502 and a reference id that the admin API explains; botgate never exits, and serves again
 * as soon as the application is back.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../state/redis-process.js';
import { killAll, type RunningProcess, startBotgate } from '../support/processes.js';
import { tempDir } from '../support/temp-dir.js';

const TOKEN = 'faults-admin-token-0123456789';
let upstream: ChildProcess;
let gateway: RunningProcess;
let upstreamPort: number;

/**
 * The application: a few lines of plain Node (it starts in milliseconds, unlike the demo
 * marketplace, whose start hashes its users' passwords): 401 for a login, 200 otherwise.
 */
const APPLICATION = `
const http = require('node:http');
http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(req.url === '/api/login' ? 401 : 200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
}).listen(Number(process.argv[1]), '127.0.0.1', () => console.log('listening'));
`;

async function startUpstream(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', APPLICATION, String(upstreamPort)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await once(child.stdout!, 'data');
  return child;
}

beforeAll(async () => {
  upstreamPort = await freePort();
  upstream = await startUpstream();
  const dir = await tempDir('botgate-faults-');
  const config = join(dir, 'policy.yaml');
  // The shipped policy without its rate rules (all traffic here comes from one address).
  await writeFile(
    config,
    [
      `upstream: { url: "http://127.0.0.1:${upstreamPort}", connectTimeoutMs: 500, responseTimeoutMs: 2000 }`,
      // NDJSON rather than SQLite: the suite also runs on Node 24, where the native module built for 20 does not load.
      `events: { sqlite: false, ndjson: "${join(dir, 'events.ndjson')}" }`,
      'flows:',
      '  - { name: api-login, kind: login, match: { methods: [POST], path: /api/login }, fields: { username: username, password: password } }',
    ].join('\n'),
  );
  gateway = await startBotgate(
    ['run', '--config', config, '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0', '--log-level', 'silent'],
    {
      BOTGATE_ADMIN_TOKEN: TOKEN,
      BOTGATE_SECRET: 'faults-secret-0123456789abcdef',
    },
  );
});

afterAll(async () => {
  await gateway?.stop();
  upstream?.kill('SIGKILL');
  killAll();
});

interface Outcome {
  readonly at: number;
  readonly status: number;
  readonly id: string | null;
  readonly error: string | null;
}

describe('the application dies and comes back', () => {
  it('answers every request, 502 with a reference id while it is down, and never exits', async () => {
    const base = gateway.addresses.gateway!;
    const dispatcher = new Agent({ connections: 8 });
    const outcomes: Outcome[] = [];
    let running = true;
    const started = performance.now();
    const worker = async (n: number): Promise<void> => {
      for (let i = 0; running; i++) {
        const login = (i + n) % 3 === 0;
        try {
          const res = await request(`${base}${login ? '/api/login' : '/'}`, {
            dispatcher,
            method: login ? 'POST' : 'GET',
            headers: {
              'content-type': 'application/json',
              'user-agent': 'faults-test/1.0',
              accept: 'application/json',
            },
            ...(login ? { body: JSON.stringify({ username: `user${i}`, password: 'wrong' }) } : {}),
          });
          await res.body.dump();
          outcomes.push({
            at: performance.now() - started,
            status: res.statusCode,
            id: (res.headers['x-botgate-id'] as string) ?? null,
            error: null,
          });
        } catch (err) {
          outcomes.push({
            at: performance.now() - started,
            status: 0,
            id: null,
            error: String((err as { code?: string }).code ?? err),
          });
        }
      }
    };
    const workers = Array.from({ length: 4 }, (_, n) => worker(n));

    await new Promise((r) => setTimeout(r, 300));
    upstream.kill('SIGKILL');
    await once(upstream, 'exit');
    const killedAt = performance.now() - started;
    await new Promise((r) => setTimeout(r, 300));
    upstream = await startUpstream();
    const restartedAt = performance.now() - started;
    await new Promise((r) => setTimeout(r, 300));
    running = false;
    await Promise.all(workers);
    await dispatcher.close();

    // Every request answered, each with a reference id.
    expect(outcomes.filter((o) => o.error !== null)).toEqual([]);
    expect(outcomes.every((o) => o.id !== null)).toBe(true);
    // Statuses are the application's, or botgate's documented 502 / 504.
    const statuses = new Set(outcomes.map((o) => o.status));
    for (const status of statuses) expect([200, 401, 502, 504]).toContain(status);
    const down = outcomes.filter((o) => o.status === 502);
    expect(down.length).toBeGreaterThan(0);
    expect(outcomes.some((o) => o.at > restartedAt && o.status === 200)).toBe(true);
    console.log(
      `${outcomes.length} requests; killed at ${Math.round(killedAt)} ms, restarted at ${Math.round(restartedAt)} ms; ` +
        `${down.length} answered 502, first ${Math.round(down[0]!.at)} ms, last ${Math.round(down[down.length - 1]!.at)} ms`,
    );

    // The gateway is alive and explains a 502 it wrote.
    expect(gateway.child.exitCode).toBeNull();
    const explained = await request(`${gateway.addresses.admin}/api/events/${down[0]!.id}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(explained.statusCode).toBe(200);
    const body = (await explained.body.json()) as { event: { status: number; upstreamStatus: number | null } };
    expect(body.event.status).toBe(502);
    expect(body.event.upstreamStatus).toBeNull();
  });
});
