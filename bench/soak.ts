/**
 * `npm run soak`: minutes of mixed traffic through a real botgate process in front of the demo
 * marketplace, all on 127.0.0.1, bounded in time and count. Not in CI.
 *
 *   node --import tsx bench/soak.ts [--minutes 3] [--rate 150] [--seed 1]
 *
 * Traffic (clients told apart by X-Forwarded-For, the load generator being the trusted hop):
 * people browsing and signing in with their real passwords (device cookies kept; a sign-in loads
 * the form, types for 1.5–8 s, then posts, and lasts a 10-minute session, as people do: 2 500
 * people among 3 000 accounts), a credential-stuffing run from a combo list (most usernames
 * without an account here) spread over thousands of addresses, a declared attack tool, scrapers,
 * signups, and requests botgate refuses as ambiguous. Open loop at `--rate` requests/s, at most
 * 128 in flight (a send skipped at the cap is counted, never queued); a sign-in's post follows its
 * form's answer after the typing pause, so at most one extra request per request drawn.
 *
 * People were once drawn at random for each request: 200 of them each signed in every 20 s or so,
 * posting at any moment, often within a second of another page of theirs (login.too-fast, the
 * typing clock restarting with every HTML page) and ten times in ten minutes on one account
 * (login-username-rate): 15 % of their logins were challenged, artefacts of the simulation, not
 * of the detectors (docs/threat-model.md, "Soak").
 *
 * Every 10 s the gateway's own metrics are sampled and printed: resident and heap memory, the
 * event-loop delay (p99 and max over the interval), the requests sent and their answers.
 *
 * At the end, nothing may be lost or duplicated: every request sent has an answer carrying a
 * reference id, and that id is in the events (NDJSON); when the event says the upstream answered,
 * the marketplace received that id exactly once; when botgate answered itself, never. The
 * marketplace received nothing else. Exit code 1 otherwise.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Agent, request } from 'undici';
import { stringify } from 'yaml';
import { defaultPolicyPath, loadPolicyFile } from '../src/config/load.js';
import { generateDemoUsers } from '../src/demo/users.js';
import { type BenchProcess, startJsonLineProcess } from './processes.js';

const BOTGATE = fileURLToPath(new URL('../bin/botgate', import.meta.url));
const MAX_IN_FLIGHT = 128;
const SAMPLE_MS = 10_000;
const CHROME = {
  'user-agent':
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'sec-ch-ua': '"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"',
  'sec-ch-ua-mobile': '?0',
  'sec-ch-ua-platform': '"Windows"',
  'accept-language': 'en-GB,en;q=0.9',
  'accept-encoding': 'gzip, deflate, br, zstd',
};
const PAGE = {
  ...CHROME,
  accept: 'text/html,application/xhtml+xml,*/*;q=0.8',
  'sec-fetch-mode': 'navigate',
  'sec-fetch-dest': 'document',
  'sec-fetch-site': 'same-origin',
  'upgrade-insecure-requests': '1',
};
const FETCH = {
  ...CHROME,
  accept: 'application/json',
  'sec-fetch-mode': 'cors',
  'sec-fetch-dest': 'empty',
  'sec-fetch-site': 'same-origin',
};

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '3' },
    rate: { type: 'string', default: '150' },
    seed: { type: 'string', default: '1' },
  },
});
const minutes = Number(values.minutes);
const rate = Number(values.rate);

// --- A small deterministic random source, so two runs send the same mix.
let state = Number(values.seed) >>> 0 || 1;
const random = (): number => {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 2 ** 32;
};
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

// --- The traffic mix: each kind builds one request for a client.
interface Planned {
  readonly kind: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly person?: Person;
  /** A request the same client sends once this one is answered, after a pause (a person typing). */
  readonly followedBy?: { readonly afterMs: number; readonly plan: () => Planned };
  /** Called once this request is answered (its status) or failed (0). */
  readonly done?: (status: number) => void;
}
interface Person {
  readonly ip: string;
  readonly user: { readonly username: string; readonly password: string };
  cookie: string | null;
  /** Between loading the login form and posting it: a person typing loads no other page. */
  typing: boolean;
  /** Until when the person's sign-in lasts (performance.now() ms); 0 when signed out. */
  signedInUntil: number;
}
const USER_COUNT = 3000;
const PEOPLE_COUNT = 2500;
/** How long a sign-in lasts before the person signs in again (a session). */
const SESSION_MS = 10 * 60_000;
/** How long a person takes between the login form arriving and posting it (password managers included). */
const TYPING_MS = { min: 1500, max: 8000 } as const;

/**
 * The marketplace's accounts: the people below, and accounts nobody signs in to during the soak.
 * People sign in the way people do, about once a session, not a dozen times in three minutes:
 * so there are as many people as the soak has sign-ins (about 12/s at the default rate).
 */
const users = generateDemoUsers(USER_COUNT);
// One network each: many people in one /24 would look like one network trying many accounts.
const people: Person[] = users.slice(0, PEOPLE_COUNT).map((user, i) => ({
  ip: `100.${80 + (i >> 8)}.${i & 255}.${((i * 37) % 250) + 1}`,
  user,
  cookie: null,
  typing: false,
  signedInUntil: 0,
}));
/** A person not in the middle of typing a login (there always is one: at most a few dozen type at once). */
const pickIdle = (): Person => {
  for (;;) {
    const p = pick(people);
    if (!p.typing) return p;
  }
};
/** A person signed out and not typing, or null if a few draws find none (everyone is signed in). */
const pickSignedOut = (): Person | null => {
  const now = performance.now();
  for (let tries = 0; tries < 20; tries++) {
    const p = pick(people);
    if (!p.typing && p.signedInUntil <= now) return p;
  }
  return null;
};
const withCookie = (p: Person, headers: Record<string, string>) =>
  p.cookie ? { ...headers, cookie: p.cookie } : headers;

function browse(): Planned {
  const p = pickIdle();
  return {
    kind: 'browse',
    method: 'GET',
    path: pick(['/', '/login', '/signup', '/static/app.css']),
    headers: withCookie(p, { ...PAGE, 'x-forwarded-for': p.ip }),
    person: p,
  };
}

const MIX: readonly [number, () => Planned][] = [
  [30, () => browse()],
  [
    15,
    () => {
      const p = pick(people);
      return {
        kind: 'api-read',
        method: 'GET',
        path: pick(['/api/listings', `/api/listings/${1 + Math.floor(random() * 20)}`]),
        headers: withCookie(p, { ...FETCH, 'x-forwarded-for': p.ip }),
        person: p,
      };
    },
  ],
  [
    8,
    () => {
      // A person signs in the way people do: load the form, type for a few seconds (browsing
      // nothing else meanwhile), post it. The post is sent after the form's answer, not drawn.
      const p = pickSignedOut();
      if (p === null) return browse();
      const password = random() < 0.85 ? p.user.password : `${p.user.password}x`;
      const typingMs = TYPING_MS.min + random() * (TYPING_MS.max - TYPING_MS.min);
      p.typing = true;
      return {
        kind: 'browse',
        method: 'GET',
        path: '/login',
        headers: withCookie(p, { ...PAGE, 'x-forwarded-for': p.ip }),
        person: p,
        followedBy: {
          afterMs: typingMs,
          plan: () => ({
            kind: 'login',
            method: 'POST',
            path: '/login',
            headers: withCookie(p, {
              ...PAGE,
              'x-forwarded-for': p.ip,
              'content-type': 'application/x-www-form-urlencoded',
              'sec-fetch-mode': 'navigate',
            }),
            body: new URLSearchParams({ username: p.user.username, password }).toString(),
            person: p,
            done: (status) => {
              p.typing = false;
              // The marketplace redirects after a successful sign-in; anything else leaves the person signed out.
              if (status === 302) p.signedInUntil = performance.now() + SESSION_MS;
            },
          }),
        },
      };
    },
  ],
  [
    25,
    () => {
      const ip = `203.0.${Math.floor(random() * 16)}.${Math.floor(random() * 256)}`;
      const body = JSON.stringify({
        // A combo list from another site's breach: most of its usernames have no account here.
        username: `${pick(users).username}${random() < 0.1 ? '' : Math.floor(random() * 10_000)}`,
        password: randomBytes(6).toString('hex'),
      });
      return {
        kind: 'stuffing',
        method: 'POST',
        path: '/api/login',
        headers: { ...FETCH, 'x-forwarded-for': ip, 'content-type': 'application/json' },
        body,
      };
    },
  ],
  [
    4,
    () => ({
      kind: 'attack-tool',
      method: 'POST',
      path: '/login',
      headers: {
        'user-agent': 'Mozilla/5.0 (Hydra)',
        'x-forwarded-for': `192.0.2.${Math.floor(random() * 50)}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'username=admin&password=admin',
    }),
  ],
  [
    10,
    () => ({
      kind: 'scraper',
      method: 'GET',
      path: `/api/listings/${1 + Math.floor(random() * 20)}`,
      headers: { 'user-agent': 'python-requests/2.31.0', 'x-forwarded-for': `100.64.0.${Math.floor(random() * 3)}` },
    }),
  ],
  [
    5,
    () => {
      const name = `soak${randomBytes(4).toString('hex')}`;
      const domain = random() < 0.3 ? 'mailinator.com' : 'gmail.com';
      return {
        kind: 'signup',
        method: 'POST',
        path: '/api/signup',
        headers: {
          ...FETCH,
          'x-forwarded-for': `198.19.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ username: name, email: `${name}@${domain}`, password: randomBytes(8).toString('hex') }),
      };
    },
  ],
  [
    3,
    () => ({
      kind: 'refused',
      method: 'POST',
      path: pick(['/login;jsessionid=1', '/l%6Fgin', '/api%2Flogin']),
      headers: {
        ...FETCH,
        'x-forwarded-for': `198.51.100.${Math.floor(random() * 256)}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'username=alice&password=x',
    }),
  ],
  [
    2,
    () => ({
      kind: 'dup-field',
      method: 'POST',
      path: '/login',
      headers: {
        ...PAGE,
        'x-forwarded-for': `198.51.101.${Math.floor(random() * 256)}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'username=decoy&password=x&username=victim',
    }),
  ],
];
/** The kinds sent by people; every other kind is automated. */
const PEOPLE = new Set(['browse', 'api-read', 'login']);
const TOTAL_WEIGHT = MIX.reduce((n, [w]) => n + w, 0);
function plan(): Planned {
  let r = random() * TOTAL_WEIGHT;
  for (const [w, make] of MIX) {
    r -= w;
    if (r < 0) return make();
  }
  return MIX[0]![1]();
}

// --- Run.
interface SoakEvent {
  readonly id: string;
  readonly upstreamStatus: number | null;
  readonly status: number;
  readonly decidedBy: string;
  readonly findings: readonly { readonly reason: string }[];
}
interface Sent {
  readonly kind: string;
  readonly status: number;
  readonly id: string | null;
  readonly error: string | null;
}

interface Sample {
  readonly atS: number;
  readonly rssMb: number;
  readonly heapMb: number;
  readonly lagP99Ms: number;
  readonly lagMaxMs: number;
  readonly sent: number;
}

async function metric(adminUrl: string): Promise<Record<string, number>> {
  const res = await request(`${adminUrl}/metrics`);
  const text = await res.body.text();
  const values: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m =
      /^(botgate_(?:process_resident_memory_bytes|nodejs_heap_size_used_bytes|nodejs_eventloop_lag_p99_seconds|nodejs_eventloop_lag_max_seconds)) ([0-9.e+-]+)$/.exec(
        line,
      );
    if (m) values[m[1]!] = Number(m[2]);
  }
  return values;
}

async function main(): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'botgate-soak-'));
  const eventsFile = join(dir, 'events.ndjson');
  const policy = await loadPolicyFile(defaultPolicyPath());
  let upstream: BenchProcess | null = null;
  let gateway: BenchProcess | null = null;
  try {
    const usersCsv = join(dir, 'users.csv');
    await writeFile(
      usersCsv,
      ['username,email,password', ...users.map((u) => `${u.username},${u.email},${u.password}`)].join('\n'),
    );
    upstream = await startJsonLineProcess(process.execPath, [
      BOTGATE,
      'marketplace',
      '--listen',
      '127.0.0.1:0',
      '--users',
      usersCsv,
    ]);
    const upstreamUrl = upstream.addresses.upstream!;
    const config = join(dir, 'policy.yaml');
    await writeFile(
      config,
      stringify({
        ...policy,
        listen: '127.0.0.1:0',
        admin: { listen: '127.0.0.1:0' },
        upstream: { ...policy.upstream, url: upstreamUrl },
        trustedProxies: ['127.0.0.1'],
        secret: 'soak-secret-0123456789abcdef',
        events: { ...policy.events, sqlite: false, ndjson: eventsFile },
      }),
    );
    gateway = await startJsonLineProcess(process.execPath, [
      BOTGATE,
      'run',
      '--config',
      config,
      '--log-level',
      'error',
    ]);
    const base = gateway.addresses.gateway!;
    const admin = gateway.addresses.admin!;
    const dispatcher = new Agent({ connections: MAX_IN_FLIGHT, pipelining: 1 });

    const sent: Sent[] = [];
    let inFlight = 0;
    let skipped = 0;
    const maxRequests = Math.ceil(minutes * 60 * rate);
    const started = performance.now();
    const deadline = started + minutes * 60_000;
    const samples: Sample[] = [];
    console.log(
      `soak: ${minutes} min at ${rate} requests/s (at most ${maxRequests} drawn, plus each sign-in's post), ${MAX_IN_FLIGHT} in flight at most; gateway ${base}`,
    );
    console.log('   t  sent  answered  rss MB  heap MB  loop p99 ms  loop max ms');

    let pending = 0;
    /** Requests sent after another's answer (a login form's post): not drawn, so not in `issued`. */
    let followUps = 0;
    const fire = (p: Planned = plan()): void => {
      inFlight++;
      let status = 0;
      request(`${base}${p.path}`, {
        dispatcher,
        method: p.method,
        headers: p.headers,
        ...(p.body === undefined ? {} : { body: p.body }),
      })
        .then(async (res) => {
          await res.body.dump();
          status = res.statusCode;
          const cookie = res.headers['set-cookie'];
          const device = (Array.isArray(cookie) ? cookie : cookie ? [cookie] : []).find((c) => c.startsWith('__bg_d='));
          if (p.person && device) p.person.cookie = device.split(';')[0]!;
          sent.push({
            kind: p.kind,
            status: res.statusCode,
            id: (res.headers['x-botgate-id'] as string | undefined) ?? null,
            error: null,
          });
        })
        .catch((err: unknown) =>
          sent.push({ kind: p.kind, status: 0, id: null, error: String((err as { code?: string }).code ?? err) }),
        )
        .finally(() => {
          inFlight--;
          p.done?.(status);
          const next = p.followedBy;
          if (next === undefined) return;
          pending++;
          followUps++;
          setTimeout(() => {
            pending--;
            fire(next.plan());
          }, next.afterMs);
        });
    };

    let issued = 0;
    let nextSample = started + SAMPLE_MS;
    while (performance.now() < deadline && issued < maxRequests) {
      const due = Math.min(maxRequests, Math.floor(((performance.now() - started) / 1000) * rate));
      while (issued < due) {
        issued++;
        if (inFlight >= MAX_IN_FLIGHT) skipped++;
        else fire();
      }
      if (performance.now() >= nextSample) {
        nextSample += SAMPLE_MS;
        const m = await metric(admin);
        const sample: Sample = {
          atS: Math.round((performance.now() - started) / 1000),
          rssMb: (m.botgate_process_resident_memory_bytes ?? 0) / 2 ** 20,
          heapMb: (m.botgate_nodejs_heap_size_used_bytes ?? 0) / 2 ** 20,
          lagP99Ms: (m.botgate_nodejs_eventloop_lag_p99_seconds ?? 0) * 1000,
          lagMaxMs: (m.botgate_nodejs_eventloop_lag_max_seconds ?? 0) * 1000,
          sent: issued - skipped + followUps,
        };
        samples.push(sample);
        console.log(
          `${String(sample.atS).padStart(4)} ${String(sample.sent).padStart(5)} ${String(sent.length).padStart(9)} ${sample.rssMb.toFixed(1).padStart(7)} ${sample.heapMb.toFixed(1).padStart(8)} ${sample.lagP99Ms.toFixed(1).padStart(12)} ${sample.lagMaxMs.toFixed(1).padStart(12)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    while (inFlight > 0 || pending > 0) await new Promise((r) => setTimeout(r, 20));
    await dispatcher.close();

    // Stop the gateway first: a graceful stop flushes its events.
    await gateway.stop();
    gateway = null;
    const events = new Map<string, SoakEvent>();
    for (const line of (await readFile(eventsFile, 'utf8')).split('\n')) {
      if (!line) continue;
      const e = JSON.parse(line) as SoakEvent & { type: string };
      if (e.type === 'decision') events.set(e.id, e);
    }
    const received = new Map<string, number>();
    for (let after = 0; ; ) {
      const res = await request(`${upstreamUrl}/__demo/received?after=${after}`);
      const page = (await res.body.json()) as { next: number; items: { id: string | null }[] };
      if (page.items.length === 0) break;
      for (const item of page.items) if (item.id) received.set(item.id, (received.get(item.id) ?? 0) + 1);
      after = page.next;
    }

    // The accounting.
    const problems: string[] = [];
    const byKind = new Map<string, Map<number, number>>();
    const sentIds = new Set<string>();
    let forwarded = 0;
    let answeredByBotgate = 0;
    for (const s of sent) {
      const statuses = byKind.get(s.kind) ?? new Map<number, number>();
      statuses.set(s.status, (statuses.get(s.status) ?? 0) + 1);
      byKind.set(s.kind, statuses);
      if (s.error !== null || s.id === null) {
        problems.push(`${s.kind}: no answer with a reference id (${s.error ?? `status ${s.status}`})`);
        continue;
      }
      sentIds.add(s.id);
      const event = events.get(s.id);
      if (event === undefined) {
        problems.push(`${s.kind}: ${s.id} (status ${s.status}) is not in the events`);
        continue;
      }
      const times = received.get(s.id) ?? 0;
      if (event.upstreamStatus !== null) {
        forwarded++;
        if (times !== 1) problems.push(`${s.kind}: ${s.id} forwarded, received ${times} times upstream`);
      } else {
        answeredByBotgate++;
        if (times !== 0) problems.push(`${s.kind}: ${s.id} answered by botgate, yet received upstream`);
      }
    }
    const unknown = [...received.keys()].filter((id) => !sentIds.has(id));
    if (unknown.length > 0)
      problems.push(`${unknown.length} requests reached the marketplace that the soak did not send`);

    const seconds = (performance.now() - started) / 1000;
    console.log(
      `\n${sent.length} requests in ${seconds.toFixed(0)} s (${(sent.length / seconds).toFixed(0)}/s), ${skipped} skipped at the in-flight cap`,
    );
    console.log(
      `forwarded and received once upstream: ${forwarded}; answered by botgate (not forwarded): ${answeredByBotgate}; events: ${events.size}`,
    );
    for (const [kind, statuses] of byKind) {
      console.log(
        `  ${kind.padEnd(12)} ${[...statuses]
          .sort(([a], [b]) => a - b)
          .map(([status, n]) => `${status}×${n}`)
          .join('  ')}`,
      );
    }
    // Why people were stopped: real users must almost never be challenged or blocked.
    const stopped = new Map<string, number>();
    for (const s of sent) {
      if (!PEOPLE.has(s.kind) || s.id === null) continue;
      const e = events.get(s.id);
      if (e === undefined || e.upstreamStatus !== null) continue;
      const why = `${s.kind} ${s.status} ${e.decidedBy} [${e.findings.map((f) => f.reason).join(' ')}]`;
      stopped.set(why, (stopped.get(why) ?? 0) + 1);
    }
    if (stopped.size > 0) {
      console.log('people answered by botgate, by decision and reasons:');
      for (const [why, n] of [...stopped].sort(([, a], [, b]) => b - a).slice(0, 15))
        console.log(`  ${String(n).padStart(5)}  ${why}`);
    }
    if (samples.length >= 2) {
      const half = samples.slice(Math.floor(samples.length / 2));
      const first = half[0]!;
      const last = samples[samples.length - 1]!;
      console.log(
        `memory, second half: rss ${first.rssMb.toFixed(1)} → ${last.rssMb.toFixed(1)} MB, heap ${first.heapMb.toFixed(1)} → ${last.heapMb.toFixed(1)} MB; ` +
          `event-loop delay p99 at most ${Math.max(...samples.map((s) => s.lagP99Ms)).toFixed(1)} ms, max ${Math.max(...samples.map((s) => s.lagMaxMs)).toFixed(1)} ms`,
      );
    }
    if (problems.length > 0) {
      console.log(`\nLOST OR DUPLICATED: ${problems.length}`);
      for (const p of problems.slice(0, 20)) console.log(`  ${p}`);
      return 1;
    }
    console.log('nothing lost, nothing duplicated');
    return 0;
  } finally {
    await gateway?.stop();
    await upstream?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

process.exit(await main());
