/**
 * Redis dies under load and comes back (issue 7): no request fails because of it, the fail mode
 * decides what happens to logins meanwhile, `/readyz` and `/metrics` say so, the node returns to
 * Redis by itself, and the upstream receives every forwarded request exactly once.
 *
 * Real processes on loopback: the demo marketplace, a private `redis-server` on a free port
 * (test/state/redis-process.ts: killed with SIGKILL, restarted empty on the same port), and one
 * `botgate run` on it with this test's policy (the bundled default, store on the private Redis,
 * events as NDJSON in a temp dir so every decision can be read back). A few clients read pages as
 * fast as they are answered while the demo's real users log in at a person's pace, for a few
 * seconds; Redis is killed in the middle and started again.
 *
 * What "lost or duplicated" means here: every answer's `x-botgate-id` is either in the
 * marketplace's received log exactly once, with the event saying it was forwarded, or absent from
 * it, with the event saying botgate answered itself.
 *
 * Attack mode is off in this policy (a 5 s timer would make the outcome depend on timing), and
 * the traffic is the demo's real users, so every non-forwarded login is the fail mode's doing.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { defaultPolicyPath, loadPolicyFile } from '../../src/config/load.js';
import { generateDemoUsers } from '../../src/demo/users.js';
import type { DecisionEvent } from '../../src/events/event.js';
import { randomPrefix, startRedis } from '../state/redis-process.js';
import { gatewayArgs, killAll, type RunningProcess, startBotgate } from '../support/processes.js';
import { CHROME } from '../support/stack.js';

const SECRET = 'redis-faults-secret-0123456789abcdef';
const TOKEN = 'redis-faults-admin-token-0123456789';
/** The marketplace's own population (`botgate marketplace` without --users). */
const USERS = generateDemoUsers(500);
/** Clients reading pages as fast as they are answered: most of the load. */
const READERS = 4;
/** Users logging in at a person's pace, all at once. */
const USERS_LOGGING_IN = 16;
/** Added to the policy's minTypingMs for a user's pause before posting: people are not "too fast". */
const TYPING_MARGIN_MS = 400;
/** A bound on the load, whatever the machine's speed. */
const MAX_REQUESTS = 6_000;
const BEFORE_OUTAGE_MS = 2_000;
const OUTAGE_MS = 2_500;
const AFTER_RECOVERY_MS = 1_000;
/**
 * Margin after the kill: a request that arrived this soon after it may have been decided just
 * before, and a busy gateway takes a moment to see the connection close.
 */
const SETTLE_MS = 300;

let dir: string;
let upstream: RunningProcess;
let upstreamUrl: string;
let open: OutageRun;
let closed: OutageRun;

// Both fail modes at once, each with its own Redis and gateway: half the wall time.
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'botgate-redis-faults-'));
  upstream = await startBotgate(['marketplace', '--listen', '127.0.0.1:0']);
  upstreamUrl = upstream.addresses.upstream!;
  [open, closed] = await Promise.all([outage('open'), outage('closed')]);
}, 60_000);

afterAll(async () => {
  await upstream?.stop();
  killAll();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Answer {
  readonly id: string;
  readonly status: number;
  readonly login: boolean;
}

/** What the load's clients share. */
interface Load {
  readonly gatewayUrl: string;
  readonly agent: Agent;
  readonly answers: Answer[];
  readonly errors: string[];
  /** True once the run is over or the request bound is reached. */
  readonly done: () => boolean;
  /** A person's pause between the login page and the post. */
  readonly typingMs: number;
}

interface Sample {
  /** When the sample was asked for, and when both answers were in. */
  readonly from: number;
  readonly at: number;
  readonly readyStatus: number;
  readonly degraded: boolean;
  readonly gauge: number;
  readonly errors: number;
}

interface OutageRun {
  readonly answers: Answer[];
  readonly clientErrors: string[];
  readonly samples: Sample[];
  readonly killedAt: number;
  /** When Redis was started again (the call, not its return). */
  readonly restartedAt: number;
  readonly recoveredAt: number;
  readonly events: Map<string, DecisionEvent>;
  readonly received: Map<string, number>;
}

/** The bundled default policy on the private Redis, with events to an NDJSON file. */
async function writePolicy(failMode: 'open' | 'closed', redisUrl: string, events: string): Promise<string> {
  const doc = parse(await readFile(defaultPolicyPath(), 'utf8'));
  // A generous call budget: only the outage may degrade the store here. The default 50 ms is
  // exceeded now and then on a busy 2-core test machine, and a slow Redis is a fault of its own
  // (test/state/redis-store.test.ts pauses Redis for it); a dead one fails calls at once anyway.
  doc.store = { type: 'redis', url: redisUrl, prefix: randomPrefix(`faults-${failMode}`), failMode, timeoutMs: 1_000 };
  doc.events = { ...doc.events, sqlite: false, ndjson: events };
  doc.detection.attackMode = { ...doc.detection.attackMode, minAttempts: 1_000_000 };
  const path = join(dir, `policy-${failMode}.yaml`);
  await writeFile(path, stringify(doc));
  return path;
}

async function outage(failMode: 'open' | 'closed'): Promise<OutageRun> {
  const redis = await startRedis();
  let gateway: RunningProcess | undefined;
  const agent = new Agent({ connections: READERS + USERS_LOGGING_IN });
  // Set on every way out, so a failed run does not leave its clients looping.
  let stop = false;
  try {
    const eventsPath = join(dir, `events-${failMode}.ndjson`);
    const policy = await writePolicy(failMode, redis.url, eventsPath);
    gateway = await startBotgate(gatewayArgs(policy, upstreamUrl, '--store', redis.url, '--log-level', 'silent'), {
      BOTGATE_SECRET: SECRET,
      BOTGATE_ADMIN_TOKEN: TOKEN,
    });
    const gatewayUrl = gateway.addresses.gateway!;
    const adminUrl = gateway.addresses.admin!;
    expect((await sample(adminUrl)).degraded).toBe(false);

    const answers: Answer[] = [];
    const clientErrors: string[] = [];
    const samples: Sample[] = [];
    const load: Load = {
      gatewayUrl,
      agent,
      answers,
      errors: clientErrors,
      done: () => stop || answers.length >= MAX_REQUESTS,
      typingMs: (await loadPolicyFile(policy)).detection.login.minTypingMs + TYPING_MARGIN_MS,
    };
    const clients = [
      ...Array.from({ length: READERS }, (_, c) => browse(load, c)),
      ...Array.from({ length: USERS_LOGGING_IN }, (_, u) => logIn(load, u)),
    ];
    const poller = (async () => {
      while (!stop) {
        samples.push(await sample(adminUrl));
        await sleep(100);
      }
    })();

    await sleep(BEFORE_OUTAGE_MS);
    const killedAt = Date.now();
    await redis.kill();
    await sleep(OUTAGE_MS);
    // Noted before the restart: the gateway may reconnect before restart() has seen Redis answer.
    const restartedAt = Date.now();
    await redis.restart();
    const recoveredAt = await recovery(samples, restartedAt);
    await sleep(AFTER_RECOVERY_MS);
    stop = true;
    await Promise.all([...clients, poller]);
    samples.push(await sample(adminUrl));

    // SIGTERM flushes the NDJSON sink; the marketplace has accounted every answer it wrote.
    await gateway.stop();
    const events = new Map<string, DecisionEvent>();
    for (const line of (await readFile(eventsPath, 'utf8')).split('\n')) {
      if (line === '') continue;
      const event = JSON.parse(line) as DecisionEvent;
      if (event.type === 'decision') events.set(event.id, event);
    }
    return {
      answers,
      clientErrors,
      samples,
      killedAt,
      restartedAt,
      recoveredAt,
      events,
      received: await receivedIds(),
    };
  } finally {
    stop = true;
    await gateway?.stop();
    await redis.kill();
    await agent.close();
  }
}

/** Sends requests as the person at `ip`, recording every answer; returns the device cookie set, if any. */
function person(load: Load, ip: string) {
  const { gatewayUrl, agent, answers, errors } = load;
  return async (method: 'GET' | 'POST', path: string, cookie?: string, form?: Record<string, string>) => {
    const headers: Record<string, string> = { ...CHROME, 'x-forwarded-for': ip };
    if (cookie) headers.cookie = cookie;
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    try {
      const res = await request(`${gatewayUrl}${path}`, {
        method,
        headers,
        dispatcher: agent,
        ...(form ? { body: new URLSearchParams(form).toString() } : {}),
      });
      await res.body.dump();
      answers.push({
        id: String(res.headers['x-botgate-id']),
        status: res.statusCode,
        login: method === 'POST',
      });
      const raw = res.headers['set-cookie'];
      return (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw])
        .find((c) => c.startsWith('__bg_d='))
        ?.split(';')[0];
    } catch (error) {
      errors.push(`${method} ${path}: ${String(error)}`);
      return undefined;
    }
  };
}

/** A reader: short visits (home, listings, login page), each from its own address, as fast as answered. */
async function browse(load: Load, client: number): Promise<void> {
  for (let visit = 0; !load.done(); visit++) {
    const send = person(load, `10.${client + 1}.${(visit >> 8) & 255}.${(visit & 255) + 1}`);
    const cookie = await send('GET', '/');
    await send('GET', '/api/listings', cookie);
    await send('GET', '/login', cookie);
  }
}

/**
 * A demo user logging in from their own address: the login page, a person's typing time, the
 * form. One attempt in five mistypes the password (an ordinary failure ratio).
 */
async function logIn(load: Load, user: number): Promise<void> {
  for (let attempt = 0; !load.done(); attempt++) {
    const account = USERS[(user * 31 + attempt) % USERS.length]!;
    const send = person(load, `10.${100 + user}.${(attempt >> 8) & 255}.${(attempt & 255) + 1}`);
    const cookie = await send('GET', '/login');
    await sleep(load.typingMs);
    const password = (user + attempt) % 5 === 0 ? `${account.password}x` : account.password;
    await send('POST', '/login', cookie, { username: account.username, password });
  }
}

async function sample(adminUrl: string): Promise<Sample> {
  const from = Date.now();
  const ready = await request(`${adminUrl}/readyz`);
  const body = (await ready.body.json()) as { store?: { degraded?: boolean } };
  const metrics = await (await request(`${adminUrl}/metrics`)).body.text();
  const value = (pattern: RegExp) => Number(pattern.exec(metrics)?.[1] ?? Number.NaN);
  return {
    from,
    at: Date.now(),
    readyStatus: ready.statusCode,
    degraded: body.store?.degraded === true,
    gauge: value(/^botgate_store_degraded (\S+)$/m),
    errors: value(/^botgate_store_errors_total\{store="redis"\} (\S+)$/m),
  };
}

/** When the samples first show the store back on Redis after the restart (polls up to 8 s). */
async function recovery(samples: readonly Sample[], since: number): Promise<number> {
  for (let waited = 0; waited < 8_000; waited += 50) {
    const back = samples.find((s) => s.at > since && !s.degraded && s.gauge === 0);
    if (back) return back.at;
    await sleep(50);
  }
  throw new Error('the gateway did not return to Redis within 8 s of its restart');
}

/** How many times each reference id reached the marketplace. */
async function receivedIds(): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (let after = 0; ; ) {
    const res = await request(`${upstreamUrl}/__demo/received?after=${after}`);
    const page = (await res.body.json()) as { next: number; items: { id: string | null }[] };
    if (page.items.length === 0) return ids;
    for (const item of page.items) if (item.id) ids.set(item.id, (ids.get(item.id) ?? 0) + 1);
    after = page.next;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What every fail mode must show. */
function expectSafeOutage(run: OutageRun, failMode: string): void {
  const { answers, samples, events, received } = run;
  const outage = samples.filter((s) => s.from > run.killedAt + SETTLE_MS && s.at < run.restartedAt);
  const summary = {
    failMode,
    requests: answers.length,
    logins: answers.filter((a) => a.login).length,
    forwarded: answers.filter((a) => received.has(a.id)).length,
    answeredByBotgate: answers.filter((a) => !received.has(a.id)).length,
    status5xx: answers.filter((a) => a.status >= 500).length,
    loginsDuringOutage: duringOutage(run, 'login').length,
    loginsChallengedByFailMode: duringOutage(run, 'login').filter((e) => e.decidedBy === 'store/degraded').length,
    degradedSamples: samples.filter((s) => s.degraded).length,
    recoveryMsAfterRestart: run.recoveredAt - run.restartedAt,
    storeErrors: samples.at(-1)?.errors,
  };
  console.log(`redis-faults ${JSON.stringify(summary)}`);

  expect(run.clientErrors).toEqual([]);
  expect(answers.length).toBeGreaterThan(100);
  // No 5xx: the upstream is healthy throughout, and Redis's absence must not show.
  expect(answers.filter((a) => a.status >= 500)).toEqual([]);
  // Ready throughout (a Redis outage must not take every node out of the load balancer), and
  // degraded while Redis was away, in /readyz and in the gauge; back on Redis at the end.
  expect(samples.filter((s) => s.readyStatus !== 200)).toEqual([]);
  expect(outage.length).toBeGreaterThan(5);
  expect(outage.filter((s) => !s.degraded || s.gauge !== 1)).toEqual([]);
  const last = samples.at(-1)!;
  expect(last.degraded).toBe(false);
  expect(last.gauge).toBe(0);
  expect(last.errors).toBeGreaterThan(0);

  // Nothing lost, nothing duplicated: forwarded exactly once, or answered by botgate itself.
  for (const answer of answers) {
    const event = events.get(answer.id);
    expect(event, `event of ${answer.id}`).toBeDefined();
    const times = received.get(answer.id) ?? 0;
    if (event!.upstreamStatus === null) expect(times, `botgate's own answer ${answer.id}`).toBe(0);
    else {
      expect(times, `forwarded ${answer.id}`).toBe(1);
      expect(answer.status).toBe(event!.upstreamStatus);
    }
  }
  expect([...received].filter(([, n]) => n !== 1)).toEqual([]);
}

/** Decisions on logins and pages that arrived while Redis was down. */
function duringOutage(run: OutageRun, flowKind: 'login' | 'page'): DecisionEvent[] {
  const sent = new Set(run.answers.map((a) => a.id));
  return [...run.events.values()].filter(
    (e) => sent.has(e.id) && e.flowKind === flowKind && e.time > run.killedAt + SETTLE_MS && e.time < run.restartedAt,
  );
}

describe('Redis stopped in the middle of a load run', () => {
  it('failMode open: logins are decided on local state, nothing fails, the node returns to Redis', () => {
    const run = open;
    expectSafeOutage(run, 'open');
    const logins = duringOutage(run, 'login');
    expect(logins.length).toBeGreaterThan(0);
    // Real users keep logging in: decided on this node's own counts, forwarded, never degraded-challenged.
    for (const login of logins) {
      expect(login.decidedBy).not.toBe('store/degraded');
      expect(login.upstreamStatus).not.toBeNull();
    }
    const pages = duringOutage(run, 'page');
    expect(pages.length).toBeGreaterThan(0);
    expect(pages.filter((e) => e.upstreamStatus === null)).toEqual([]);
  });

  it('failMode closed: logins during the outage are challenged, never 5xx, and pass again after recovery', () => {
    const run = closed;
    expectSafeOutage(run, 'closed');
    const logins = duringOutage(run, 'login');
    expect(logins.length).toBeGreaterThan(0);
    for (const login of logins) {
      expect(login.action).toBe('challenge');
      expect(login.decidedBy).toBe('store/degraded');
      expect(login.status).toBe(403);
      expect(login.upstreamStatus).toBeNull();
    }
    // Pages are not a protected flow: forwarded throughout.
    const pages = duringOutage(run, 'page');
    expect(pages.length).toBeGreaterThan(0);
    expect(pages.filter((e) => e.upstreamStatus === null)).toEqual([]);
    // Before the outage and after recovery, logins are not held to the fail mode.
    const healthy = [...run.events.values()].filter(
      (e) => e.flowKind === 'login' && (e.time < run.killedAt - SETTLE_MS || e.time > run.recoveredAt + SETTLE_MS),
    );
    expect(healthy.length).toBeGreaterThan(0);
    expect(healthy.filter((e) => e.decidedBy === 'store/degraded')).toEqual([]);
  });
});
