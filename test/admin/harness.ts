/**
 * An admin listener on 127.0.0.1:0 with real parts: a SQLite archive in a temp dir (or none),
 * runtime lists, a manual clock and a hand-fed event stream, plus a client that speaks as the
 * token holder, as a console session (cookie + CSRF token, same-origin headers), or as nobody.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { type AdminServer, createAdminServer, type GatewayStatus } from '../../src/admin/server.js';
import type { DecisionEvent } from '../../src/events/event.js';
import { EventRing } from '../../src/events/ring.js';
import { SqliteEventSink } from '../../src/events/sqlite-sink.js';
import { ManualLists } from '../../src/policy/manual-lists.js';
import { ManualClock } from '../../src/state/clock.js';

export const TOKEN = 'admin-test-token-0123456789abcdef';
export const NOW = Date.UTC(2026, 0, 10, 10);

export interface Harness {
  readonly url: string;
  readonly clock: ManualClock;
  readonly archive: SqliteEventSink | null;
  readonly lists: ManualLists;
  readonly ring: EventRing;
  /** Records events as the gateway would: ring, live listeners and (flushed at once) the archive. */
  record(events: readonly DecisionEvent[]): Promise<void>;
  call(method: string, path: string, options?: CallOptions): Promise<Answer>;
  /** Logs in like the console's page; returns the cookie and CSRF token. */
  login(name?: string): Promise<{ cookie: string; csrf: string }>;
  close(): Promise<void>;
}

export interface CallOptions {
  readonly token?: string | null;
  readonly cookie?: string;
  readonly csrf?: string;
  readonly json?: unknown;
  readonly headers?: Record<string, string>;
}

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test answers are read loosely
  readonly body: any;
}

export async function startAdmin(options: { archive?: boolean; status?: GatewayStatus } = {}): Promise<Harness> {
  const clock = new ManualClock(NOW);
  const dir = await mkdtemp(join(tmpdir(), 'botgate-admin-'));
  const archive = options.archive === false ? null : new SqliteEventSink(join(dir, 'events.db'));
  const lists = new ManualLists(clock);
  const ring = new EventRing(1_000);
  const listeners: ((e: DecisionEvent) => void)[] = [];
  const server: AdminServer = createAdminServer({
    token: TOKEN,
    recentEvents: async (limit) => ring.recent(limit),
    findEvent: async (id) => ring.get(id) ?? (await archive?.get(id)),
    renderMetrics: async () => ({ contentType: 'text/plain', body: 'botgate_up 1\n' }),
    readiness: () => ({ ready: true, checks: {} }),
    archive,
    manualLists: lists,
    onEvent: (listener) => {
      listeners.push(listener);
      return () => listeners.splice(listeners.indexOf(listener), 1);
    },
    status: () => options.status ?? { mode: 'enforce', attackMode: [], events: { recorded: 0, sinks: [] } },
    clock,
    costPerAccountUsd: 3.6,
  });
  const address = await server.listen('127.0.0.1', 0);
  const url = `http://127.0.0.1:${address.port}`;

  const call = async (method: string, path: string, o: CallOptions = {}): Promise<Answer> => {
    const headers: Record<string, string> = { ...o.headers };
    const token = o.token === undefined ? (o.cookie ? null : TOKEN) : o.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (o.cookie) headers.cookie = o.cookie;
    if (o.csrf) headers['x-csrf-token'] = o.csrf;
    let body: string | undefined;
    if (o.json !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = typeof o.json === 'string' ? o.json : JSON.stringify(o.json);
    }
    const res = await request(`${url}${path}`, {
      method: method as 'GET',
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const text = await res.body.text();
    let parsed: unknown = text;
    if ((res.headers['content-type'] ?? '').toString().startsWith('application/json') && text.length > 0)
      parsed = JSON.parse(text);
    return { status: res.statusCode, headers: res.headers, text, body: parsed };
  };

  return {
    url,
    clock,
    archive,
    lists,
    ring,
    async record(events) {
      for (const e of events) {
        ring.push(e);
        for (const l of listeners) l(e);
      }
      await archive?.write(events);
    },
    call,
    async login(name = 'Dana (on call)') {
      const res = await call('POST', '/api/session', {
        token: null,
        json: { token: TOKEN, name },
        headers: { origin: url, 'sec-fetch-site': 'same-origin' },
      });
      if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`);
      const setCookie = String(res.headers['set-cookie']);
      return { cookie: setCookie.split(';')[0] as string, csrf: res.body.csrfToken as string };
    },
    async close() {
      await server.close();
      await archive?.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Headers a browser sends with a same-origin fetch from the console's page. */
export function sameOrigin(h: Harness): Record<string, string> {
  return { origin: h.url, 'sec-fetch-site': 'same-origin' };
}
