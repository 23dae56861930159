/**
 * The admin listener, on its own address: health and readiness for orchestrators, Prometheus
 * metrics, the token-protected API (`/api/*`) and the console (`/console/`). Kept apart from the
 * gateway so that it can be bound to a private interface and never shares limits or routes with
 * attacker traffic.
 *
 * Access, per route:
 * - `open`: health, readiness, metrics, the console's static files (they hold no data);
 * - `read`: the admin token as `Authorization: Bearer …`, or a console session cookie;
 * - `change`: the token, or a session cookie on a same-origin request carrying the session's
 *   CSRF token in `x-csrf-token` (see same-origin.ts and sessions.ts);
 * - `login`: same-origin only; the body carries the token.
 * Endpoints and their parameters: docs/console.md.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import FindMyWay from 'find-my-way';
import type { Mode } from '../config/schema.js';
import type { DecisionEvent } from '../events/event.js';
import type { RecorderStats } from '../events/recorder.js';
import { BadRangeError } from '../events/report-range.js';
import type { EventArchive } from '../events/sink.js';
import { listenOn } from '../gateway/listen.js';
import { ManualEntryError, type ManualLists } from '../policy/manual-lists.js';
import { type Clock, systemClock } from '../state/clock.js';
import { eventRoutes } from './api-events.js';
import { listRoutes } from './api-lists.js';
import { reportRoutes } from './api-report.js';
import { sessionRoutes } from './api-session.js';
import { createTokenCheck } from './auth.js';
import { ConsoleAssets } from './console-assets.js';
import { ClientError, cookieValue, problem } from './http.js';
import { LiveTraffic } from './live-traffic.js';
import { isSameOrigin } from './same-origin.js';
import { type ConsoleSession, ConsoleSessions, SESSION_COOKIE } from './sessions.js';

export interface Readiness {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, unknown>>;
}

/** What the console's status bar shows about the running gateway. */
export interface GatewayStatus {
  readonly mode: Mode;
  /** Login flows in attack mode right now. */
  readonly attackMode: readonly string[];
  readonly events: RecorderStats;
}

export interface AdminDependencies {
  readonly token: string | null;
  readonly recentEvents: (limit: number) => Promise<readonly DecisionEvent[]>;
  readonly findEvent: (id: string) => Promise<DecisionEvent | undefined>;
  readonly renderMetrics: () => Promise<{ contentType: string; body: string }>;
  readonly readiness: () => Readiness;
  /** The sink that answers searches and the report; without one, search covers the recent events in memory and the report is unavailable. */
  readonly archive?: EventArchive | null;
  /** Operators' runtime block/allow entries; without them the list endpoints answer 503. */
  readonly manualLists?: ManualLists | null;
  /** Subscribes to every recorded event (the live chart); returns the unsubscribe function. */
  readonly onEvent?: (listener: (event: DecisionEvent) => void) => () => void;
  readonly status?: () => GatewayStatus;
  /** For ranges ending "now" and session expiry; the gateway's clock, so tests can fake it. */
  readonly clock?: Clock;
  /** report.costPerAccountUsd. Default 3.60. */
  readonly costPerAccountUsd?: number;
}

export interface AdminServer {
  readonly server: Server;
  listen(host: string, port: number): Promise<AddressInfo>;
  close(): Promise<void>;
}

export type Access = 'open' | 'read' | 'change' | 'login';
export type Method = 'GET' | 'POST' | 'DELETE';

/** Who is calling: the token holder (API, `botgate report`) or a console session. */
export type Caller =
  | { readonly kind: 'token' }
  | { readonly kind: 'session'; readonly session: ConsoleSession; readonly id: string }
  | { readonly kind: 'anonymous' };

export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly params: Readonly<Record<string, string | undefined>>;
  readonly query: URLSearchParams;
  readonly caller: Caller;
}

export interface Route {
  readonly method: Method;
  readonly path: string;
  readonly access: Access;
  readonly handle: (ctx: RequestContext) => Promise<void> | void;
}

/** What route modules get: the dependencies with defaults filled in, plus shared state. */
export interface AdminContext {
  readonly deps: AdminDependencies;
  readonly clock: Clock;
  readonly sessions: ConsoleSessions;
  readonly live: LiveTraffic;
  readonly tokenMatches: (candidate: string) => boolean;
}

export function createAdminServer(deps: AdminDependencies): AdminServer {
  const clock = deps.clock ?? systemClock;
  const authorised = createTokenCheck(deps.token);
  const live = new LiveTraffic(clock);
  const unsubscribe = deps.onEvent?.(live.observe) ?? (() => {});
  const admin: AdminContext = {
    deps,
    clock,
    sessions: new ConsoleSessions(clock),
    live,
    tokenMatches: (candidate) => authorised(`Bearer ${candidate}`),
  };
  const assets = new ConsoleAssets();

  const router = FindMyWay({
    ignoreTrailingSlash: true,
    defaultRoute: (_req, res) => problem(res, 404, 'not_found', 'No such admin endpoint.'),
  });

  const routes: Route[] = [
    { method: 'GET', path: '/healthz', access: 'open', handle: ({ res }) => jsonOk(res, { status: 'ok' }) },
    {
      method: 'GET',
      path: '/readyz',
      access: 'open',
      handle: ({ res }) => {
        const r = deps.readiness();
        jsonStatus(res, r.ready ? 200 : 503, { status: r.ready ? 'ready' : 'not ready', ...r.checks });
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      access: 'open',
      handle: async ({ res }) => {
        const { contentType, body } = await deps.renderMetrics();
        res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
        res.end(body);
      },
    },
    {
      method: 'GET',
      path: '/',
      access: 'open',
      handle: ({ res }) => {
        res.writeHead(302, { location: '/console/', 'cache-control': 'no-store' });
        res.end();
      },
    },
    { method: 'GET', path: '/console', access: 'open', handle: ({ req, res }) => assets.serve(req, res, '') },
    {
      method: 'GET',
      path: '/console/*',
      access: 'open',
      handle: ({ req, res, params }) => assets.serve(req, res, params['*'] ?? ''),
    },
    ...sessionRoutes(admin),
    ...eventRoutes(admin),
    ...reportRoutes(admin),
    ...listRoutes(admin),
  ];

  for (const route of routes) {
    router.on(route.method, route.path, (req, res, params) => {
      const url = new URL(req.url ?? '/', 'http://admin');
      const caller = admit(route.access, req, res, admin, authorised);
      if (caller === null) return;
      const ctx: RequestContext = { req, res, params, query: url.searchParams, caller };
      Promise.resolve()
        .then(() => route.handle(ctx))
        .catch((err: unknown) => answerError(res, err));
    });
  }

  const server = createServer(
    { headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: 1_000 },
    (req, res) => {
      router.lookup(req, res);
    },
  );
  return {
    server,
    listen: (host, port) => listenOn(server, host, port),
    close() {
      unsubscribe();
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** The caller, or null after answering 401/403 when the route's access is not met. */
function admit(
  access: Access,
  req: IncomingMessage,
  res: ServerResponse,
  admin: AdminContext,
  authorised: (authorization: string | undefined) => boolean,
): Caller | null {
  if (access === 'open') return { kind: 'anonymous' };
  if (access === 'login') {
    if (!isSameOrigin(req)) {
      problem(res, 403, 'cross_site', 'Cannot log in: the request did not come from the console’s own page.');
      return null;
    }
    return { kind: 'anonymous' };
  }
  const authorization = req.headers.authorization;
  if (authorization !== undefined) {
    if (authorised(authorization)) return { kind: 'token' };
    unauthorised(res);
    return null;
  }
  const id = cookieValue(req.headers.cookie, SESSION_COOKIE);
  const session = admin.sessions.get(id);
  if (session === undefined || id === undefined) {
    unauthorised(res);
    return null;
  }
  if (access === 'change') {
    if (!isSameOrigin(req)) {
      problem(res, 403, 'cross_site', 'Cannot change anything from another site: use the console’s own page.');
      return null;
    }
    if (!ConsoleSessions.csrfMatches(session, req.headers['x-csrf-token'])) {
      problem(
        res,
        403,
        'csrf',
        'Cannot accept the change: the x-csrf-token header is missing or wrong; reload the console.',
      );
      return null;
    }
  }
  return { kind: 'session', session, id };
}

function unauthorised(res: ServerResponse): void {
  problem(
    res,
    401,
    'unauthorized',
    'Send the admin token as "Authorization: Bearer TOKEN", or log in to the console.',
    {
      'www-authenticate': 'Bearer',
    },
  );
}

function answerError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err instanceof ClientError) problem(res, err.status, err.code, err.message);
  else if (err instanceof BadRangeError || err instanceof ManualEntryError)
    problem(res, 400, 'bad_request', err.message);
  else problem(res, 500, 'internal', `The admin API failed: ${err instanceof Error ? err.message : String(err)}`);
}

function jsonOk(res: ServerResponse, body: unknown): void {
  jsonStatus(res, 200, body);
}

function jsonStatus(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}
