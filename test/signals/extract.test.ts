/**
 * The extractor on heads parsed by a real node:http server: fixtures are written byte for byte
 * on a TCP socket (keeping their order and casing), so rawHeaders and headers are Node's own.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignalExtractor, type RequestHead, type SignalExtractor } from '../../src/signals/extract.js';
import { headerFingerprint } from '../../src/signals/fingerprint.js';
import type { RequestSignals } from '../../src/signals/request-signals.js';
import { type FixtureName, loadFixture } from './header-fixtures.js';

let server: Server;
let port: number;
/** The extractor the server applies to the next request. */
let extractor: SignalExtractor;

function headOf(req: IncomingMessage): RequestHead {
  return {
    peer: req.socket.remoteAddress ?? '',
    method: req.method ?? 'GET',
    rawHeaders: req.rawHeaders,
    headers: req.headers,
    secure: false,
  };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const signals = extractor(headOf(req));
    res.setHeader('connection', 'close');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(signals));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.close();
  await once(server, 'close');
});

interface Send {
  readonly method?: string;
  readonly rawHeaders: readonly string[];
  /** Header lines added after the fixture's, as a proxy would append them. */
  readonly extra?: readonly string[];
}

async function send(request: Send): Promise<RequestSignals> {
  const method = request.method ?? 'GET';
  const lines = [`${method} /login HTTP/1.1`];
  const raw = [...request.rawHeaders, ...(request.extra ?? [])];
  let hasLength = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    // Declared lengths of fixture bodies are dropped: this test sends none.
    if (name.toLowerCase() === 'content-length') {
      hasLength = true;
      lines.push(`${name}: 0`);
      continue;
    }
    lines.push(`${name}: ${raw[i + 1]}`);
  }
  if (method === 'POST' && !hasLength) lines.push('Content-Length: 0');
  const socket = connect(port, '127.0.0.1');
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(socket, 'end');
  socket.destroy();
  const response = Buffer.concat(chunks).toString('utf8');
  const status = response.slice(0, response.indexOf('\r\n'));
  expect(status).toBe('HTTP/1.1 200 OK');
  return JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)) as RequestSignals;
}

async function sendFixture(
  name: FixtureName,
  extra: readonly string[] = [],
  edit?: (raw: string[]) => string[],
): Promise<RequestSignals> {
  const fixture = loadFixture(name);
  const raw = edit ? edit([...fixture.rawHeaders]) : fixture.rawHeaders;
  return send({ method: fixture.method, rawHeaders: raw, extra });
}

const withoutHints = (raw: string[]): string[] => {
  const kept: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    if (!name.toLowerCase().startsWith('sec-ch-ua')) kept.push(name, raw[i + 1] as string);
  }
  return kept;
};

const withHost =
  (host: string) =>
  (raw: string[]): string[] =>
    raw.map((v, i) => (i % 2 === 1 && raw[i - 1] === 'Host' ? host : v));

describe('createSignalExtractor without trusted proxies', () => {
  beforeAll(() => {
    extractor = createSignalExtractor({ trustedProxies: [] });
  });

  it('assembles every signal for a real Chrome head', async () => {
    const signals = await sendFixture('chrome-navigation');
    expect(signals).toEqual({
      ip: '127.0.0.1',
      prefix: '127.0.0.0/24',
      fingerprint: headerFingerprint(loadFixture('chrome-navigation').rawHeaders),
      userAgent: { class: 'browser', family: 'chrome', mobile: false, engine: 'blink', engineVersion: 124 },
      uaInconsistency: null,
      acceptsHtml: true,
    });
  });

  it('ignores a spoofed X-Forwarded-For', async () => {
    const signals = await sendFixture('curl', ['X-Forwarded-For', '198.51.100.7']);
    expect(signals.ip).toBe('127.0.0.1');
    expect(signals.userAgent).toMatchObject({ class: 'automation', family: 'curl' });
    expect(signals.acceptsHtml).toBe(false);
  });

  it('sees tools for what they are', async () => {
    expect((await sendFixture('hydra-login-post')).userAgent).toMatchObject({ class: 'automation', family: 'hydra' });
    expect((await sendFixture('python-requests-as-chrome')).uaInconsistency).toBe('missing accept-language');
    expect((await send({ rawHeaders: ['Host', 'shop.example.com'] })).userAgent.class).toBe('empty');
  });

  it('judges the head as a plain-HTTP context unless the host is localhost', async () => {
    expect((await sendFixture('chrome-navigation', [], withoutHints)).uaInconsistency).toBeNull();
    // Browsers treat http://localhost as a secure context and send client hints there.
    expect(
      (await sendFixture('chrome-navigation', [], (raw) => withoutHints(withHost('localhost:8080')(raw))))
        .uaInconsistency,
    ).toBe('missing sec-ch-ua');
    expect(
      (await sendFixture('chrome-navigation', [], (raw) => withoutHints(withHost('[::1]:8080')(raw)))).uaInconsistency,
    ).toBe('missing sec-ch-ua');
  });

  it('does not believe X-Forwarded-Proto from an untrusted peer', async () => {
    const signals = await sendFixture('chrome-navigation', ['X-Forwarded-Proto', 'https'], withoutHints);
    expect(signals.uaInconsistency).toBeNull();
  });

  it('keeps one fingerprint for one browser over pages and forms, read off the wire', async () => {
    const a = await sendFixture('chrome-navigation');
    const b = await sendFixture('chrome-second-page');
    const c = await sendFixture('chrome-login-post');
    expect(new Set([a.fingerprint, b.fingerprint, c.fingerprint]).size).toBe(1);
    expect(c.acceptsHtml).toBe(false);
  });
});

describe('createSignalExtractor behind a trusted proxy', () => {
  beforeAll(() => {
    extractor = createSignalExtractor({ trustedProxies: ['127.0.0.0/8'] });
  });

  it('takes the client from X-Forwarded-For, also across several headers', async () => {
    const signals = await sendFixture('chrome-navigation', [
      'X-Forwarded-For',
      '2001:db8:1:2::7',
      'X-Forwarded-Proto',
      'https',
    ]);
    expect(signals.ip).toBe('2001:db8:1:2::7');
    expect(signals.prefix).toBe('2001:db8:1::/48');
    const twoHeaders = await sendFixture('curl', [
      'X-Forwarded-For',
      '6.6.6.6, 198.51.100.7',
      'X-Forwarded-For',
      '127.0.0.5',
    ]);
    expect(twoHeaders.ip).toBe('198.51.100.7');
    expect(twoHeaders.prefix).toBe('198.51.100.0/24');
  });

  it('blames the proxy when the header is garbage', async () => {
    expect((await sendFixture('curl', ['X-Forwarded-For', 'unknown'])).ip).toBe('127.0.0.1');
  });

  it('believes X-Forwarded-Proto https from the trusted proxy', async () => {
    const hintless = await sendFixture('chrome-navigation', ['X-Forwarded-Proto', 'https'], withoutHints);
    expect(hintless.uaInconsistency).toBe('missing sec-ch-ua');
    const real = await sendFixture('chrome-navigation', ['X-Forwarded-Proto', 'https']);
    expect(real.uaInconsistency).toBeNull();
    const plain = await sendFixture('chrome-navigation', ['X-Forwarded-Proto', 'http'], withoutHints);
    expect(plain.uaInconsistency).toBeNull();
  });

  it('does not let proxy headers change the fingerprint', async () => {
    const direct = await sendFixture('firefox-navigation');
    const proxied = await sendFixture('firefox-navigation', [
      'X-Forwarded-For',
      '198.51.100.7',
      'X-Forwarded-Proto',
      'https',
      'Via',
      '1.1 lb',
    ]);
    expect(proxied.fingerprint).toBe(direct.fingerprint);
  });
});
