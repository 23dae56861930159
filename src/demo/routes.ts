/**
 * The marketplace's routes: what each URL does. The server (marketplace.ts) matches a request to
 * one of these, runs it and accounts for its answer; a route only reads the request and answers.
 *
 * Contracts the gateway's tests and the simulator rely on:
 * - `POST /login` (form): success is a 302 to /account with a session cookie, failure a 200 login
 *   page with the text "Invalid username or password".
 * - `POST /api/login` (JSON): 200 `{token}`, 401 `{error}`, 400 on a malformed body.
 * - `POST /api/signup` (JSON): 201 `{id, username}`, 409 when taken, 400 when malformed.
 * - `POST /api/listings/:id/comments` (JSON, bearer token): 201 `{id}`, 401, 404, 400.
 * A GET route also answers HEAD.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Outcome } from './accounting.js';
import type { Accounts } from './accounts.js';
import { checkSignup } from './accounts.js';
import { type AssetName, type StaticAsset, sendAsset } from './assets.js';
import { COMMENT_TEXT_LIMIT, type Listings } from './listings.js';
import { accountPage, homePage, listingPage, loginPage, notFoundPage, signupPage } from './pages.js';
import { fixedJsonHeaders, redirect, sendError, sendHtml, sendJson, sendJsonText } from './replies.js';
import { readForm, readJsonObject } from './request-body.js';
import type { SessionBook } from './sessions.js';

export type RouteParams = Record<string, string | undefined>;

export interface Route {
  readonly method: 'GET' | 'POST';
  /** A find-my-way pattern (`/api/listings/:id`); with the method, the route's name in the stats. */
  readonly path: string;
  /** How the route's answers count in the stats, when they are a login, a signup or a comment. */
  readonly outcome?: Outcome;
  readonly handle: (req: IncomingMessage, res: ServerResponse, params: RouteParams) => void | Promise<void>;
}

export interface MarketplaceState {
  readonly accounts: Accounts;
  readonly listings: Listings;
  /** Sessions of the pages, named by the session cookie. */
  readonly sessions: SessionBook;
  /** Sessions of the API, named by a bearer token. */
  readonly tokens: SessionBook;
  readonly assets: Readonly<Record<AssetName, StaticAsset>>;
}

export const SESSION_COOKIE = 'demo_session';

export function marketplaceRoutes(state: MarketplaceState): Route[] {
  const { accounts, listings, sessions, tokens, assets } = state;
  // Pages that never change, built once.
  const home = Buffer.from(homePage(listings.all));
  const login = Buffer.from(loginPage());
  const signup = Buffer.from(signupPage());
  const listingsHeaders = fixedJsonHeaders(listings.listJson);

  return [
    { method: 'GET', path: '/', handle: (_req, res) => sendHtml(res, 200, home) },
    { method: 'GET', path: '/login', handle: (_req, res) => sendHtml(res, 200, login) },
    { method: 'GET', path: '/signup', handle: (_req, res) => sendHtml(res, 200, signup) },
    { method: 'GET', path: '/static/app.js', handle: (req, res) => sendAsset(req, res, assets['app.js']) },
    { method: 'GET', path: '/static/app.css', handle: (req, res) => sendAsset(req, res, assets['app.css']) },
    { method: 'GET', path: '/static/favicon.svg', handle: (req, res) => sendAsset(req, res, assets['favicon.svg']) },

    {
      method: 'POST',
      path: '/login',
      outcome: 'form-login',
      async handle(req, res) {
        const form = await readForm(req);
        const username = form.get('username') ?? '';
        const password = form.get('password') ?? '';
        const account = username && password ? await accounts.authenticate(username, password) : undefined;
        if (account === undefined) {
          sendHtml(res, 200, loginPage(true, username));
          return;
        }
        const id = sessions.start(account.username);
        redirect(res, '/account', { 'set-cookie': `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax` });
      },
    },
    {
      method: 'GET',
      path: '/account',
      handle(req, res) {
        const username = sessions.find(sessionId(req));
        if (username === undefined) redirect(res, '/login');
        else sendHtml(res, 200, accountPage(username));
      },
    },
    {
      method: 'POST',
      path: '/logout',
      handle(req, res) {
        sessions.end(sessionId(req));
        redirect(res, '/', { 'set-cookie': `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0` });
      },
    },

    {
      method: 'POST',
      path: '/api/login',
      outcome: 'api-login',
      async handle(req, res) {
        const { username, password } = await readJsonObject(req);
        if (typeof username !== 'string' || typeof password !== 'string' || username === '' || password === '') {
          sendError(res, 400, 'username and password are required strings');
          return;
        }
        const account = await accounts.authenticate(username, password);
        if (account === undefined) sendError(res, 401, 'Invalid username or password');
        else sendJson(res, 200, { token: tokens.start(account.username) });
      },
    },
    {
      method: 'POST',
      path: '/api/signup',
      outcome: 'signup',
      async handle(req, res) {
        const checked = checkSignup(await readJsonObject(req));
        if (!checked.ok) {
          sendError(res, 400, checked.error);
          return;
        }
        const result = await accounts.signup(checked.fields);
        if (result.created) sendJson(res, 201, { id: result.account.id, username: result.account.username });
        else
          sendError(
            res,
            409,
            result.reason === 'username-taken' ? 'That username is taken' : 'That email is already registered',
          );
      },
    },

    {
      method: 'GET',
      path: '/api/listings',
      handle(_req, res) {
        res.writeHead(200, listingsHeaders);
        res.end(listings.listJson);
      },
    },
    {
      method: 'GET',
      path: '/api/listings/:id',
      handle(_req, res, params) {
        const listing = listings.find(params.id);
        if (listing === undefined) sendError(res, 404, 'No such listing');
        else sendJsonText(res, 200, listings.detailJson(listing));
      },
    },
    {
      method: 'POST',
      path: '/api/listings/:id/comments',
      outcome: 'comment',
      async handle(req, res, params) {
        const author = tokens.find(bearerToken(req));
        if (author === undefined) {
          sendError(res, 401, 'A valid bearer token is required', { 'www-authenticate': 'Bearer' });
          return;
        }
        const listing = listings.find(params.id);
        if (listing === undefined) {
          sendError(res, 404, 'No such listing');
          return;
        }
        const { text } = await readJsonObject(req);
        const trimmed = typeof text === 'string' ? text.trim() : '';
        if (trimmed === '' || trimmed.length > COMMENT_TEXT_LIMIT) {
          sendError(res, 400, `text must be a non-empty string of at most ${COMMENT_TEXT_LIMIT} characters`);
          return;
        }
        sendJson(res, 201, { id: listings.addComment(listing, author, trimmed).id });
      },
    },
    {
      method: 'GET',
      path: '/listings/:id',
      handle(_req, res, params) {
        const listing = listings.find(params.id);
        if (listing === undefined) sendHtml(res, 404, notFoundPage());
        else sendHtml(res, 200, listingPage(listings.detail(listing)));
      },
    },
  ];
}

function sessionId(req: IncomingMessage): string | undefined {
  const header = req.headers.cookie;
  if (header === undefined) return undefined;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq !== -1 && pair.slice(0, eq).trim() === SESSION_COOKIE) return pair.slice(eq + 1).trim();
  }
  return undefined;
}

function bearerToken(req: IncomingMessage): string | undefined {
  const match = /^Bearer +(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}
