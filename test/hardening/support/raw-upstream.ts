/**
 * An upstream on a raw socket that records exactly the bytes it received, request by request,
 * and reads them with a strict HTTP/1.1 parser of its own (not Node's), so a test sees what an
 * application server behind botgate would see, and whether that could be framed two ways.
 *
 * Each request is answered `200 ok` (keep-alive), except that a path starting with
 * `/status/<code>` is answered with that code. A request the strict parser cannot frame is
 * recorded with its problem, and the connection is closed.
 */
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';

export interface ReceivedRequest {
  /** The exact bytes of this request on the wire (head and body). */
  readonly raw: Buffer;
  readonly method: string;
  readonly target: string;
  readonly version: string;
  /** Header lines as received: [name, value], in order, names as sent. */
  readonly headers: readonly (readonly [string, string])[];
  /** The body after de-chunking. */
  readonly body: Buffer;
  /** Why this request could be framed two ways (both lengths, a bad length, bare LF…), or null. */
  readonly framingProblem: string | null;
}

export interface RawUpstream {
  readonly url: string;
  readonly port: number;
  readonly received: ReceivedRequest[];
  /** Requests received whose head could not be parsed at all. */
  readonly unparsable: Buffer[];
  header(request: ReceivedRequest, name: string): string[];
  clear(): void;
  close(): Promise<void>;
}

const HEAD_END = Buffer.from('\r\n\r\n');
const MAX_HEAD = 256 * 1024;

export async function startRawUpstream(): Promise<RawUpstream> {
  const received: ReceivedRequest[] = [];
  const unparsable: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const parsed = parseOne(buffer);
        if (parsed === 'incomplete') {
          if (buffer.indexOf(HEAD_END) < 0 && buffer.length > MAX_HEAD) {
            unparsable.push(buffer);
            socket.destroy();
          }
          return;
        }
        if (parsed === 'unparsable') {
          unparsable.push(buffer);
          socket.destroy();
          return;
        }
        received.push(parsed.request);
        buffer = buffer.subarray(parsed.length);
        const status = /^\/status\/(\d{3})/.exec(parsed.request.target)?.[1] ?? '200';
        socket.write(`HTTP/1.1 ${status} X\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n\r\nok`);
        if (parsed.request.framingProblem !== null) {
          socket.destroy();
          return;
        }
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    unparsable,
    header: (request, name) => request.headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v),
    clear() {
      received.length = 0;
      unparsable.length = 0;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

type Parsed = { request: ReceivedRequest; length: number } | 'incomplete' | 'unparsable';

/** One request from the start of `buffer`, strictly: CRLF only, one length, digits only. */
function parseOne(buffer: Buffer): Parsed {
  const headEnd = buffer.indexOf(HEAD_END);
  if (headEnd < 0) return 'incomplete';
  const head = buffer.subarray(0, headEnd).toString('latin1');
  const lines = head.split('\r\n');
  const requestLine = /^([A-Z]+) (\S+) (HTTP\/1\.[01])$/.exec(lines[0] ?? '');
  if (requestLine === null) return 'unparsable';
  let problem: string | null = null;
  const headers: [string, string][] = [];
  for (const line of lines.slice(1)) {
    if (line.includes('\n') || line.includes('\r')) problem ??= 'a bare CR or LF in the head';
    const colon = line.indexOf(':');
    if (colon <= 0 || /[\s]/.test(line.slice(0, colon))) {
      problem ??= `a malformed header line "${line.slice(0, 40)}"`;
      continue;
    }
    headers.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
  }
  const values = (name: string) => headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
  const lengths = values('content-length');
  const codings = values('transfer-encoding');
  if (lengths.length > 1) problem ??= 'more than one Content-Length';
  if (lengths.length > 0 && codings.length > 0) problem ??= 'both Content-Length and Transfer-Encoding';
  if (codings.length > 1 || (codings.length === 1 && codings[0]!.toLowerCase() !== 'chunked'))
    problem ??= `Transfer-Encoding "${codings.join(', ')}"`;
  if (lengths.length === 1 && !/^(0|[1-9][0-9]*)$/.test(lengths[0]!)) problem ??= `Content-Length "${lengths[0]}"`;
  if (values('host').length > 1) problem ??= 'more than one Host';
  if (headers.some(([n]) => n.includes('_'))) problem ??= 'an underscore in a header name';

  let offset = headEnd + 4;
  let body: Buffer;
  if (codings.length > 0) {
    const chunks: Buffer[] = [];
    for (;;) {
      const lineEnd = buffer.indexOf('\r\n', offset);
      if (lineEnd < 0) return 'incomplete';
      const sizeText = buffer.subarray(offset, lineEnd).toString('latin1').split(';')[0]!;
      if (!/^[0-9A-Fa-f]{1,8}$/.test(sizeText)) return 'unparsable';
      const size = Number.parseInt(sizeText, 16);
      offset = lineEnd + 2;
      if (size === 0) {
        // Trailers, then the empty line.
        for (;;) {
          const end = buffer.indexOf('\r\n', offset);
          if (end < 0) return 'incomplete';
          const line = buffer.subarray(offset, end);
          offset = end + 2;
          if (line.length === 0) break;
        }
        break;
      }
      if (buffer.length < offset + size + 2) return 'incomplete';
      chunks.push(buffer.subarray(offset, offset + size));
      if (buffer.subarray(offset + size, offset + size + 2).toString('latin1') !== '\r\n') return 'unparsable';
      offset += size + 2;
    }
    body = Buffer.concat(chunks);
  } else {
    const length = lengths.length === 1 ? Number(lengths[0]) : 0;
    if (!Number.isSafeInteger(length)) return 'unparsable';
    if (buffer.length < offset + length) return 'incomplete';
    body = buffer.subarray(offset, offset + length);
    offset += length;
  }
  return {
    request: {
      raw: Buffer.from(buffer.subarray(0, offset)),
      method: requestLine[1]!,
      target: requestLine[2]!,
      version: requestLine[3]!,
      headers,
      body: Buffer.from(body),
      framingProblem: problem,
    },
    length: offset,
  };
}
