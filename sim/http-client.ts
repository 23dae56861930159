/**
 * A non-browser client: a mobile app's networking stack or an HTTP library. It sends what it is
 * told, with its stack's headers, and keeps cookies if its stack does; no page visits, no
 * assets, no Referer.
 */
import type { FetchOptions } from './browser.js';
import type { Session } from './session.js';
import type { Reply } from './transport.js';

export class HttpClient {
  constructor(readonly session: Session) {}

  get(path: string, options: FetchOptions): Promise<Reply> {
    return this.session.send({
      kind: 'get',
      method: 'GET',
      path,
      flow: options.flow,
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
      ...(options.attempt === undefined ? {} : { attempt: options.attempt }),
    });
  }

  postJson(path: string, body: unknown, options: FetchOptions): Promise<Reply> {
    return this.session.send({
      kind: 'post-json',
      method: 'POST',
      path,
      flow: options.flow,
      body: JSON.stringify(body),
      contentType: 'application/json',
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
      ...(options.attempt === undefined ? {} : { attempt: options.attempt }),
      ...(options.credential === undefined ? {} : { credential: options.credential }),
    });
  }

  postForm(path: string, fields: Record<string, string>, options: FetchOptions): Promise<Reply> {
    return this.session.send({
      kind: 'post-form',
      method: 'POST',
      path,
      flow: options.flow,
      body: new URLSearchParams(fields).toString(),
      contentType: 'application/x-www-form-urlencoded',
      ...(options.attempt === undefined ? {} : { attempt: options.attempt }),
      ...(options.credential === undefined ? {} : { credential: options.credential }),
    });
  }
}

/** The token in a JSON login answer, or undefined. */
export function tokenOf(reply: Reply): string | undefined {
  if (reply.status !== 200 || !reply.body.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(reply.body) as { token?: unknown };
    return typeof parsed.token === 'string' ? parsed.token : undefined;
  } catch {
    return undefined;
  }
}
