/**
 * A local stand-in for the external CAPTCHA providers, implementing their documented siteverify
 * APIs on 127.0.0.1:0, so botgate's client is tested against the contract and not against itself:
 *
 *   Turnstile  POST /turnstile/v0/siteverify, form-encoded or JSON: secret, response (at most
 *              2048 characters), remoteip, idempotency_key (a UUID). Answers 200 with
 *              { success, challenge_ts, hostname, error-codes, action, cdata }. A token validates
 *              once; a second try is timeout-or-duplicate, unless it carries the idempotency_key
 *              of the first, which gets the first answer again. Tokens live 300 s.
 *   hCaptcha   POST /siteverify, form-encoded only: secret, response, remoteip, sitekey. Answers
 *              200 with { success, challenge_ts, hostname, credit, error-codes }; a token
 *              validates once (invalid-or-already-seen-response after that). Its tokens are long
 *              (past 4,000 characters), as real ones are.
 *
 * Error codes as documented: missing-input-secret, invalid-input-secret, missing-input-response,
 * invalid-input-response, bad-request, timeout-or-duplicate, internal-error (Turnstile);
 * invalid-or-already-seen-response, invalid-remoteip, sitekey-secret-mismatch (hCaptcha). Which
 * code hCaptcha gives a token minted for another site key is not documented; this stand-in says
 * sitekey-secret-mismatch, the case botgate must not mistake for its own misconfiguration.
 *
 * Tests mint tokens with `mint` (what the widget would hand the page), switch the provider into
 * an outage with `fail`, and read every call it received in `calls`. It also serves a stand-in of
 * each widget script (the `api.js` URLs), which renders by calling back with a freshly minted
 * token, for browser tests.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isIP } from 'node:net';

export type ProviderName = 'turnstile' | 'hcaptcha';

export interface MintOptions {
  /** The host the widget was solved on (siteverify's `hostname`). */
  readonly hostname: string;
  /** Turnstile: the widget's action. */
  readonly action?: string;
  /** hCaptcha: the site key the widget was rendered with (default: the configured one). */
  readonly sitekey?: string;
  /** When the widget was solved, in ms; default: the clock's now. */
  readonly solvedAt?: number;
}

/** One siteverify request as received. */
export interface SiteverifyCall {
  readonly provider: ProviderName;
  readonly method: string;
  readonly contentType: string;
  readonly fields: Readonly<Record<string, string>>;
}

/** How the provider misbehaves: answers late (never, within any sane budget), 5xx, or not JSON. */
export type Outage = 'slow' | 'status-503' | 'not-json' | 'internal-error' | null;

export interface FakeCaptchaProvider {
  readonly url: string;
  readonly turnstileVerifyUrl: string;
  readonly hcaptchaVerifyUrl: string;
  readonly turnstileScriptUrl: string;
  readonly hcaptchaScriptUrl: string;
  readonly calls: SiteverifyCall[];
  mint(provider: ProviderName, options: MintOptions): string;
  fail(outage: Outage): void;
  close(): Promise<void>;
}

export interface FakeProviderOptions {
  readonly secret: string;
  readonly siteKey: string;
  /** The provider's clock (challenge_ts, token expiry); default Date.now. */
  readonly now?: () => number;
  /** The hostname the stand-in widget scripts mint their tokens for; default 127.0.0.1. */
  readonly widgetHostname?: string;
}

interface Minted {
  readonly provider: ProviderName;
  readonly hostname: string;
  readonly action: string | undefined;
  readonly sitekey: string;
  readonly solvedAt: number;
  /** The first answer, and the idempotency key it was given under (Turnstile). */
  verdict?: { readonly key: string | undefined; readonly body: Record<string, unknown> };
}

const TOKEN_LIFETIME_MS = 300_000;
const TURNSTILE_MAX_TOKEN = 2048;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function startFakeCaptchaProvider(options: FakeProviderOptions): Promise<FakeCaptchaProvider> {
  const now = options.now ?? Date.now;
  const tokens = new Map<string, Minted>();
  const calls: SiteverifyCall[] = [];
  let outage: Outage = null;

  function mint(provider: ProviderName, o: MintOptions): string {
    const token =
      provider === 'turnstile'
        ? `0.${randomBytes(300).toString('base64url')}`
        : `P1_${randomBytes(3300).toString('base64url')}`;
    tokens.set(token, {
      provider,
      hostname: o.hostname,
      action: o.action,
      sitekey: o.sitekey ?? options.siteKey,
      solvedAt: o.solvedAt ?? now(),
    });
    return token;
  }

  function turnstile(fields: Record<string, string>): Record<string, unknown> {
    const fail = (code: string) => ({ success: false, 'error-codes': [code], messages: [] });
    if (!fields.secret) return fail('missing-input-secret');
    if (fields.secret !== options.secret) return fail('invalid-input-secret');
    if (!fields.response) return fail('missing-input-response');
    const key = fields.idempotency_key;
    if (key !== undefined && !UUID.test(key)) return fail('bad-request');
    if (fields.response.length > TURNSTILE_MAX_TOKEN) return fail('invalid-input-response');
    const minted = tokens.get(fields.response);
    if (minted === undefined || minted.provider !== 'turnstile') return fail('invalid-input-response');
    if (minted.verdict !== undefined) {
      // A retry with the first call's idempotency key gets the first answer again.
      return key !== undefined && key === minted.verdict.key ? minted.verdict.body : fail('timeout-or-duplicate');
    }
    if (now() - minted.solvedAt > TOKEN_LIFETIME_MS) return fail('timeout-or-duplicate');
    const body = {
      success: true,
      challenge_ts: new Date(minted.solvedAt).toISOString(),
      hostname: minted.hostname,
      'error-codes': [],
      action: minted.action ?? '',
      cdata: '',
      metadata: { interactive: false },
    };
    minted.verdict = { key, body };
    return body;
  }

  function hcaptcha(fields: Record<string, string>, contentType: string): Record<string, unknown> {
    const fail = (code: string) => ({ success: false, 'error-codes': [code] });
    if (!contentType.startsWith('application/x-www-form-urlencoded')) return fail('bad-request');
    if (!fields.secret) return fail('missing-input-secret');
    if (fields.secret !== options.secret) return fail('invalid-input-secret');
    if (!fields.response) return fail('missing-input-response');
    if (fields.remoteip !== undefined && isIP(fields.remoteip) === 0) return fail('invalid-remoteip');
    const minted = tokens.get(fields.response);
    if (minted === undefined || minted.provider !== 'hcaptcha') return fail('invalid-input-response');
    if (minted.verdict !== undefined) return fail('invalid-or-already-seen-response');
    if (fields.sitekey !== undefined && fields.sitekey !== minted.sitekey) return fail('sitekey-secret-mismatch');
    if (now() - minted.solvedAt > TOKEN_LIFETIME_MS) return fail('invalid-or-already-seen-response');
    // hCaptcha writes challenge_ts with microseconds.
    const ts = new Date(minted.solvedAt).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
    const body = { success: true, challenge_ts: ts, hostname: minted.hostname, credit: false };
    minted.verdict = { key: undefined, body };
    return body;
  }

  function widgetScript(provider: ProviderName, onload: string): string {
    // What the real script does for the page, minus the person: render(element, options) calls
    // options.callback with a token once "solved", then the page's onload callback runs.
    const token = mint(provider, { hostname: options.widgetHostname ?? '127.0.0.1' });
    return `(function () {
  window.${provider} = {
    render: function (element, opts) {
      element.setAttribute('data-rendered', opts.sitekey);
      setTimeout(function () { opts.callback(${JSON.stringify(token)}); }, 10);
      return 'widget-1';
    }
  };
  if (typeof window[${JSON.stringify(onload)}] === 'function') window[${JSON.stringify(onload)}]();
})();`;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const script: ProviderName | null =
      url.pathname === '/turnstile/v0/api.js' ? 'turnstile' : url.pathname === '/1/api.js' ? 'hcaptcha' : null;
    if (req.method === 'GET' && script !== null) {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(widgetScript(script, url.searchParams.get('onload') ?? ''));
      return;
    }
    const provider: ProviderName | null =
      url.pathname === '/turnstile/v0/siteverify' ? 'turnstile' : url.pathname === '/siteverify' ? 'hcaptcha' : null;
    if (provider === null) {
      res.writeHead(404).end();
      return;
    }
    const raw = await readBody(req);
    const contentType = String(req.headers['content-type'] ?? '');
    const fields = parseFields(raw, contentType, provider);
    calls.push({ provider, method: req.method ?? '', contentType, fields });
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    if (outage === 'slow') return; // Never answers; close() drops the connection.
    if (outage === 'status-503') {
      res.writeHead(503, { 'content-type': 'text/html' }).end('<h1>503 Service Unavailable</h1>');
      return;
    }
    if (outage === 'not-json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"success": tru');
      return;
    }
    const body =
      outage === 'internal-error'
        ? { success: false, 'error-codes': ['internal-error'] }
        : provider === 'turnstile'
          ? turnstile(fields)
          : hcaptcha(fields, contentType);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    turnstileVerifyUrl: `${url}/turnstile/v0/siteverify`,
    hcaptchaVerifyUrl: `${url}/siteverify`,
    turnstileScriptUrl: `${url}/turnstile/v0/api.js`,
    hcaptchaScriptUrl: `${url}/1/api.js`,
    calls,
    mint,
    fail(next) {
      outage = next;
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Form-encoded for both; JSON only where documented (Turnstile). Anything else: no fields. */
function parseFields(raw: string, contentType: string, provider: ProviderName): Record<string, string> {
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(raw));
  }
  if (provider === 'turnstile' && contentType.startsWith('application/json')) {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (typeof parsed !== 'object' || parsed === null) return {};
      return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
    } catch {
      return {};
    }
  }
  return {};
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
