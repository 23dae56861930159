/**
 * Signal extractors, per call, against a baseline measured in the same run: `JSON.stringify` of
 * a small object (three fields), about the least any per-request work costs.
 *
 *   node --import tsx bench/signals.ts
 *
 * Each row is the best of ROUNDS rounds of ~ROUND_MS after a warm-up, in nanoseconds per call
 * on one core. Rows marked "reference" are what the extractors avoid or build on (node:net
 * BlockList with a string, isbot alone), there to justify the choice. Timings vary by machine
 * and load; compare the ratios. The hot-path budget for all detection is 5–10 µs (DESIGN.md).
 */
import { createHmac } from 'node:crypto';
import { BlockList } from 'node:net';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { isbot } from 'isbot';
import { extractFields } from '../src/signals/body-fields.js';
import { createClientIpResolver, createTrustedProxyCheck } from '../src/signals/client-ip.js';
import { createSignalExtractor, type RequestHead } from '../src/signals/extract.js';
import { createFieldNormaliser } from '../src/signals/fields.js';
import { headerFingerprint } from '../src/signals/fingerprint.js';
import { createKeyedHasher, hmacKey, normaliseIdentity } from '../src/signals/identity.js';
import { networkPrefix } from '../src/signals/network-prefix.js';
import { uaInconsistency } from '../src/signals/ua-consistency.js';
import { classifyUserAgent } from '../src/signals/user-agent.js';

const ROUND_MS = 150;
const ROUNDS = 3;
const BATCH = 100;

/** Prevents the optimiser from dropping work whose result is unused. */
let sink = 0;

function consume(value: unknown): void {
  if (typeof value === 'string') sink += value.length;
  else if (value === null || value === undefined) sink++;
  else if (typeof value === 'boolean') sink += value ? 1 : 0;
  else sink += 2;
}

/** Nanoseconds per call: the best of ROUNDS rounds after a warm-up. */
function nsPerOp(op: () => unknown): number {
  const warmUpUntil = performance.now() + ROUND_MS / 2;
  while (performance.now() < warmUpUntil) for (let i = 0; i < BATCH; i++) consume(op());
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round++) {
    let n = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < ROUND_MS) {
      for (let i = 0; i < BATCH; i++) consume(op());
      n += BATCH;
      elapsed = performance.now() - start;
    }
    best = Math.min(best, (elapsed * 1e6) / n);
  }
  return best;
}

const CHROME_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const CHROME_RAW = [
  'Host',
  'shop.example.com',
  'Connection',
  'keep-alive',
  'sec-ch-ua',
  '"Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99"',
  'sec-ch-ua-mobile',
  '?0',
  'sec-ch-ua-platform',
  '"Windows"',
  'Upgrade-Insecure-Requests',
  '1',
  'User-Agent',
  CHROME_UA,
  'Accept',
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7',
  'Sec-Fetch-Site',
  'same-origin',
  'Sec-Fetch-Mode',
  'navigate',
  'Sec-Fetch-User',
  '?1',
  'Sec-Fetch-Dest',
  'document',
  'Referer',
  'https://shop.example.com/listings/42',
  'Accept-Encoding',
  'gzip, deflate, br, zstd',
  'Accept-Language',
  'en-US,en;q=0.9',
  'Cookie',
  'session=7f3c2a9b; theme=dark',
  'X-Forwarded-For',
  '198.51.100.7',
  'X-Forwarded-Proto',
  'https',
];

function headersOf(raw: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i < raw.length; i += 2) headers[(raw[i] as string).toLowerCase()] = raw[i + 1] as string;
  return headers;
}

export interface BenchRow {
  readonly name: string;
  readonly nsPerOp: number;
}

export function main(): BenchRow[] {
  const small = { id: 42, name: 'alice', tags: ['a', 'b'] };
  const proxies = ['10.0.0.0/8', '2001:db8:100::/48'];
  const resolveBehindProxy = createClientIpResolver(proxies);
  const resolveDirect = createClientIpResolver([]);
  const isTrusted = createTrustedProxyCheck(proxies);
  const blockList = new BlockList();
  blockList.addSubnet('10.0.0.0', 8, 'ipv4');
  blockList.addSubnet('2001:db8:100::', 48, 'ipv6');
  const headers = headersOf(CHROME_RAW);
  const chrome = classifyUserAgent(CHROME_UA);
  // More distinct strings than the cache holds, so every call in the "uncached" row parses.
  const uniqueAgents = Array.from({ length: 25_000 }, (_, i) => `${CHROME_UA} build/${i}`);
  let nextAgent = 0;
  const hash = createKeyedHasher('bench-secret-0123456789abcdef');
  // The key forms HMACs can take: their cost differs by Node version (identity.ts, hmacKey).
  const bufferKey = Buffer.from('bench-secret-0123456789abcdef');
  const objectKey = hmacKey(bufferKey);
  const normaliseFields = createFieldNormaliser('bench-secret-0123456789abcdef');
  const form = Buffer.from('username=alice%40example.com&password=correct+horse&remember=1');
  const json = Buffer.from('{"user":{"email":"alice@example.com"},"password":"correct horse","remember":true}');
  const extract = createSignalExtractor({ trustedProxies: ['10.0.0.0/8'] });
  const head: RequestHead = { peer: '10.0.0.2', method: 'GET', rawHeaders: CHROME_RAW, headers, secure: false };

  const cases: [string, () => unknown][] = [
    ['baseline: JSON.stringify(small object)', () => JSON.stringify(small)],
    ['client IP, no trusted proxies', () => resolveDirect('203.0.113.9', '198.51.100.7')],
    ['client IP, trusted peer + 2 hops', () => resolveBehindProxy('10.0.0.1', '198.51.100.7, 10.0.0.2')],
    ['client IP, IPv6 behind trusted peer', () => resolveBehindProxy('::ffff:10.0.0.1', '[2001:db8:7::1]:443')],
    ['trusted-proxy check (CidrSet)', () => isTrusted('203.0.113.9')],
    ['reference: BlockList.check(string)', () => blockList.check('203.0.113.9', 'ipv4')],
    ['network prefix, IPv4', () => networkPrefix('203.0.113.9')],
    ['network prefix, IPv6', () => networkPrefix('2001:db8:1:2::5')],
    ['header fingerprint (Chrome, 18 headers)', () => headerFingerprint(CHROME_RAW)],
    ['user agent, cached', () => classifyUserAgent(CHROME_UA)],
    ['user agent, uncached (parse)', () => classifyUserAgent(uniqueAgents[nextAgent++ % uniqueAgents.length])],
    ['reference: isbot(Chrome UA)', () => isbot(CHROME_UA)],
    ['UA consistency (Chrome, secure)', () => uaInconsistency(chrome, headers, { secure: true, navigation: true })],
    ['normaliseIdentity (ASCII e-mail)', () => normaliseIdentity('Alice.Smith@Example.com')],
    ['keyed hash (HMAC-SHA256/128)', () => hash('alice@example.com')],
    ['reference: HMAC-SHA256, Buffer key', () => createHmac('sha256', bufferKey).update('alice@example.com').digest()],
    [
      'reference: HMAC-SHA256, KeyObject key',
      () => createHmac('sha256', objectKey).update('alice@example.com').digest(),
    ],
    [
      'body fields, form',
      () => extractFields(form, 'application/x-www-form-urlencoded', { username: 'username', password: 'password' }),
    ],
    [
      'body fields, JSON dotted path',
      () => extractFields(json, 'application/json', { email: 'user.email', password: 'password' }),
    ],
    [
      'field normaliser (username+password)',
      () => normaliseFields({ username: 'Alice@Example.com', password: 'correct horse' }),
    ],
    ['whole head: createSignalExtractor', () => extract(head)],
  ];

  const rows: BenchRow[] = cases.map(([name, op]) => ({ name, nsPerOp: nsPerOp(op) }));
  const baseline = (rows[0] as BenchRow).nsPerOp;
  const width = Math.max(...rows.map((r) => r.name.length));
  console.log(
    `signal extractors, ns per call on one core (machine: ${availableParallelism()} cores; the reference machine has 2)`,
  );
  console.log(`${'extractor'.padEnd(width)}  ${'ns/op'.padStart(9)}  ${'× baseline'.padStart(10)}`);
  for (const row of rows) {
    console.log(
      `${row.name.padEnd(width)}  ${row.nsPerOp.toFixed(0).padStart(9)}  ${(row.nsPerOp / baseline).toFixed(2).padStart(10)}`,
    );
  }
  if (sink === -1) console.log(sink);
  return rows;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
