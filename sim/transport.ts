/**
 * How simulated clients reach the gateway: node:http with the head written exactly as the
 * client's template says (a raw header array keeps names, casing and order; node adds nothing to
 * it), one shared pool of keep-alive connections, and the client's address in
 * `X-Forwarded-For`, appended last as a load balancer appends it.
 *
 * Why node:http and not undici, the project's upstream client: undici always writes `host` and
 * `connection` itself, lower-case and first, so every simulated browser would carry a head no
 * real browser sends. The simulator plays the load balancer: many clients' requests share its
 * connections to the gateway, as they do in production.
 *
 * Bounded: at most `maxSockets` requests in flight (the rest wait in the pool's queue), a
 * response body is kept up to BODY_LIMIT characters (the rest is read and dropped), and a request
 * that gets no complete answer within `timeoutMs` counts as a failure. Only loopback targets are
 * accepted: the simulator sends attack traffic and must never be pointed at someone else's site.
 */
import { Agent, type IncomingHttpHeaders, request } from 'node:http';

export interface OutgoingRequest {
  readonly method: string;
  readonly path: string;
  /** The full head as a flat [name, value, …] array, Host included. */
  readonly headers: readonly string[];
  readonly body?: Buffer | undefined;
  /** Sent as X-Forwarded-For. */
  readonly clientIp: string;
}

export interface Reply {
  /** 0 when no answer arrived. */
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The response's `x-botgate-id`, present on every answer that went through botgate. */
  readonly botgateId: string | null;
  /** Why no answer arrived (a socket error code, `timeout`), or null. */
  readonly failure: string | null;
}

export interface Transport {
  /** The Host header clients send. */
  readonly host: string;
  /** `http://host`. */
  readonly origin: string;
  send(req: OutgoingRequest): Promise<Reply>;
  close(): Promise<void>;
}

const BODY_LIMIT = 64 * 1024;

export interface HttpTransportOptions {
  /** Most requests in flight; default 32. */
  readonly maxSockets?: number;
  /** Default 30 000. */
  readonly timeoutMs?: number;
}

export function httpTransport(target: string, options: HttpTransportOptions = {}): Transport {
  const url = loopbackUrl(target, 'target');
  const maxSockets = options.maxSockets ?? 32;
  const timeoutMs = options.timeoutMs ?? 30_000;
  // `timeout` makes node honour the gateway's `Keep-Alive: timeout=N` hint: an idle socket is
  // retired a second before the server closes it, instead of being reused as it closes (ECONNRESET).
  const agent = new Agent({
    keepAlive: true,
    maxSockets,
    maxFreeSockets: maxSockets,
    scheduling: 'lifo',
    timeout: timeoutMs,
  });
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(url.port || 80);

  return {
    host: url.host,
    origin: url.origin,
    send(out) {
      return new Promise<Reply>((resolve) => {
        let settled = false;
        const finish = (reply: Reply): void => {
          if (settled) return;
          settled = true;
          resolve(reply);
        };
        const req = request(
          {
            host: hostname,
            port,
            method: out.method,
            path: out.path,
            headers: [...out.headers, 'X-Forwarded-For', out.clientIp],
            agent,
          },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => {
              if (body.length < BODY_LIMIT) body += chunk.slice(0, BODY_LIMIT - body.length);
            });
            res.on('end', () =>
              finish({
                status: res.statusCode ?? 0,
                headers: res.headers,
                body,
                botgateId: single(res.headers['x-botgate-id']),
                failure: null,
              }),
            );
            res.on('error', (err) => finish(failed(err)));
            res.on('aborted', () => finish(failed(new Error('aborted'))));
          },
        );
        req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })));
        req.on('error', (err) => finish(failed(err)));
        req.end(out.body);
      });
    },
    async close() {
      agent.destroy();
    },
  };
}

function failed(err: Error): Reply {
  return { status: 0, headers: {}, body: '', botgateId: null, failure: (err as { code?: string }).code ?? err.message };
}

function single(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return typeof value === 'string' ? value : (value[0] ?? null);
}

/** The URL when it names a loopback host; otherwise a clear error naming the flag. */
export function loopbackUrl(value: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`Cannot use ${what} "${value}": expected an http:// URL such as http://127.0.0.1:8080`);
  }
  if (url.protocol !== 'http:')
    throw new Error(`Cannot use ${what} "${value}": the simulator speaks plain http:// only`);
  if (!isLoopback(url.hostname)) {
    throw new Error(
      `Cannot use ${what} "${value}": the simulator sends attack traffic, so it only talks to loopback (127.0.0.0/8, [::1], localhost)`,
    );
  }
  return url;
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
