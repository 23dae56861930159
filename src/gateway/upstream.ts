/**
 * The application botgate protects, behind a keep-alive undici Pool. `Pool.stream` writes the
 * upstream's body straight into the client's response: the cheapest proxying path measured
 * (see DESIGN.md's performance budget).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable, Writable } from 'node:stream';
import { Pool } from 'undici';

export interface UpstreamOptions {
  readonly url: string;
  readonly connections: number;
  readonly connectTimeoutMs: number;
  readonly responseTimeoutMs: number;
}

export interface UpstreamRequest {
  readonly method: string;
  /** Origin-form request target, exactly as the client sent it. */
  readonly path: string;
  /** Flat [name, value, …] list. */
  readonly headers: string[];
  readonly body: Buffer | Readable | null;
}

/** Why an upstream exchange failed, in a fixed set (used as a metric label). */
export type UpstreamFailure = 'connect' | 'timeout' | 'reset' | 'aborted' | 'other';

export type ResponseStart = (statusCode: number, headers: IncomingHttpHeaders) => Writable;

export class Upstream {
  private readonly pool: Pool;
  readonly origin: string;

  constructor(options: UpstreamOptions) {
    this.origin = new URL(options.url).origin;
    this.pool = new Pool(this.origin, {
      connections: options.connections,
      pipelining: 1,
      connect: { timeout: options.connectTimeoutMs },
      headersTimeout: options.responseTimeoutMs,
      bodyTimeout: options.responseTimeoutMs,
      keepAliveTimeout: 4_000,
    });
  }

  /** Sends the request; `start` receives the status and headers and returns where the body goes. */
  forward(request: UpstreamRequest, start: ResponseStart, done: (err: Error | null) => void): void {
    this.pool.stream(
      { method: request.method as 'GET', path: request.path, headers: request.headers, body: request.body },
      ({ statusCode, headers }) => start(statusCode, headers),
      (err) => done(err ?? null),
    );
  }

  /**
   * Closes the pool: requests still running get `graceMs` to finish (the listener has already
   * waited for its clients), then the sockets are destroyed, so a hung upstream cannot hold
   * the shutdown.
   */
  async close(graceMs = 1_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), graceMs);
      timer.unref();
    });
    const outcome = await Promise.race([this.pool.close().then(() => 'closed' as const), late]);
    clearTimeout(timer);
    if (outcome === 'late') await this.pool.destroy();
  }
}

export function classifyUpstreamError(err: Error): UpstreamFailure {
  const code = (err as { code?: string }).code;
  switch (code) {
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EHOSTUNREACH':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connect';
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return 'timeout';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return 'reset';
    case 'UND_ERR_ABORTED':
    case 'ERR_STREAM_PREMATURE_CLOSE':
    case 'ERR_STREAM_DESTROYED':
      return 'aborted';
    default:
      return 'other';
  }
}
