/**
 * The admin listener, on its own address: health and readiness for orchestrators, Prometheus
 * metrics, and the token-protected API (`/api/*`). Kept apart from the gateway so that it can be
 * bound to a private interface and never shares limits or routes with attacker traffic.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import FindMyWay from 'find-my-way';
import type { DecisionEvent } from '../events/event.js';
import { isReferenceId } from '../gateway/reference-id.js';
import { createTokenCheck } from './auth.js';
import { explainEvent } from './explain.js';

export interface Readiness {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, unknown>>;
}

export interface AdminDependencies {
  readonly token: string | null;
  readonly recentEvents: (limit: number) => Promise<readonly DecisionEvent[]>;
  readonly findEvent: (id: string) => Promise<DecisionEvent | undefined>;
  readonly renderMetrics: () => Promise<{ contentType: string; body: string }>;
  readonly readiness: () => Readiness;
}

export interface AdminServer {
  readonly server: Server;
  listen(host: string, port: number): Promise<AddressInfo>;
  close(): Promise<void>;
}

const MAX_EVENTS = 1_000;

type Handler = (req: IncomingMessage, res: ServerResponse, params: Record<string, string | undefined>, query: URLSearchParams) => Promise<void> | void;

export function createAdminServer(deps: AdminDependencies): AdminServer {
  const authorised = createTokenCheck(deps.token);
  const router = FindMyWay({
    ignoreTrailingSlash: true,
    defaultRoute: (_req, res) => json(res, 404, { error: 'not_found', message: 'No such admin endpoint.' }),
  });
  const route = (path: string, handler: Handler, open = false): void => {
    router.on('GET', path, (req, res, params) => {
      const url = new URL(req.url ?? '/', 'http://admin');
      if (!open && !authorised(req.headers.authorization)) {
        return json(res, 401, { error: 'unauthorized', message: 'Send the admin token as "Authorization: Bearer TOKEN".' }, { 'www-authenticate': 'Bearer' });
      }
      Promise.resolve(handler(req, res, params, url.searchParams)).catch((err: unknown) => {
        json(res, 500, { error: 'internal', message: String(err) });
      });
    });
  };

  route('/healthz', (_req, res) => json(res, 200, { status: 'ok' }), true);
  route(
    '/readyz',
    (_req, res) => {
      const r = deps.readiness();
      json(res, r.ready ? 200 : 503, { status: r.ready ? 'ready' : 'not ready', ...r.checks });
    },
    true,
  );
  route(
    '/metrics',
    async (_req, res) => {
      const { contentType, body } = await deps.renderMetrics();
      res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
      res.end(body);
    },
    true,
  );
  route('/api/events', async (_req, res, _params, query) => {
    const raw = query.get('limit');
    const limit = raw === null ? 100 : Number(raw);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_EVENTS) {
      return json(res, 400, { error: 'bad_request', message: `Cannot list events: limit must be an integer from 1 to ${MAX_EVENTS} (received "${raw}")` });
    }
    json(res, 200, { events: await deps.recentEvents(limit) });
  });
  route('/api/events/:id', async (_req, res, params) => {
    const id = params.id ?? '';
    if (!isReferenceId(id)) {
      return json(res, 400, { error: 'bad_request', message: `Cannot find event: a reference id is 16 hex characters (received "${id.slice(0, 40)}")` });
    }
    const event = await deps.findEvent(id);
    if (!event) return json(res, 404, { error: 'not_found', message: `No event with reference id ${id}` });
    json(res, 200, explainEvent(event));
  });

  const server = createServer({ headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: 1_000 }, (req, res) => {
    router.lookup(req, res);
  });
  return {
    server,
    listen(host, port) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function json(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers });
  res.end(text);
}
