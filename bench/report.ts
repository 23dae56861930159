/**
 * The console's and the report's aggregate queries on a million events in SQLite, each against a
 * baseline measured in the same run: counting the same range's rows through the time index
 * (`SELECT count(*) … WHERE time BETWEEN`), the least any range query must do.
 *
 *   node --import tsx bench/report.ts [events]       (default 1 000 000)
 *
 * The events span seven days: people (70 % of requests, from 60 000 addresses), a stuffing tool,
 * a residential-proxy stuffing wave, scrapers, signups and comments, with realistic cardinalities
 * (200 000 accounts, a few hundred fingerprints, a dozen user-agent families). They are inserted
 * through the archive's own row layout in ONE transaction (SqliteArchive.importEvents); queries go
 * through the SqliteEventSink, as the console's do, so the worker thread's round trip is included.
 * Each query runs 3 times and the median is printed. Timings vary by machine and load; the reference
 * machine has 2 cores, and the database lives in the OS temp folder.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import type { DecisionEvent } from '../src/events/event.js';
import { buildReport } from '../src/events/report.js';
import type { EventArchive, TimeRange } from '../src/events/sink.js';
import { SqliteArchive } from '../src/events/sqlite-archive.js';
import { SqliteEventSink } from '../src/events/sqlite-sink.js';
import { referenceId } from '../src/gateway/reference-id.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const RUNS = 3;

export async function main(count = Number(process.argv[2] ?? 1_000_000)): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'botgate-bench-report-'));
  const path = join(dir, 'events.db');
  const now = Date.UTC(2026, 5, 15, 12);
  try {
    const archive = new SqliteArchive(path);
    const started = performance.now();
    const inserted = archive.importEvents(syntheticWeek(count, now));
    const insertMs = performance.now() - started;
    const onFull = liveIngest(archive, now);
    archive.close();
    const empty = new SqliteArchive(join(dir, 'empty.db'));
    const onEmpty = liveIngest(empty, now);
    empty.close();
    // Queried as the console does: through the sink, whose SQLite runs in a worker thread.
    const sink = new SqliteEventSink(path);
    const size = (await stat(path)).size;
    console.log(
      `${inserted.toLocaleString('en')} events over 7 days inserted in one transaction: ${(insertMs / 1000).toFixed(1)} s ` +
        `(${Math.round(inserted / (insertMs / 1000)).toLocaleString('en')} events/s), ${(size / 1e6).toFixed(0)} MB; ` +
        `${availableParallelism()} cores (reference: 2)\n`,
    );
    console.log(
      `Live ingest as the recorder writes (batches of ${INGEST_BATCH.toLocaleString('en')}, random reference ids): ` +
        `${onFull.toFixed(0)} µs an event on the ${(inserted / 1e6).toFixed(1)} M-row file, ` +
        `${onEmpty.toFixed(0)} µs on an empty one (baseline): ${(onFull / onEmpty).toFixed(1)}×; one writer thread ` +
        `keeps up with about ${Math.round(1e6 / onFull).toLocaleString('en')} events/s at this size\n`,
    );

    const raw = new Database(path, { readonly: true });
    const countRange = raw.prepare<[number, number], { n: number }>(
      'SELECT count(*) AS n FROM events WHERE time >= ? AND time < ?',
    );
    const week: TimeRange = { from: now - 7 * DAY, to: now };
    const day: TimeRange = { from: now - DAY, to: now };
    const hour: TimeRange = { from: now - HOUR, to: now };
    // The console's `since=` ranges end at the current time, rarely on a whole hour: these start
    // and end 20 minutes into one, so their ends are read from the rows rather than the rollups.
    const dayMid: TimeRange = { from: day.from - 20 * MINUTE, to: day.to - 20 * MINUTE };
    const hourMid: TimeRange = { from: hour.from - 20 * MINUTE, to: hour.to - 20 * MINUTE };
    const labels = new Map([
      [week, '7 d'],
      [day, '24 h'],
      [dayMid, '24 h mid-hour'],
      [hour, '1 h'],
      [hourMid, '1 h mid-hour'],
    ]);
    const baseline = (r: TimeRange) => median(() => countRange.get(r.from, r.to)).ms;
    const baselines = new Map([...labels.keys()].map((r) => [r, baseline(r)]));
    const label = (r: TimeRange) => labels.get(r) as string;
    const rowsIn = (r: TimeRange) => (countRange.get(r.from, r.to) as { n: number }).n;

    const rows: Record<string, string>[] = [];
    const time = async (query: string, range: TimeRange | null, run: () => Promise<unknown>) => {
      const { ms, result } = await medianAsync(run);
      const base = range === null ? null : (baselines.get(range) as number);
      rows.push({
        query,
        range: range === null ? '—' : label(range),
        'rows in range': range === null ? '—' : rowsIn(range).toLocaleString('en'),
        'ms (median of 3)': ms.toFixed(1),
        'vs count(*) of the range': base === null ? '—' : `${(ms / Math.max(base, 0.01)).toFixed(1)}×`,
        answer: Array.isArray(result) ? `${result.length} rows` : 'one row',
      });
    };

    for (const range of labels.keys())
      rows.push({
        query: 'baseline: count(*) of the range',
        range: label(range),
        'rows in range': rowsIn(range).toLocaleString('en'),
        'ms (median of 3)': (baselines.get(range) as number).toFixed(1),
        'vs count(*) of the range': '1.0×',
        answer: 'one row',
      });
    for (const range of [week, day, hour])
      await time('decisionCounts (report: traffic, challenges, threats)', range, () => sink.decisionCounts(range));
    for (const range of [week, day])
      await time('accountCounts (targeted, protected, takeovers)', range, () => sink.accountCounts(range));
    await time('series, 3 h buckets (report chart)', week, () => sink.series(week, 3 * HOUR));
    await time('series, 15 min buckets', day, () => sink.series(day, 15 * 60_000));
    for (const key of ['ip', 'prefix', 'fingerprint', 'userAgent'] as const)
      await time(`topSources by ${key}, by attacks`, week, () => sink.topSources(week, key, 10, 'attacks'));
    for (const range of [hour, hourMid])
      await time('topSources by ip, by attacks (console default)', range, () =>
        sink.topSources(range, 'ip', 10, 'attacks'),
      );
    for (const range of [day, dayMid])
      await time('topSources by ip, by attacks', range, () => sink.topSources(range, 'ip', 25, 'attacks'));
    for (const range of [hourMid, dayMid])
      await time('topSources by fingerprint, by attacks', range, () =>
        sink.topSources(range, 'fingerprint', 10, 'attacks'),
      );
    await time('attackModeTransitions', week, () => sink.attackModeTransitions(week));
    await time('search by reason, newest 100', null, () =>
      sink.search({ reason: 'stuffing.source-failures', limit: 100 }),
    );
    await time('search by rare reason in 7 d, newest 100', null, () =>
      sink.search({ reason: 'cracking.many-passwords', range: week, limit: 100 }),
    );
    await time('search by ip, newest 100', null, () => sink.search({ ip: '198.51.3.7', limit: 100 }));
    await time('search by username hash, newest 100', null, () =>
      sink.search({ usernameHash: accountHash(4242), limit: 100 }),
    );
    await time('search by prefix, newest 100', null, () => sink.search({ prefix: '100.64.7.0/24', limit: 100 }));
    await time('search by fingerprint, newest 100', null, () =>
      sink.search({ fingerprint: fingerprint(205), limit: 100 }),
    );
    const known = (await sink.recent(1))[0] as DecisionEvent;
    await time('get by reference id', null, () => sink.get(known.id));
    for (const range of [week, day, hour])
      await time('buildReport: the whole report', range, () =>
        buildReport(sink, range, { costPerAccountUsd: 3.6, now }),
      );
    console.table(rows);

    // What the gateway's thread feels while the console asks for a week's report: the sink runs
    // SQLite in a worker thread; the baseline runs the same queries on this thread.
    const stall = async (label: string, run: () => Promise<unknown>) => {
      // A 1 ms ticker stands for the requests: the longest gap between its ticks is the stall.
      let last = performance.now();
      let longest = 0;
      const ticker = setInterval(() => {
        const now = performance.now();
        longest = Math.max(longest, now - last);
        last = now;
      }, 1);
      const t = performance.now();
      await run();
      const ms = performance.now() - t;
      await new Promise((resolve) => setTimeout(resolve, 5));
      clearInterval(ticker);
      return { case: label, 'total ms': ms.toFixed(0), 'longest event-loop stall ms': longest.toFixed(0) };
    };
    const inThread = new SqliteArchive(path);
    const direct = {
      ...Object.fromEntries(
        (
          [
            'get',
            'recent',
            'search',
            'decisionCounts',
            'accountCounts',
            'series',
            'topSources',
            'attackModeTransitions',
          ] as const
        ).map((op) => [
          op,
          async (...args: unknown[]) => (inThread[op] as (...a: unknown[]) => unknown).apply(inThread, args),
        ]),
      ),
    } as unknown as EventArchive;
    const batches = (offset: number, idPrefix: string) => {
      const events = [...syntheticWeek(20_000, now + offset, idPrefix)];
      return Array.from({ length: 20 }, (_, i) => events.slice(i * 1_000, (i + 1) * 1_000));
    };
    const inThreadBatches = batches(DAY, 'a');
    const sinkBatches = batches(2 * DAY, 'b');
    console.log('\nThe thread that serves requests, while the sink writes and the console reads');
    console.table([
      await stall('write 20 batches of 1 000, baseline: on the calling thread', async () => {
        for (const b of inThreadBatches) {
          inThread.write(b);
          await new Promise((resolve) => setImmediate(resolve));
        }
      }),
      await stall('write 20 batches of 1 000 through SqliteEventSink', async () => {
        for (const b of sinkBatches) await sink.write(b);
      }),
      await stall('the 7-day report, baseline: on the calling thread', () =>
        buildReport(direct, week, { costPerAccountUsd: 3.6, now }),
      ),
      await stall('the 7-day report through SqliteEventSink', () =>
        buildReport(sink, week, { costPerAccountUsd: 3.6, now }),
      ),
    ]);
    inThread.close();
    raw.close();
    await sink.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function median<T>(run: () => T): { ms: number; result: T } {
  const times: number[] = [];
  let result: T | undefined;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    result = run();
    times.push(performance.now() - t);
  }
  return { ms: times.sort((a, b) => a - b)[Math.floor(RUNS / 2)] as number, result: result as T };
}

async function medianAsync<T>(run: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const times: number[] = [];
  let result: T | undefined;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    result = await run();
    times.push(performance.now() - t);
  }
  return { ms: times.sort((a, b) => a - b)[Math.floor(RUNS / 2)] as number, result: result as T };
}

// ---- a synthetic week ---------------------------------------------------------------------------

const USER_AGENTS = ['chrome', 'chrome', 'chrome', 'safari', 'safari', 'firefox', 'edge', 'samsung', 'opera'];
const TOOLS = ['python-requests', 'curl', 'go-http-client', 'okhttp'];

const INGEST_BATCH = 1_000;

/**
 * µs an event for 20 batches written as the live recorder writes them: ids drawn like the
 * gateway's (random, so the id index takes them anywhere), times just after `now`.
 */
function liveIngest(archive: SqliteArchive, now: number): number {
  const events = [...syntheticWeek(20 * INGEST_BATCH, now + 7 * DAY)].map((event, i) => ({
    ...event,
    id: referenceId(),
    time: now + i,
  }));
  const started = performance.now();
  for (let i = 0; i < events.length; i += INGEST_BATCH) archive.write(events.slice(i, i + INGEST_BATCH));
  return ((performance.now() - started) * 1000) / events.length;
}

/** `count` events over the 7 days before `now`; ids start with `idPrefix` (one hex digit) so several sets never collide. */
export function* syntheticWeek(count: number, now: number, idPrefix = '0'): Generator<DecisionEvent> {
  const random = mulberry32(42);
  const from = now - 7 * DAY;
  for (let i = 0; i < count; i++) {
    const time = from + Math.floor((i / count) * 7 * DAY) + Math.floor(random() * 1000);
    const id = idPrefix + i.toString(16).padStart(15, '0');
    const r = random();
    if (r < 0.7) yield person(id, time, random);
    else if (r < 0.8) yield tool(id, time, random);
    else if (r < 0.9) yield wave(id, time, random);
    else if (r < 0.95) yield scraper(id, time, random);
    else yield form(id, time, random);
  }
  // Attack-mode transitions: a few periods over the week.
  for (let d = 1; d < 7; d += 2) {
    yield transition(`f${d}`.padEnd(16, 'a'), from + d * DAY, 'started');
    yield transition(`f${d}`.padEnd(16, 'b'), from + d * DAY + 2 * HOUR, 'ended');
  }
}

function base(id: string, time: number, e: Partial<DecisionEvent>): DecisionEvent {
  return {
    id,
    time,
    type: 'decision',
    method: 'GET',
    path: '/',
    host: 'shop.example',
    flow: 'pages',
    flowKind: 'page',
    ip: '198.51.0.1',
    prefix: '198.51.0.0/24',
    fingerprint: 'aaaaaaaaaaaa',
    userAgentClass: 'browser',
    userAgentFamily: 'chrome',
    usernameHash: null,
    action: 'allow',
    enforced: true,
    mode: 'enforce',
    decidedBy: 'default/allow',
    score: 0,
    findings: [],
    decisionMicros: 8,
    upstreamStatus: 200,
    upstreamMs: 5,
    status: 200,
    outcome: null,
    ...e,
  };
}

function person(id: string, time: number, random: () => number): DecisionEvent {
  const n = Math.floor(random() * 60_000);
  const ip = `198.51.${n >> 8}.${n & 255}`;
  const common = {
    ip,
    prefix: `198.51.${n >> 8}.0/24`,
    fingerprint: fingerprint(Math.floor(random() * 40)),
    userAgentFamily: USER_AGENTS[n % USER_AGENTS.length] as string,
  };
  if (random() < 0.8) return base(id, time, { ...common, path: `/listings/${Math.floor(random() * 5000)}` });
  const weak = random() < 0.004;
  return base(id, time, {
    ...common,
    method: 'POST',
    path: '/login',
    flow: 'login-form',
    flowKind: 'login',
    usernameHash: accountHash(Math.floor(random() * 200_000)),
    action: weak ? 'challenge' : 'allow',
    decidedBy: weak ? 'rule/forms-suspicious' : 'default/allow',
    findings: weak ? [{ source: 'detector/automation', reason: 'ua.inconsistent', score: 50 }] : [],
    status: weak ? 403 : 302,
    outcome: weak ? null : 'success',
  });
}

function tool(id: string, time: number, random: () => number): DecisionEvent {
  const n = Math.floor(random() * 300);
  return base(id, time, {
    ip: `203.0.${n >> 8}.${n & 255}`,
    prefix: `203.0.${n >> 8}.0/24`,
    fingerprint: fingerprint(100 + (n % 20)),
    userAgentClass: 'automation',
    userAgentFamily: TOOLS[n % TOOLS.length] as string,
    method: 'POST',
    path: '/login',
    flow: 'login-form',
    flowKind: 'login',
    usernameHash: accountHash(Math.floor(random() * 2_000_000)),
    action: 'block',
    decidedBy: 'rule/forms-automation',
    score: 60,
    findings: [{ source: 'detector/automation', reason: 'ua.automation', score: 60 }],
    status: 403,
    upstreamStatus: null,
  });
}

function wave(id: string, time: number, random: () => number): DecisionEvent {
  const n = Math.floor(random() * 2_000_000);
  const cracking = random() < 0.02;
  return base(id, time, {
    ip: `100.${64 + ((n >> 16) % 32)}.${(n >> 8) & 255}.${n & 255}`,
    prefix: `100.${64 + ((n >> 16) % 32)}.${(n >> 8) & 255}.0/24`,
    fingerprint: fingerprint(200 + (n % 8)),
    method: 'POST',
    path: '/login',
    flow: 'login-form',
    flowKind: 'login',
    usernameHash: accountHash(Math.floor(random() * 2_000_000)),
    action: 'deceive',
    decidedBy: 'rule/login-attack-evidence',
    score: 80,
    findings: [
      {
        source: 'detector/credential-stuffing',
        reason: cracking ? 'cracking.many-passwords' : 'stuffing.source-failures',
        score: 80,
        detail: '9 of 10 failed',
      },
      { source: 'detector/credential-stuffing', reason: 'login.unknown-username', score: 20 },
    ],
    status: 200,
    upstreamStatus: null,
  });
}

function scraper(id: string, time: number, random: () => number): DecisionEvent {
  const n = Math.floor(random() * 500);
  const limited = random() < 0.3;
  return base(id, time, {
    ip: `192.0.${n >> 8}.${n & 255}`,
    prefix: `192.0.${n >> 8}.0/24`,
    fingerprint: fingerprint(300 + (n % 10)),
    userAgentClass: 'automation',
    userAgentFamily: 'curl',
    path: `/api/listings/${Math.floor(random() * 5000)}`,
    flow: 'api',
    flowKind: 'api',
    action: limited ? 'ratelimit' : 'allow',
    decidedBy: limited ? 'rule/scraping-ip-rate' : 'default/allow',
    findings: limited
      ? [{ source: 'rule/scraping-ip-rate', reason: 'rate.exceeded', score: 50 }]
      : [{ source: 'detector/automation', reason: 'ua.automation', score: 30 }],
    status: limited ? 429 : 200,
  });
}

function form(id: string, time: number, random: () => number): DecisionEvent {
  const signup = random() < 0.5;
  const spam = random() < 0.3;
  const n = Math.floor(random() * 50_000);
  return base(id, time, {
    ip: `198.18.${n >> 8}.${n & 255}`,
    prefix: `198.18.${n >> 8}.0/24`,
    method: 'POST',
    path: signup ? '/signup' : '/api/listings/7/comments',
    flow: signup ? 'signup-form' : 'api-comments',
    flowKind: signup ? 'signup' : 'comment',
    usernameHash: accountHash(n),
    action: spam ? (signup ? 'block' : 'deceive') : 'allow',
    decidedBy: spam ? 'rule/x' : 'default/allow',
    findings: spam
      ? [{ source: 'detector/x', reason: signup ? 'email.disposable' : 'comment.near-duplicate', score: 70 }]
      : [],
  });
}

function transition(id: string, time: number, state: 'started' | 'ended'): DecisionEvent {
  return base(id, time, {
    type: `attack-mode.${state}`,
    flow: 'login-form',
    flowKind: 'login',
    ip: '',
    prefix: '',
    fingerprint: '',
    userAgentFamily: '',
    action: 'tag',
    decidedBy: 'detector/attack-mode',
    findings: [{ source: 'detector/attack-mode', reason: `attack-mode.${state}`, score: 0 }],
    status: 0,
  });
}

function fingerprint(n: number): string {
  return n.toString(16).padStart(12, 'f');
}

function accountHash(n: number): string {
  return n.toString(16).padStart(32, '0');
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
