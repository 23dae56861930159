/**
 * Evasion of the policy, end to end: the real gateway in front of the real demo marketplace
 * (whose router is find-my-way, whose form login reads URLSearchParams.get, the first copy, and
 * whose JSON login reads JSON.parse, the last copy). Each trick must fail to evade: the request
 * is judged as the flow and the field the marketplace uses, or it is refused with 400.
 */
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../../src/config/schema.js';
import { createUsernameHasher } from '../../src/signals/fields.js';
import { receivedIds, type Stack, startStack } from '../support/stack.js';

const SECRET = 'test-secret-0123456789abcdef';
const hashOf = createUsernameHasher(SECRET);
/** A declared attack tool: the shipped policy blocks it on every login flow (forms-automation). */
const HYDRA = { 'user-agent': 'Mozilla/5.0 (Hydra)', accept: '*/*' };
const FORM = 'application/x-www-form-urlencoded';

interface Sent {
  readonly status: number;
  readonly id: string;
}

async function post(
  stack: Stack,
  path: string,
  body: string | Buffer,
  headers: Record<string, string>,
  ip: string,
): Promise<Sent> {
  const res = await request(`${stack.gateway.gatewayUrl}${path}`, {
    method: 'POST',
    headers: { ...HYDRA, ...headers, 'x-forwarded-for': ip },
    body,
  });
  await res.body.dump();
  return { status: res.statusCode, id: String(res.headers['x-botgate-id']) };
}

/** The same, on a raw socket, with the path exactly as written. */
function rawPost(stack: Stack, path: string, body: string, type: string, ip: string): Promise<Sent> {
  const port = Number(new URL(stack.gateway.gatewayUrl).port);
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () =>
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: ${HYDRA['user-agent']}\r\nX-Forwarded-For: ${ip}\r\n` +
          `Content-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      ),
    );
    let data = '';
    socket.on('data', (c: Buffer) => {
      data += c.toString('latin1');
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
      const id = /x-botgate-id: ([0-9a-f]{16})/i.exec(data)?.[1] ?? '';
      resolve({ status, id });
    });
  });
}

async function eventOf(stack: Stack, id: string) {
  for (let i = 0; i < 100; i++) {
    const event = stack.gateway.recorder.ring.get(id);
    if (event) return event;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no event ${id}`);
}

let ipCounter = 0;
/** A new client address per request, so per-IP rules never decide these tests. */
const nextIp = () => `198.51.100.${(ipCounter++ % 250) + 1}`;

describe('path tricks against the login route', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  const TRICKS = [
    '/LOGIN',
    '/Login',
    '//login',
    '/login/',
    '/login//',
    '/./login',
    '/x/../login',
    '/login/.',
    '/%2Flogin',
    '/%2flogin',
    '/login%2F',
    '/l%6Fgin',
    '/%6C%6F%67%69%6E',
    '/login%2e',
    '/login.',
    '/login;jsessionid=1',
    '/login;',
    '/%C0%AFlogin',
    '/log%C4%B1n',
    '/l%256Fgin',
    '/%u006Cogin',
    '/login%20',
    '/login%00',
    '/login%0a',
    '/login%3F',
    '/login%23',
    '/login#x',
    '/static/..%2Flogin',
    '/login\\',
    '/\\login',
    '/LOGIN?x=1',
    '/login?',
  ];

  it('judges every variant as the login flow (and blocks the attack tool) or refuses it; the application sees none', async () => {
    const outcomes: string[] = [];
    const ids = new Set<string>();
    for (const path of TRICKS) {
      // On a raw socket: an HTTP client library would resolve dot segments and drop fragments itself.
      const sent = await rawPost(stack, path, 'username=alice&password=guess', FORM, nextIp());
      const event = await eventOf(stack, sent.id);
      ids.add(sent.id);
      outcomes.push(`${path} → ${sent.status} ${event.flow}`);
      if (sent.status === 400) {
        expect(event.decidedBy, path).toBe('gateway/refused');
      } else {
        expect(sent.status, path).toBe(403);
        expect(event.flow, path).toBe('login-form');
      }
    }
    const reached = await receivedIds(stack);
    expect([...ids].filter((id) => reached.has(id))).toEqual([]);
    expect(outcomes.length).toBe(TRICKS.length);
  });

  it('in monitor mode forwards an ambiguous path, judged as the login it may be, recorded as request.ambiguous', async () => {
    const monitor = await startStack((doc) => ({ ...doc, mode: 'monitor' }));
    try {
      const sent = await rawPost(monitor, '/./login', 'username=alice&password=guess', FORM, nextIp());
      const event = await eventOf(monitor, sent.id);
      expect(event.enforced).toBe(false);
      expect(event.flow).toBe('login-form');
      expect(event.findings.map((f) => f.reason)).toContain('request.ambiguous');
      expect((await receivedIds(monitor)).has(sent.id)).toBe(true);
    } finally {
      await monitor.close();
    }
  });
});

describe('body tricks against field extraction', () => {
  const withParsers = (doc: PolicyDocument): PolicyDocument => ({
    ...doc,
    flows: doc.flows.map((f) =>
      f.name === 'login-form'
        ? { ...f, bodyParser: { duplicates: 'first' as const } }
        : f.name === 'api-login'
          ? { ...f, bodyParser: { duplicates: 'last' as const } }
          : f,
    ),
  });
  let strict: Stack;
  let known: Stack;
  beforeAll(async () => {
    strict = await startStack();
    known = await startStack(withParsers);
  });
  afterAll(async () => {
    await strict?.close();
    await known?.close();
  });

  const APP = { 'user-agent': 'marketplace-ios/4.2 (iPhone; iOS 17.1)', accept: 'application/json' };

  it('refuses bodies the application could read two ways, by default', async () => {
    const cases: [string, string, string][] = [
      ['/login', FORM, 'username=decoy&password=x&username=victim'],
      ['/login', FORM, 'username%5B%5D=victim&password=x'],
      ['/login', FORM, '__proto__%5Busername%5D=victim&password=x'],
      ['/api/login', 'application/json', '{"username":"decoy","password":"x","username":"victim"}'],
      ['/api/login', 'application/json', '{"username":"decoy","password":"x","user\\u006eame":"victim"}'],
      ['/api/login', 'application/json', '{"__proto__":{"username":"victim"},"password":"x"}'],
      ['/api/login', 'application/json', '{"username":["victim"],"password":"x"}'],
      ['/api/login', 'application/json; charset=utf-7', '{"username":"victim","password":"x"}'],
    ];
    for (const [path, type, body] of cases) {
      const sent = await post(strict, path, body, { ...APP, 'content-type': type }, nextIp());
      expect(sent.status, body).toBe(400);
      const event = await eventOf(strict, sent.id);
      expect(
        event.findings.map((f) => f.reason),
        body,
      ).toContain('request.ambiguous');
    }
    const reached = await receivedIds(strict);
    expect(reached.size).toBe(0);
  });

  it('judges the copy the application reads when the flow says which', async () => {
    // The form login reads URLSearchParams.get (the first copy); the JSON login JSON.parse (the last).
    const form = await post(
      known,
      '/login',
      'username=decoy&password=x&username=victim',
      { ...APP, 'content-type': FORM },
      nextIp(),
    );
    expect((await eventOf(known, form.id)).usernameHash).toBe(hashOf('decoy'));
    const json = await post(
      known,
      '/api/login',
      '{"username":"decoy","password":"x","username":"victim"}',
      { ...APP, 'content-type': 'application/json' },
      nextIp(),
    );
    expect((await eventOf(known, json.id)).usernameHash).toBe(hashOf('victim'));
  });

  it('reads the username of a mislabelled, compressed, re-encoded or split body', async () => {
    const cases: [string, string | Buffer, Record<string, string>, string][] = [
      [
        '/api/login',
        '{"username":"mallory","password":"x"}',
        { 'content-type': 'text/plain;charset=UTF-8' },
        'mallory',
      ],
      ['/api/login', '{"username":"mallory","password":"x"}', {}, 'mallory'],
      [
        '/login',
        gzipSync('username=mallory&password=x'),
        { 'content-type': FORM, 'content-encoding': 'gzip' },
        'mallory',
      ],
      ['/login', 'username=%E9t%E9&password=x', { 'content-type': `${FORM}; charset=windows-1252` }, 'été'],
      [
        '/api/login',
        Buffer.from('{"username":"Zoë","password":"x"}', 'utf16le'),
        { 'content-type': 'application/json; charset=utf-16le' },
        'zoë',
      ],
      [
        '/login',
        '--b\r\nContent-Disposition: form-data; name="username"\r\n\r\nmallory\r\n--b\r\nContent-Disposition: form-data; name="password"\r\n\r\nx\r\n--b--\r\n',
        { 'content-type': 'multipart/form-data; boundary=b' },
        'mallory',
      ],
    ];
    for (const [path, body, headers, username] of cases) {
      const sent = await post(strict, path, body, { ...APP, ...headers }, nextIp());
      const event = await eventOf(strict, sent.id);
      expect(event.usernameHash, `${path} ${JSON.stringify(headers)}`).toBe(hashOf(username));
    }

    // A body split across chunks, mid-field, on a raw socket.
    const port = Number(new URL(strict.gateway.gatewayUrl).port);
    const id = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let data = '';
      socket.on('data', (c: Buffer) => {
        data += c.toString('latin1');
        const m = /x-botgate-id: ([0-9a-f]{16})/i.exec(data);
        if (m && data.includes('\r\n\r\n')) {
          socket.destroy();
          resolve(m[1]!);
        }
      });
      socket.on('error', reject);
      const pieces = ['username=mal', 'lo', 'ry&pass', 'word=x'];
      socket.write(
        `POST /login HTTP/1.1\r\nHost: a\r\nUser-Agent: Mozilla/5.0 (Hydra)\r\nX-Forwarded-For: ${nextIp()}\r\nContent-Type: ${FORM}\r\nTransfer-Encoding: chunked\r\n\r\n`,
      );
      let i = 0;
      const next = () => {
        if (i < pieces.length) {
          const piece = pieces[i++]!;
          socket.write(`${piece.length.toString(16)}\r\n${piece}\r\n`);
          setTimeout(next, 20);
        } else socket.write('0\r\n\r\n');
      };
      next();
    });
    expect((await eventOf(strict, id)).usernameHash).toBe(hashOf('mallory'));
  });
});

describe('identity tricks against per-account counters', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('counts every way of writing one account as that account', async () => {
    const hashes = new Set<string>();
    for (const variant of [
      'alice',
      'ALICE',
      'Alice',
      'ａｌｉｃｅ',
      'ali\u200Bce',
      'al\u00ADice',
      ' alice ',
      'alic\u0065\u200D',
      '\uFEFFalice',
    ]) {
      const sent = await post(
        stack,
        '/api/login',
        JSON.stringify({ username: variant, password: 'x' }),
        { 'content-type': 'application/json' },
        nextIp(),
      );
      hashes.add(String((await eventOf(stack, sent.id)).usernameHash));
    }
    expect([...hashes]).toEqual([hashOf('alice')]);
    // NFKC before case folding: lower-casing first would leave these modifier letters alone.
    const bird = await post(
      stack,
      '/api/login',
      JSON.stringify({ username: 'ᴮᴵᴳᴮᴵᴿᴰ', password: 'x' }),
      { 'content-type': 'application/json' },
      nextIp(),
    );
    expect((await eventOf(stack, bird.id)).usernameHash).toBe(hashOf('bigbird'));
  });

  it('keeps a look-alike from another script a different account, as the application does', async () => {
    // Cyrillic "а": no Unicode normalisation maps it to Latin "a", and no application logs it
    // in as alice; signups with look-alikes are the account-creation detector's (email.lookalike).
    const sent = await post(
      stack,
      '/api/login',
      JSON.stringify({ username: '\u0430lice', password: 'x' }),
      { 'content-type': 'application/json' },
      nextIp(),
    );
    expect((await eventOf(stack, sent.id)).usernameHash).not.toBe(hashOf('alice'));
  });
});

describe('header tricks', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('takes the client from the trusted hop, not from what the client prepended', async () => {
    const res = await request(`${stack.gateway.gatewayUrl}/`, {
      headers: { ...HYDRA, 'x-forwarded-for': '1.1.1.1, 10.0.0.1, unknown, 203.0.113.50' },
    });
    await res.body.dump();
    expect((await eventOf(stack, String(res.headers['x-botgate-id']))).ip).toBe('203.0.113.50');
  });

  it('refuses a second Host and strips forged tag headers', async () => {
    const port = Number(new URL(stack.gateway.gatewayUrl).port);
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'));
      let data = '';
      socket.on('data', (c: Buffer) => {
        data += c.toString('latin1');
      });
      socket.on('close', () => resolve(data));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
  });
});
