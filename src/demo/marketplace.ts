/**
 * The demo marketplace: a small, real web application that botgate protects in its tests,
 * benchmarks, simulator and `botgate demo`. It keeps accounts, sessions, listings and comments in
 * memory, and accounts for every request it receives (see accounting.ts and control.ts).
 *
 * ```ts
 * const market = await startMarketplace({ port: 0 });  // 500 generated users, 40 listings
 * await fetch(`${market.url}/api/listings`);
 * await market.close();
 * ```
 *
 * It is the upstream of benchmarks, so the common routes do no work a start-up step could do:
 * the listings' JSON and the fixed pages are built once, and routes are matched by a compiled
 * find-my-way tree.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Router, { type HTTPMethod } from 'find-my-way';
import { Accounting } from './accounting.js';
import { Accounts } from './accounts.js';
import { loadAssets } from './assets.js';
import { CONTROL_PREFIX, demoControl } from './control.js';
import { Listings } from './listings.js';
import { errorPage, notFoundPage } from './pages.js';
import { sendError, sendHtml } from './replies.js';
import { BodyError } from './request-body.js';
import { marketplaceRoutes, type Route, type RouteParams } from './routes.js';
import { SessionBook } from './sessions.js';
import { type DemoUser, generateDemoUsers } from './users.js';

export interface MarketplaceOptions {
  /** Default 127.0.0.1: the demo is not meant to face a network. */
  host?: string;
  /** Default 0: any free port (read it from `port` or `url`). */
  port?: number;
  /** Default `generateDemoUsers(500)`. */
  users?: readonly DemoUser[];
}

export interface Marketplace {
  /** `http://host:port`, without a trailing slash. */
  readonly url: string;
  readonly port: number;
  /** Stops listening and closes every connection, idle or not. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Idle keep-alive connections stay open 30 s (Node's default is 5 s): a proxy's connection pool
 * then rarely meets a socket the demo has just closed, while idle sockets are still freed.
 * The demo announces it (`Keep-Alive: timeout=30`), and undici retires its sockets before that.
 */
const KEEP_ALIVE_MS = 30_000;

export async function startMarketplace(options: MarketplaceOptions = {}): Promise<Marketplace> {
  const [accounts, assets] = await Promise.all([Accounts.seed(options.users ?? generateDemoUsers()), loadAssets()]);
  const listings = new Listings();
  const routes = marketplaceRoutes({
    accounts,
    listings,
    sessions: new SessionBook(),
    tokens: new SessionBook(),
    assets,
  });
  const server = createServer(marketplaceHandler(routes, new Accounting()));
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');

  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

interface MatchedRoute {
  readonly handle: Route['handle'];
  /** The route's slot in the accounting. */
  readonly slot: number;
  /** Answers errors in JSON rather than HTML. */
  readonly api: boolean;
}

const NO_PARAMS: RouteParams = Object.freeze({});

/** The request listener: control routes, then the route table, then 404; every answer accounted. */
export function marketplaceHandler(
  routes: readonly Route[],
  accounting: Accounting,
): (req: IncomingMessage, res: ServerResponse) => void {
  const router = Router({ maxParamLength: 64 });
  for (const route of routes) {
    for (const method of route.method === 'GET' ? (['GET', 'HEAD'] as const) : [route.method]) {
      const matched: MatchedRoute = {
        handle: route.handle,
        slot: accounting.slot(`${method} ${route.path}`, route.outcome),
        api: route.path.startsWith('/api/'),
      };
      router.on(method, route.path, () => undefined, matched);
    }
  }
  router.compile();
  const control = demoControl(accounting);

  const unmatched = (method: string, url: string): MatchedRoute => {
    const api = url.startsWith('/api/');
    return { handle: api ? answerNotFoundJson : answerNotFoundPage, slot: accounting.slot(`${method} *`), api };
  };

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = req.url ?? '/';
    if (url.startsWith(CONTROL_PREFIX)) {
      control(req, res);
      return;
    }
    const found = router.find(req.method as HTTPMethod, url);
    const route = (found?.store as MatchedRoute | undefined) ?? unmatched(req.method ?? 'GET', url);
    try {
      await route.handle(req, res, found?.params ?? NO_PARAMS);
    } catch (error) {
      answerFailure(res, route.api, error);
    }
    accounting.record(
      route.slot,
      res.statusCode,
      header(req, 'x-botgate-id'),
      header(req, 'x-forwarded-for'),
      header(req, 'x-botgate-ato'),
    );
  };

  return (req, res) => {
    void serve(req, res);
  };
}

const notFound = Buffer.from(notFoundPage());

function answerNotFoundPage(_req: IncomingMessage, res: ServerResponse): void {
  sendHtml(res, 404, notFound);
}

function answerNotFoundJson(_req: IncomingMessage, res: ServerResponse): void {
  sendError(res, 404, 'No such route');
}

/** A route that threw: a bad body is the client's fault (400, 413), anything else a 500. */
function answerFailure(res: ServerResponse, api: boolean, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const status = error instanceof BodyError ? error.status : 500;
  const message = error instanceof BodyError ? error.message : 'The demo marketplace failed; see its standard error';
  if (status === 500)
    process.stderr.write(`demo marketplace: ${error instanceof Error ? error.stack : String(error)}\n`);
  // A body refused half-read is not drained: the connection closes after the answer.
  const headers = status === 413 ? { connection: 'close' } : undefined;
  if (api) sendError(res, status, message, headers);
  else sendHtml(res, status, errorPage(status === 500 ? 'Something went wrong' : 'Bad request', message), headers);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
