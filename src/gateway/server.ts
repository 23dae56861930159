/**
 * The gateway's HTTP listener: node:http with every limit set explicitly (Node's defaults are
 * tuned for applications, not for an edge that attackers talk to), protocol errors answered
 * with the right 4xx and an event, and a graceful stop that lets in-flight requests finish.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { PolicyDocument } from '../config/schema.js';
import { ANSWERS, type AnswerCode } from '../actions/answers.js';
import { referenceId } from './reference-id.js';

export interface ListenerOptions {
  readonly limits: PolicyDocument['limits'];
  readonly onRequest: (req: IncomingMessage, res: ServerResponse) => void;
  /** Called for requests Node's parser refused, before botgate saw a request object. */
  readonly onProtocolError: (id: string, code: AnswerCode, peer: string, cause: string) => void;
}

export interface Listener {
  readonly server: Server;
  listen(host: string, port: number): Promise<AddressInfo>;
  /** Stops accepting, lets in-flight requests finish up to `graceMs`, then closes what is left. */
  close(graceMs: number): Promise<void>;
  inFlight(): number;
}

export function createListener(options: ListenerOptions): Listener {
  const { limits } = options;
  let active = 0;
  let drained: (() => void) | null = null;

  const server = createServer(
    {
      maxHeaderSize: limits.maxHeaderBytes,
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: limits.connectionsCheckingIntervalMs,
      requireHostHeader: true,
    },
    (req, res) => {
      active++;
      res.once('close', () => {
        active--;
        if (active === 0 && drained) drained();
      });
      options.onRequest(req, res);
    },
  );
  // One more than the cap, so the handler can tell "too many" from "exactly the cap".
  server.maxHeadersCount = limits.maxHeaderLines + 1;
  // Node's headersTimeout must not exceed requestTimeout; both come from the policy.
  server.on('clientError', (err: Error & { code?: string }, socket: Socket) => {
    const code = protocolAnswer(err.code);
    const id = referenceId();
    options.onProtocolError(id, code, socket.remoteAddress ?? '0.0.0.0', err.code ?? err.message);
    if (!socket.writable || (err.code === 'ECONNRESET' && socket.destroyed)) {
      socket.destroy();
      return;
    }
    const answer = ANSWERS[code];
    const body = JSON.stringify({ error: code, message: answer.message, referenceId: id });
    socket.end(
      `HTTP/1.1 ${answer.status} ${answer.title}\r\nconnection: close\r\ncontent-type: application/json\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nx-botgate-id: ${id}\r\n\r\n${body}`,
    );
  });

  return {
    server,
    listen(host, port) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
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
  };
}

function protocolAnswer(code: string | undefined): AnswerCode {
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
