/**
 * Background traffic for the console's end-to-end test, sent with undici through the gateway's
 * trusted loopback hop (X-Forwarded-For sets each client's address): people browsing and logging
 * in with their real passwords, a credential-stuffing tool, a browser-shaped stuffing run, an API
 * scraper and one quiet visitor the test later blocks. Real time, a few dozen requests a second.
 */
import { Agent, request } from 'undici';
import type { DemoUser } from '../../src/demo/users.js';
import { CHROME } from '../support/stack.js';

export const QUIET_VISITOR = '192.0.2.200';

const TOOL = { 'user-agent': 'python-requests/2.31.0', accept: '*/*', 'accept-encoding': 'gzip, deflate' };
const CURL = { 'user-agent': 'curl/8.5.0', accept: '*/*' };

export interface Answer {
  readonly status: number;
  readonly id: string;
  readonly setCookie: string[];
}

export class ConsoleTraffic {
  private readonly agent = new Agent({ connections: 16 });
  private running = false;
  private loops: Promise<void>[] = [];
  sent = 0;

  constructor(
    private readonly gatewayUrl: string,
    private readonly users: readonly DemoUser[],
  ) {}

  start(): void {
    this.running = true;
    this.loops = [
      this.loop(() => this.person(), 150),
      this.loop(() => this.stuffingTool(), 120),
      this.loop(() => this.browserStuffing(), 400),
      this.loop(() => this.scraper(), 250),
      this.loop(() => this.quietVisitor(), 700),
    ];
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.allSettled(this.loops);
    await this.agent.close();
  }

  /** One request as a client at `ip`. */
  async send(
    ip: string,
    method: 'GET' | 'POST',
    path: string,
    headers: Record<string, string>,
    form?: Record<string, string>,
    cookie?: string,
  ): Promise<Answer> {
    const h: Record<string, string> = { ...headers, 'x-forwarded-for': ip };
    if (cookie) h.cookie = cookie;
    let body: string | undefined;
    if (form) {
      h['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(form).toString();
    }
    const res = await request(`${this.gatewayUrl}${path}`, {
      method,
      headers: h,
      dispatcher: this.agent,
      ...(body === undefined ? {} : { body }),
    });
    await res.body.dump();
    this.sent++;
    const raw = res.headers['set-cookie'];
    return {
      status: res.statusCode,
      id: String(res.headers['x-botgate-id']),
      setCookie: raw === undefined ? [] : Array.isArray(raw) ? raw : [raw],
    };
  }

  private async loop(step: () => Promise<void>, everyMs: number): Promise<void> {
    while (this.running) {
      try {
        await step();
      } catch {
        // A request cut off when the stack closes is expected at the end of the test.
      }
      await sleep(everyMs * (0.6 + Math.random() * 0.8));
    }
  }

  private n = 0;

  /** Loads the login page, types for two seconds like a person, signs in; sometimes browses. */
  private async person(): Promise<void> {
    const i = this.n++;
    const ip = `198.51.100.${10 + (i % 40)}`;
    const user = this.users[i % this.users.length] as DemoUser;
    if (i % 3 !== 0) {
      await this.send(ip, 'GET', i % 2 === 0 ? '/' : `/listings/${1 + (i % 20)}`, CHROME);
      return;
    }
    const page = await this.send(ip, 'GET', '/login', CHROME);
    const cookie = page.setCookie.find((c) => c.startsWith('__bg_d='))?.split(';')[0];
    void sleep(2_100).then(() =>
      this.running
        ? this.send(
            ip,
            'POST',
            '/login',
            { ...CHROME, 'sec-fetch-mode': 'navigate' },
            { username: user.username, password: user.password },
            cookie,
          ).catch(() => {})
        : undefined,
    );
  }

  /** A stuffing tool that does not even hide: blocked on its User-Agent. */
  private async stuffingTool(): Promise<void> {
    const i = this.n++;
    await this.send(`203.0.113.${5 + (i % 3)}`, 'POST', '/login', TOOL, {
      username: `victim${i}@mail.example`,
      password: 'Summer2024!',
    });
  }

  private stuffingCookie: string | undefined;

  /** A browser-shaped run from one host: many usernames, fast; its failures give it away. */
  private async browserStuffing(): Promise<void> {
    const ip = '203.0.113.66';
    if (this.stuffingCookie === undefined) {
      const page = await this.send(ip, 'GET', '/login', CHROME);
      this.stuffingCookie = page.setCookie.find((c) => c.startsWith('__bg_d='))?.split(';')[0] ?? '';
    }
    const i = this.n++;
    await this.send(
      ip,
      'POST',
      '/login',
      CHROME,
      { username: `combo${i}@mail.example`, password: `Winter${i}!` },
      this.stuffingCookie,
    );
  }

  private async scraper(): Promise<void> {
    await this.send('192.0.2.50', 'GET', `/api/listings?page=${this.n++ % 50}`, CURL);
  }

  private async quietVisitor(): Promise<void> {
    await this.send(QUIET_VISITOR, 'GET', `/listings/${1 + (this.n++ % 9)}`, CHROME);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
