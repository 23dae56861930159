/**
 * The call to the provider's siteverify, exactly as documented: a form-encoded POST of `secret`,
 * `response` and `remoteip`, plus `idempotency_key` for Turnstile and `sitekey` for hCaptcha.
 *
 * One budget (`timeoutMs`) covers connecting, the answer's headers and its body; past it, or
 * on a refused connection, a non-2xx status or a body that is not JSON, the verdict is
 * `unavailable` with the kind, never an exception: the caller decides what an outage means.
 * The secret goes only into the request body; it is never part of a verdict, an error or a log.
 */
import { createHash } from 'node:crypto';
import { Agent, request } from 'undici';
import type { CaptchaProvider } from './captcha-provider.js';
import { type CaptchaVerdict, judgeSiteverify, type ProviderErrorKind } from './siteverify-rules.js';

export interface SiteverifyOptions {
  readonly provider: CaptchaProvider;
  readonly verifyUrl: string;
  readonly secret: string;
  readonly siteKey: string;
  readonly timeoutMs: number;
  readonly maxAgeMs: number;
  readonly action: string | undefined;
  readonly now: () => number;
}

export interface SiteverifyCall {
  readonly token: string;
  /** The client's IP as botgate determined it (trusted proxy hops only). */
  readonly remoteIp: string;
  /** The Host the client asked for, as `requestHostname` gives it. */
  readonly hostname: string | null;
  /** Unique per redemption (the challenge's nonce); Turnstile's idempotency_key is derived from it. */
  readonly redemptionId: string;
}

export interface Siteverify {
  /** Longest token worth sending (the provider's); a longer one is refused without a call. */
  readonly maxTokenLength: number;
  verify(call: SiteverifyCall): Promise<CaptchaVerdict>;
  close(): Promise<void>;
}

/** Largest siteverify answer read; a real one is a few hundred bytes. */
const MAX_ANSWER_BYTES = 65_536;

export function createSiteverify(options: SiteverifyOptions): Siteverify {
  const { provider, timeoutMs } = options;
  // Its own pool, so a slow provider never holds the upstream's connections, with every timeout
  // no longer than the whole budget.
  const agent = new Agent({
    connections: 32,
    connect: { timeout: timeoutMs },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    keepAliveTimeout: 10_000,
  });

  async function post(form: URLSearchParams): Promise<{ status: number; text: string } | ProviderErrorKind> {
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const response = await request(options.verifyUrl, {
        method: 'POST',
        dispatcher: agent,
        signal,
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body) {
        size += (chunk as Buffer).length;
        if (size > MAX_ANSWER_BYTES) {
          response.body.destroy();
          return 'malformed';
        }
        chunks.push(chunk as Buffer);
      }
      return { status: response.statusCode, text: Buffer.concat(chunks).toString('utf8') };
    } catch (error) {
      return signal.aborted || isTimeout(error) ? 'timeout' : 'unreachable';
    }
  }

  return {
    maxTokenLength: provider.maxTokenLength,
    async verify(call) {
      const form = new URLSearchParams({ secret: options.secret, response: call.token });
      // Optional for both providers; an empty one would be an invalid address, not an absent one.
      if (call.remoteIp !== '') form.set('remoteip', call.remoteIp);
      if (provider.idempotencyKey) form.set('idempotency_key', uuidFrom(call.redemptionId));
      if (provider.sendsSiteKey) form.set('sitekey', options.siteKey);
      const answer = await post(form);
      if (typeof answer === 'string')
        return unavailable(answer, answer === 'timeout' ? `no answer within ${timeoutMs} ms` : 'no connection');
      if (answer.status < 200 || answer.status > 299) return unavailable('http-status', `status ${answer.status}`);
      let body: unknown;
      try {
        body = JSON.parse(answer.text);
      } catch {
        return unavailable('malformed', 'the answer is not JSON');
      }
      return judgeSiteverify(body, {
        provider,
        hostname: call.hostname,
        action: options.action,
        maxAgeMs: options.maxAgeMs,
        now: options.now(),
      });
    },
    close: () => agent.close(),
  };
}

function unavailable(kind: ProviderErrorKind, detail: string): CaptchaVerdict {
  return { outcome: 'unavailable', kind, detail };
}

function isTimeout(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
}

/**
 * A UUID (version 4 layout) derived from a redemption id: Turnstile wants a UUID, and the same
 * redemption always gives the same key, so a retried call is recognised as one by the provider.
 */
export function uuidFrom(id: string): string {
  const b = createHash('sha256').update(`botgate/idempotency/${id}`).digest();
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
