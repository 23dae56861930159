/**
 * What the simulated clients put on the wire, read by a raw node:http server: the exact header
 * names, casing and order of their templates, nothing added but the load balancer's
 * X-Forwarded-For at the end, and nothing a real client would not send.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../sim/clock.js';
import { CookieJar } from '../../sim/cookie-jar.js';
import { ANDROID_APP, IOS_APP } from '../../sim/headers/apps.js';
import { CHROME, chromeIdentity } from '../../sim/headers/chrome.js';
import { FIREFOX, firefoxIdentity } from '../../sim/headers/firefox.js';
import { SAFARI, safariIdentity } from '../../sim/headers/safari.js';
import type { ClientIdentity, ClientStack } from '../../sim/headers/template.js';
import { HYDRA, hydraIdentity, PYTHON_REQUESTS } from '../../sim/headers/tools.js';
import { Pace } from '../../sim/pace.js';
import { createRandom } from '../../sim/random.js';
import { Session } from '../../sim/session.js';
import { httpTransport, type Transport } from '../../sim/transport.js';

let server: Server;
let transport: Transport;
const heads: string[][] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    heads.push(req.rawHeaders);
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/plain', 'x-botgate-id': 'f00d' });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  transport = httpTransport(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});

afterAll(async () => {
  await transport.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function session(identity: ClientIdentity): Session {
  return new Session(
    {
      persona: 'test',
      kind: 'human',
      index: 0,
      ip: '203.0.113.9',
      identity,
      keepsCookies: true,
      jar: new CookieJar(),
      random: createRandom(1),
    },
    { transport, clock: new VirtualClock(0), pace: new Pace(), admit: () => true, record: () => {} },
  );
}

function names(raw: readonly string[]): string[] {
  return raw.filter((_, i) => i % 2 === 0);
}

function fixtureNames(file: string): string[] {
  const fixture = JSON.parse(readFileSync(new URL(`../fixtures/headers/${file}`, import.meta.url), 'utf8')) as {
    rawHeaders: string[];
  };
  return names(fixture.rawHeaders);
}

describe('the wire', () => {
  it('carries a browser navigation exactly as the captured browser writes it, plus X-Forwarded-For', async () => {
    for (const [identity, fixture] of [
      [chromeIdentity('windows'), 'chrome-navigation.json'],
      [firefoxIdentity('windows'), 'firefox-navigation.json'],
      [safariIdentity('macos', 'en-GB'), 'safari-navigation.json'],
    ] as const) {
      heads.length = 0;
      await session(identity).send({ kind: 'navigate', method: 'GET', path: '/', flow: 'page', site: 'none' });
      const head = heads[0] ?? [];
      expect(names(head)).toEqual([...fixtureNames(fixture), 'X-Forwarded-For']);
      expect(head.at(-1)).toBe('203.0.113.9');
    }
  });

  it('writes a form post as Chromium 156 does (captured), with the body length, the cookie jar and the referrer', async () => {
    heads.length = 0;
    const chrome = session(chromeIdentity('macos', 'de-DE'));
    chrome.jar.absorb('demo_session=abc; Path=/');
    await chrome.send({
      kind: 'form',
      method: 'POST',
      path: '/login',
      flow: 'login',
      body: 'username=a&password=b',
      contentType: 'application/x-www-form-urlencoded',
      referer: chrome.url('/login'),
    });
    const head = heads[0] ?? [];
    // Chromium 156 moved Origin and Content-Type since the Chrome 124 of chrome-login-post.json.
    expect(names(head)).toEqual([
      'Host',
      'Connection',
      'Content-Length',
      'Cache-Control',
      'sec-ch-ua',
      'sec-ch-ua-mobile',
      'sec-ch-ua-platform',
      'Upgrade-Insecure-Requests',
      'Content-Type',
      'User-Agent',
      'Origin',
      'Accept',
      'Sec-Fetch-Site',
      'Sec-Fetch-Mode',
      'Sec-Fetch-User',
      'Sec-Fetch-Dest',
      'Referer',
      'Accept-Encoding',
      'Accept-Language',
      'Cookie',
      'X-Forwarded-For',
    ]);
    const value = (name: string) => head[head.indexOf(name) + 1];
    expect(value('Content-Length')).toBe('21');
    expect(value('Cookie')).toBe('demo_session=abc');
    expect(value('sec-ch-ua-platform')).toBe('"macOS"');
    expect(value('Accept-Language')).toBe('de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7');
  });

  it('writes Hydra’s bare head', async () => {
    heads.length = 0;
    await session(hydraIdentity()).send({
      kind: 'post-form',
      method: 'POST',
      path: '/login',
      flow: 'login',
      body: 'username=a&password=b',
      contentType: 'application/x-www-form-urlencoded',
    });
    expect(names(heads[0] ?? [])).toEqual([
      'Host',
      'User-Agent',
      'Content-Length',
      'Content-Type',
      'Connection',
      'X-Forwarded-For',
    ]);
  });
});

describe('the header templates', () => {
  /** Every name any of the stacks may send; a name outside it would be a marker only the simulator carries. */
  const KNOWN = new Set([
    'host',
    'connection',
    'content-length',
    'content-type',
    'cache-control',
    'upgrade-insecure-requests',
    'user-agent',
    'accept',
    'accept-encoding',
    'accept-language',
    'origin',
    'referer',
    'cookie',
    'authorization',
    'if-none-match',
    'priority',
    'sec-ch-ua',
    'sec-ch-ua-mobile',
    'sec-ch-ua-platform',
    'sec-fetch-site',
    'sec-fetch-mode',
    'sec-fetch-user',
    'sec-fetch-dest',
  ]);
  const stacks: readonly ClientStack[] = [CHROME, FIREFOX, SAFARI, IOS_APP, ANDROID_APP, PYTHON_REQUESTS, HYDRA];

  it('use only standard headers, each at most once', () => {
    for (const stack of stacks) {
      for (const [kind, template] of Object.entries(stack.templates)) {
        const lower = (template ?? []).map(([name]) => name.toLowerCase());
        for (const name of lower) expect(KNOWN.has(name), `${stack.name} ${kind} sends ${name}`).toBe(true);
        expect(new Set(lower).size, `${stack.name} ${kind} repeats a header`).toBe(lower.length);
      }
    }
  });

  it('send client hints only from Chromium, and fetch metadata from every browser', () => {
    for (const stack of [FIREFOX, SAFARI, IOS_APP, ANDROID_APP, PYTHON_REQUESTS, HYDRA]) {
      for (const template of Object.values(stack.templates)) {
        expect((template ?? []).some(([name]) => name.toLowerCase().startsWith('sec-ch-'))).toBe(false);
      }
    }
    for (const stack of [CHROME, FIREFOX, SAFARI]) {
      for (const template of Object.values(stack.templates)) {
        expect(
          (template ?? []).filter(([name]) => name.toLowerCase().startsWith('sec-fetch-')).length,
        ).toBeGreaterThanOrEqual(3);
      }
    }
  });
});
