/**
 * The gateway's HTTP listener: node:http with every limit set explicitly (Node's defaults are
 * tuned for applications, not for an edge that attackers talk to), protocol errors answered
 * with the right 4xx and an event (at a bounded rate: protocol-refusals.ts), a cap on connections
 * per client address, every connection closed by botgate itself counted by reason, and a graceful
 * stop that lets in-flight requests finish.
 *
 * Limits and why each is set (all from the policy's `limits`):
 * - `maxHeaderSize`: the whole head (request line included) past it is a 431 from the parser;
 * - `headersTimeout` / `requestTimeout`: a client that sends its head or its body too slowly
 *   gets 408 and loses the connection (slowloris); `connectionsCheckingInterval` is how often
 *   Node checks them, 30 s by default, which would let a 2 s timeout fire at 30 s;
 * - `keepAliveTimeout`: idle keep-alive connections are closed;
 * - `maxHeadersCount` = maxHeaderLines + 1: Node keeps at least that many header lines, so the
 *   request handler can tell too many (431) from exactly the cap. Node 20 silently truncates
 *   past about a thousand lines while its parser still uses the lost ones (a late
 *   Content-Length), so the cap must be well below that; Node 24 answers 431 itself;
 * - `insecureHTTPParser` is never set: the lenient parser accepts exactly the ambiguous
 *   framing that request smuggling needs.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ANSWERS, type AnswerCode } from '../actions/answers.js';
import type { PolicyDocument } from '../config/schema.js';
import type { ConnectionRefusal } from '../events/metrics.js';
import { createConnectionLimiter } from './connection-limits.js';
import { listenOn } from './listen.js';
import { referenceId } from './reference-id.js';

export interface ListenerOptions {
  readonly limits: PolicyDocument['limits'];
  readonly onRequest: (req: IncomingMessage, res: ServerResponse) => void;
  /**
   * Called for requests Node's parser refused, before botgate saw a request object: `status` is
   * what the client was answered, 0 when the connection was closed without an answer. Not called
   * for a client's own reset (ECONNRESET): nothing was refused.
   */
  readonly onProtocolError: (refusal: ProtocolRefusal) => void;
  /** Called for each connection botgate closes itself, with the reason. */
  readonly onConnectionRefused?: (reason: ConnectionRefusal) => void;
  /** Peers exempt from the per-address connection cap (trusted proxies); none by default. */
  readonly trustedPeer?: (address: string) => boolean;
}

export interface ProtocolRefusal {
  readonly id: string;
  readonly code: Extract<AnswerCode, ConnectionRefusal>;
  readonly peer: string;
  /** Node's error code (HPE_INVALID_METHOD…) or message. */
  readonly cause: string;
  readonly status: number;
}

export interface Listener {
  readonly server: Server;
  listen(host: string, port: number): Promise<AddressInfo>;
  /** Stops accepting, lets in-flight requests finish up to `graceMs`, then closes what is left. */
  close(graceMs: number): Promise<void>;
  inFlight(): number;
  /** Connections closed at once because their address held `limits.maxConnectionsPerIp` already. */
  refusedConnections(): number;
}

export function createListener(options: ListenerOptions): Listener {
  const { limits } = options;
  let active = 0;
  let drained: (() => void) | null = null;
  // Responses not yet closed, per connection: a protocol error on a connection with one in
  // flight must not write its 400 ahead of it (the client would take the 400 for the answer to
  // its earlier request: a response desync on a connection a CDN shares between users).
  const exchangesOf = new WeakMap<Socket, Set<ServerResponse>>();
  const endWhenIdle = new WeakSet<Socket>();
  const lastExchange = new WeakMap<Socket, { req: IncomingMessage; res: ServerResponse }>();

  const server = createServer(
    {
      maxHeaderSize: limits.maxHeaderBytes,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: limits.connectionsCheckingIntervalMs,
      // Host is checked by the request handler (hop-headers.ts), whose 400 carries a reference id.
      requireHostHeader: false,
      insecureHTTPParser: false,
    },
    (req, res) => {
      active++;
      const socket = req.socket;
      const pending = pendingOn(socket);
      lastExchange.set(socket, { req, res });
      pending.add(res);
      res.once('close', () => {
        pending.delete(res);
        active--;
        if (pending.size === 0 && endWhenIdle.has(socket)) socket.end();
        if (active === 0 && drained) drained();
      });
      options.onRequest(req, res);
    },
  );
  /**
   * The responses of a connection not yet closed. A response still queued behind another when
   * its connection closes never emits 'close' (Node drops the queue): it is closed here, so that
   * its exchange ends like any other (its event is recorded, with status 0, even though the
   * upstream may have answered it). Deferred a turn, so Node closes the ones it knows first.
   */
  function pendingOn(socket: Socket): Set<ServerResponse> {
    let pending = exchangesOf.get(socket);
    if (pending === undefined) {
      const set = new Set<ServerResponse>();
      pending = set;
      exchangesOf.set(socket, set);
      socket.once('close', () =>
        setImmediate(() => {
          for (const res of [...set]) {
            res.destroy();
            res.emit('close');
          }
        }),
      );
    }
    return pending;
  }
  // One more than the cap, so the handler can tell "too many" from "exactly the cap".
  server.maxHeadersCount = limits.maxHeaderLines + 1;
  const connections = createConnectionLimiter(limits.maxConnectionsPerIp, options.trustedPeer ?? (() => false));
  const refusedConnection = options.onConnectionRefused ?? (() => {});
  server.on('connection', (socket: Socket) => {
    if (!connections.admit(socket)) refusedConnection('per_ip_cap');
  });
  // Node's headersTimeout must not exceed requestTimeout; both come from the policy.
  server.on('clientError', (err: Error & { code?: string }, socket: Socket) => {
    const code = protocolAnswer(err.code);
    const id = referenceId();
    const refused = (status: number): void => {
      refusedConnection(code);
      options.onProtocolError({
        id,
        code,
        peer: socket.remoteAddress ?? '0.0.0.0',
        cause: err.code ?? err.message,
        status,
      });
    };
    if (!socket.writable || (err.code === 'ECONNRESET' && socket.destroyed)) {
      if (err.code !== 'ECONNRESET') refused(0);
      socket.destroy();
      return;
    }
    const pending = exchangesOf.get(socket)?.size ?? 0;
    if (pending > 0) {
      const last = lastExchange.get(socket);
      if (last !== undefined && !last.req.complete) {
        // The error is in the body of the request being handled (a bad chunk): it never
        // completes, so the connection goes, and the upstream sees an aborted request. It is
        // answered 400 when nothing of its answer, nor an earlier one, is on the wire yet.
        const answered = pending === 1 && !last.res.headersSent;
        refused(answered ? ANSWERS[code].status : 0);
        if (answered) socket.end(rawAnswer(code, id), () => socket.destroy());
        else socket.destroy();
        return;
      }
      // The error is in bytes after complete requests: let their answers finish, then close;
      // the bad bytes get no answer of their own.
      refused(0);
      endWhenIdle.add(socket);
      return;
    }
    refused(ANSWERS[code].status);
    socket.end(rawAnswer(code, id));
  });

  return {
    server,
    listen: (host, port) => listenOn(server, host, port),
    async close(graceMs) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (active > 0) {
        await Promise.race([
          new Promise<void>((resolve) => {
            drained = resolve;
          }),
          new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref()),
        ]);
      }
      server.closeAllConnections();
      await closed;
    },
    inFlight: () => active,
    refusedConnections: () => connections.refused,
  };
}

/** One of botgate's answers written straight to a socket (there is no response object). */
function rawAnswer(code: AnswerCode, id: string): string {
  const answer = ANSWERS[code];
  const body = JSON.stringify({ error: code, message: answer.message, referenceId: id });
  return (
    `HTTP/1.1 ${answer.status} ${answer.title}\r\nconnection: close\r\ncontent-type: application/json\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\nx-botgate-id: ${id}\r\n\r\n${body}`
  );
}

function protocolAnswer(code: string | undefined): ProtocolRefusal['code'] {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return 'headers_too_large';
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'HPE_HEADERS_TIMEOUT':
      return 'request_timeout';
    default:
      return 'bad_request';
  }
}
