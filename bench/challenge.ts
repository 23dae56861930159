/**
 * Challenge cost, against a baseline measured in the same run: one HMAC-SHA256 of a short
 * string (`createHmac(key).update(s).digest()`), the least any signed-token operation can cost.
 *
 *   (a) server side, one core: challenge pages rendered, JSON challenges built, challenges issued,
 *       solutions verified, clearances signed and verified, client bindings computed per second,
 *       and each one's cost in HMACs;
 *   (b) solving: hashes per second of the Node reference solver, and in Chromium (when
 *       /usr/bin/chromium or CHROMIUM_PATH exists) of the page's JavaScript SHA-256 in one worker
 *       and of crypto.subtle.digest batched, then the real page end to end (navigation to POST).
 *
 *   node --import tsx bench/challenge.ts
 *
 * Timings vary by machine and load; the ratios are what to compare. The reference machine has
 * 2 cores, so the page's end-to-end run uses 2 workers there.
 */
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { clientBinding } from '../src/actions/challenge/binding.js';
import { HASHER_SOURCE } from '../src/actions/challenge/browser-solver.js';
import { createClearanceSigner } from '../src/actions/challenge/clearance.js';
import { difficultyFor, meanSolveSeconds } from '../src/actions/challenge/difficulty.js';
import { challengeFor } from '../src/actions/challenge/escalation.js';
import { jsonChallenge } from '../src/actions/challenge/json-challenge.js';
import { renderChallengePage } from '../src/actions/challenge/page.js';
import { createChallengeIssuer } from '../src/actions/challenge/proof-of-work.js';
import { solveChallenge } from '../src/actions/challenge/solver.js';
import { clearanceSufficiency } from '../src/actions/challenge/sufficiency.js';
import { systemClock } from '../src/state/clock.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const KEYS = [{ id: 'bench', secret: 'bench-secret-0123456789abcdef' }];
const CLIENT = { prefix: '203.0.113.0/24', fingerprint: 'fp-3f9a1c2b' };
const CHROME_HEADERS = {
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36',
  'accept-language': 'en-GB,en;q=0.9',
  'sec-ch-ua-platform': '"Linux"',
  'sec-ch-ua-mobile': '?0',
};
const ROUND_MS = 400;
const ROUNDS = 5;

/** Prevents the optimiser from dropping work whose result is unused. */
let sink = 0;

/** Operations per second: the best of ROUNDS rounds of ~ROUND_MS each, after a warm-up. */
function opsPerSecond(op: () => unknown): number {
  for (let i = 0; i < 2_000; i++) op();
  let best = 0;
  for (let round = 0; round < ROUNDS; round++) {
    let n = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < ROUND_MS) {
      for (let i = 0; i < 200; i++) {
        const r = op();
        if (r === null) sink++;
      }
      n += 200;
      elapsed = performance.now() - start;
    }
    best = Math.max(best, (n / elapsed) * 1000);
  }
  return best;
}

function serverSide(): void {
  const issuer = createChallengeIssuer({ keys: KEYS, current: 'bench', clock: systemClock });
  const signer = createClearanceSigner({ keys: KEYS, current: 'bench', graceMs: 3_600_000, clock: systemClock });
  const hmacKey = Buffer.from('bench-secret-0123456789abcdef');
  const message = 'v1.bench.eyJpIjoxNzY3MjI1NjAwMDAwLCJlIjoxNzY3MjI5MjAwMDAwfQ';
  const RANGE = { base: 16, max: 22 };
  const difficulty = difficultyFor(0, RANGE);
  const issued = issuer.issue({ ...CLIENT, difficulty, returnTo: '/login?next=%2Fcart' });
  const solution = String(solveChallenge(issued.token, difficulty));
  const clearance = signer.sign({ ...CLIENT, level: difficulty }).token;
  if (issuer.verify(issued.token, solution, CLIENT).result !== 'ok' || !signer.verify(clearance, CLIENT).ok) {
    throw new Error('Cannot run the benchmark: a fresh challenge or clearance did not verify');
  }

  const baseline = opsPerSecond(() => createHmac('sha256', hmacKey).update(message).digest());
  const cases: [string, () => unknown][] = [
    [
      'render challenge page (HTML)',
      () =>
        renderChallengePage({
          challenge: issued.token,
          difficulty,
          returnTo: '/login',
          referenceId: '0123456789abcdef',
        }).body,
    ],
    [
      'build JSON challenge',
      () =>
        jsonChallenge({ token: issued.token, difficulty, expiresAt: issued.expiresAt, referenceId: '0123456789abcdef' })
          .body,
    ],
    ['issue challenge (sign token)', () => issuer.issue({ ...CLIENT, difficulty, returnTo: '/login' }).token],
    ['verify solution (MAC, binding, work)', () => issuer.verify(issued.token, solution, CLIENT).result],
    ['sign clearance', () => signer.sign({ ...CLIENT, level: difficulty }).token],
    ['verify clearance (every cleared request)', () => signer.verify(clearance, CLIENT).ok],
    [
      'verify clearance and judge it against the demand',
      () => {
        const check = signer.verify(clearance, CLIENT);
        return check.ok && clearanceSufficiency(check.claims, challengeFor(55, RANGE, 90)) === 'sufficient';
      },
    ],
    ['client binding from 4 headers', () => clientBinding(CHROME_HEADERS)],
  ];
  const rows = [
    {
      case: 'baseline: one HMAC-SHA256',
      'ops/s': Math.round(baseline),
      'µs/op': (1e6 / baseline).toFixed(2),
      'cost in HMACs': '1.00',
    },
  ];
  for (const [name, op] of cases) {
    const rate = opsPerSecond(op);
    rows.push({
      case: name,
      'ops/s': Math.round(rate),
      'µs/op': (1e6 / rate).toFixed(2),
      'cost in HMACs': (baseline / rate).toFixed(2),
    });
  }
  console.log('\n(a) server side, one core');
  console.table(rows);
}

function nodeSolverRate(): number {
  const issuer = createChallengeIssuer({ keys: KEYS, current: 'bench', clock: systemClock });
  let tries = 0;
  const start = performance.now();
  while (performance.now() - start < 3_000) {
    const issued = issuer.issue({ ...CLIENT, difficulty: 16, returnTo: '/login?next=%2Fcart' });
    tries += solveChallenge(issued.token, 16) + 1;
  }
  return (tries / (performance.now() - start)) * 1000;
}

interface BrowserRates {
  readonly jsWorker: number;
  readonly subtleWorker: number;
  readonly pageRuns: readonly { readonly ms: number; readonly tries: number }[];
}

/** Hash rates inside Chromium workers, and the real page solving DIFFICULTY end to end. */
async function browserRates(token: string): Promise<BrowserRates> {
  const { chromium } = await import('playwright-core');
  const issuer = createChallengeIssuer({ keys: KEYS, current: 'bench', clock: systemClock });
  const pageDifficulty = 18;
  let pending: ((solution: number) => void) | null = null;
  const server = createServer((req, res) => {
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        pending?.(Number(new URLSearchParams(Buffer.concat(chunks).toString()).get('solution')));
        res.writeHead(204);
        res.end();
      });
      return;
    }
    if (req.url === '/challenge') {
      const issued = issuer.issue({ ...CLIENT, difficulty: pageDifficulty, returnTo: '/' });
      const page = renderChallengePage({
        challenge: issued.token,
        difficulty: pageDifficulty,
        returnTo: '/',
        referenceId: 'bench',
      });
      res.writeHead(page.status, page.headers);
      res.end(page.body);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>bench</title>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    await page.goto(`${origin}/`); // a secure context (loopback), so crypto.subtle exists
    // Runs in the page; written as a string because this project compiles without DOM types.
    const measure = (source: string): Promise<number> =>
      page.evaluate(`new Promise((resolve, reject) => {
        const worker = new Worker(URL.createObjectURL(new Blob([${JSON.stringify(source)}], { type: 'text/javascript' })));
        worker.onmessage = (e) => { worker.terminate(); resolve(e.data); };
        worker.onerror = (e) => reject(new Error(e.message));
        worker.postMessage(${JSON.stringify(token)});
      })`);
    const jsWorker = await measure(`${HASHER_SOURCE}
      self.onmessage = function (e) {
        var hash = makeHasher(e.data + ':'), n = 0, zeros = 0, start = performance.now();
        while (performance.now() - start < 2000) {
          for (var i = 0; i < 4096; i++) if (hasZeroBits(hash(String(n++)), 8)) zeros++;
        }
        self.postMessage(n / ((performance.now() - start) / 1000) + zeros * 0);
      };`);
    const subtleWorker = await measure(`
      self.onmessage = async function (e) {
        var enc = new TextEncoder(), prefix = e.data + ':', n = 0, start = performance.now();
        while (performance.now() - start < 2000) {
          var batch = [];
          for (var i = 0; i < 512; i++) batch.push(crypto.subtle.digest('SHA-256', enc.encode(prefix + (n++))));
          await Promise.all(batch);
        }
        self.postMessage(n / ((performance.now() - start) / 1000));
      };`);
    const pageRuns: { ms: number; tries: number }[] = [];
    for (let run = 0; run < 5; run++) {
      const solved = new Promise<number>((resolve) => {
        pending = resolve;
      });
      const start = performance.now();
      await page.goto(`${origin}/challenge`);
      const counter = await solved;
      pageRuns.push({ ms: performance.now() - start, tries: counter + 1 });
    }
    return { jsWorker, subtleWorker, pageRuns };
  } finally {
    await browser.close();
    server.close();
  }
}

export async function main(): Promise<void> {
  console.log(
    `Challenge benchmark (node ${process.version}, ${availableParallelism()} cores; reference machine: 2 cores)`,
  );
  serverSide();

  console.log('\n(b) solving: hashes per second, one core unless said');
  const node = nodeSolverRate();
  const rows: { solver: string; 'hashes/s': number; 'vs Node solver': string; 'mean s at 18 bits': string }[] = [
    {
      solver: 'Node reference solver (node:crypto, Hash.copy)',
      'hashes/s': Math.round(node),
      'vs Node solver': '1.00',
      'mean s at 18 bits': meanSolveSeconds(18, node).toFixed(2),
    },
  ];
  if (existsSync(CHROMIUM)) {
    const issuer = createChallengeIssuer({ keys: KEYS, current: 'bench', clock: systemClock });
    const token = issuer.issue({ ...CLIENT, difficulty: 18, returnTo: '/login?next=%2Fcart' }).token;
    const b = await browserRates(token);
    const row = (solver: string, rate: number) => ({
      solver,
      'hashes/s': Math.round(rate),
      'vs Node solver': (rate / node).toFixed(2),
      'mean s at 18 bits': meanSolveSeconds(18, rate).toFixed(2),
    });
    rows.push(row('Chromium worker, page SHA-256 (JS, midstate)', b.jsWorker));
    rows.push(row('Chromium worker, crypto.subtle.digest ×512', b.subtleWorker));
    console.table(rows);
    const totalMs = b.pageRuns.reduce((s, r) => s + r.ms, 0);
    const totalTries = b.pageRuns.reduce((s, r) => s + r.tries, 0);
    console.log(
      `\nReal page at 18 bits, navigation to POST, ${b.pageRuns.length} runs (${Math.min(4, availableParallelism())} workers): ` +
        b.pageRuns.map((r) => `${Math.round(r.ms)} ms/${r.tries} tries`).join(', ') +
        `; overall ${Math.round((totalTries / totalMs) * 1000)} tries/s, mean ${Math.round(totalMs / b.pageRuns.length)} ms`,
    );
    console.log(`JS SHA-256 vs crypto.subtle in Chromium: ${(b.jsWorker / b.subtleWorker).toFixed(1)}x`);
  } else {
    console.table(rows);
    console.log(`(Chromium not found at ${CHROMIUM}; set CHROMIUM_PATH to measure the browser side)`);
  }
  if (sink === -1) console.log(sink);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
