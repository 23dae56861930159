/**
 * A stand-in for the gateway and the demo marketplace that answers in memory, as the demo
 * answers when nothing is stopped: the right password signs in, a new username signs up, a
 * listing that exists is found. It lets a plan be acted out without a network, so that its
 * request sequence can be listed and compared (tests, `plannedRequests`).
 */
import type { DemoUser } from '../src/demo/users.js';
import { LISTING_COUNT } from './site.js';
import type { OutgoingRequest, Reply, Transport } from './transport.js';

const HTML = { 'content-type': 'text/html; charset=utf-8' };
const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

export function dryTransport(users: readonly DemoUser[]): Transport {
  const passwords = new Map(users.map((user) => [user.username.toLowerCase(), user.password]));
  const emails = new Set(users.map((user) => user.email.toLowerCase()));
  let ids = 0;
  const reply = (status: number, headers: Reply['headers'], body = ''): Reply => ({
    status,
    headers,
    body,
    botgateId: (++ids).toString(16).padStart(16, '0'),
    failure: null,
  });

  return {
    host: 'dry.invalid',
    origin: 'http://dry.invalid',
    async send(out: OutgoingRequest) {
      const body = out.body?.toString() ?? '';
      const route = `${out.method} ${out.path.replace(/\/\d+(?=\/|$)/, '/:id')}`;
      const listing = Number(/\/(\d+)/.exec(out.path)?.[1] ?? 0);
      switch (route) {
        case 'POST /login': {
          const form = new URLSearchParams(body);
          const ok = passwords.get((form.get('username') ?? '').toLowerCase()) === form.get('password');
          return ok
            ? reply(302, { location: '/account', 'set-cookie': ['demo_session=dry; Path=/; HttpOnly'] })
            : reply(200, HTML, 'Invalid username or password');
        }
        case 'POST /api/login': {
          const { username, password } = JSON.parse(body) as { username: string; password: string };
          return passwords.get(username.toLowerCase()) === password
            ? reply(200, JSON_TYPE, `{"token":"dry-${ids}"}`)
            : reply(401, JSON_TYPE, '{"error":"Invalid username or password"}');
        }
        case 'POST /api/signup': {
          const { username, email, password } = JSON.parse(body) as Record<string, string>;
          if (passwords.has(String(username).toLowerCase()) || emails.has(String(email).toLowerCase())) {
            return reply(409, JSON_TYPE, '{"error":"That username is taken"}');
          }
          passwords.set(String(username).toLowerCase(), String(password));
          emails.add(String(email).toLowerCase());
          return reply(201, JSON_TYPE, `{"id":${passwords.size},"username":"${username}"}`);
        }
        case 'POST /api/listings/:id/comments':
          return out.headers.some((h) => /^Bearer /.test(h))
            ? reply(201, JSON_TYPE, '{"id":1}')
            : reply(401, JSON_TYPE, '{}');
        case 'GET /listings/:id':
        case 'GET /api/listings/:id':
          return listing >= 1 && listing <= LISTING_COUNT ? reply(200, HTML, '') : reply(404, HTML, '');
        default:
          return reply(200, out.path.startsWith('/api/') ? JSON_TYPE : HTML, out.path === '/api/listings' ? '[]' : '');
      }
    },
    async close() {},
  };
}
