/**
 * The deceive action: answer as the application answers a failed login, without calling it,
 * so a stuffer cannot tell "blocked" from "wrong password" and the application is spared the
 * load. The answer is a copy of the shape of a recent real failure of the same flow (status,
 * content type, body), taken from the upstream's own answers, with the username the attacker
 * sent in place of the one the real failure echoed. It is delayed by about the time the
 * application takes to fail a login, so timing does not tell either.
 *
 * Templates live in memory only and never hold a username: the echoed username of the captured
 * answer is replaced by a placeholder before the template is kept.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { escapeHtml } from './challenge/response.js';

export interface DeceptiveAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** How long to wait before answering, in ms. */
  readonly delayMs: number;
}

interface Template {
  readonly status: number;
  readonly contentType: string;
  /** Body split at the places the username was echoed. */
  readonly parts: readonly string[];
  readonly html: boolean;
}

const PLACEHOLDER = '\u0000username\u0000';
/** Bodies larger than this are not kept as templates. */
const MAX_TEMPLATE_BYTES = 65_536;
const LATENCY_SAMPLES = 32;
const MAX_DELAY_MS = 2_000;
/** Usernames shorter than this are not searched for in a body: they would match ordinary words. */
const MIN_ECHO_LENGTH = 3;

export class DeceptionTemplates {
  private readonly templates = new Map<string, Template>();
  private readonly latencies = new Map<string, number[]>();

  /** Keeps a real failure of `flow` as its template; `username` is the raw value the client sent. */
  capture(
    flow: string,
    status: number,
    headers: IncomingHttpHeaders,
    body: Buffer,
    username: string | undefined,
    latencyMs: number,
  ): void {
    const samples = this.latencies.get(flow) ?? [];
    samples.push(latencyMs);
    if (samples.length > LATENCY_SAMPLES) samples.shift();
    this.latencies.set(flow, samples);

    const contentType =
      typeof headers['content-type'] === 'string' ? headers['content-type'] : 'text/plain; charset=utf-8';
    if (body.length === 0 || body.length >= MAX_TEMPLATE_BYTES || headers['content-encoding'] !== undefined) return;
    const html = contentType.includes('html');
    let text = body.toString('utf8');
    if (username !== undefined && username.length >= MIN_ECHO_LENGTH) {
      for (const form of new Set([username, escapeHtml(username), JSON.stringify(username).slice(1, -1)])) {
        text = text.replace(echoPattern(form), PLACEHOLDER);
      }
    }
    this.templates.set(flow, { status, contentType, parts: text.split(PLACEHOLDER), html });
  }

  hasTemplate(flow: string): boolean {
    return this.templates.has(flow);
  }

  /**
   * The deceptive answer for a request of `flow`: the template with this request's username,
   * or, before any real failure was seen, the fallback built from the flow's failure marker.
   */
  render(
    flow: string,
    username: string | undefined,
    fallback: { status: number; json: boolean; marker: string },
  ): DeceptiveAnswer {
    const delayMs = median(this.latencies.get(flow));
    const t = this.templates.get(flow);
    if (t) {
      const echoed =
        username === undefined
          ? ''
          : t.html
            ? escapeHtml(username)
            : t.contentType.includes('json')
              ? JSON.stringify(username).slice(1, -1)
              : username;
      const body = t.parts.join(echoed);
      return {
        status: t.status,
        headers: { 'content-type': t.contentType, 'cache-control': 'no-store' },
        body,
        delayMs,
      };
    }
    if (fallback.json) {
      return {
        status: fallback.status,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({ error: fallback.marker }),
        delayMs,
      };
    }
    const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in</title></head><body><main><p role="alert">${escapeHtml(fallback.marker)}</p></main></body></html>`;
    return {
      status: fallback.status,
      headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
      body,
      delayMs,
    };
  }
}

function echoPattern(form: string): RegExp {
  const escaped = form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // Only where the value stands alone (an attribute value, a JSON string, element text).
  return new RegExp(`(?<=["'>\\s])${escaped}(?=["'<\\s])`, 'g');
}

function median(samples: readonly number[] | undefined): number {
  if (!samples || samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  return Math.min(MAX_DELAY_MS, sorted[Math.floor(sorted.length / 2)] ?? 0);
}
