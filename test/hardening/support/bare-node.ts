/**
 * Node's own HTTP parser with botgate's settings and nothing else: what it lets through to a
 * request handler, for the record (test/hardening/node-parser.test.ts compares it with the
 * corpus, per Node major version).
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';

export type NodeVerdict = 'accepts' | 'refuses';

export interface BareNode {
  verdict(payload: Buffer): Promise<NodeVerdict>;
  close(): Promise<void>;
}

export async function startBareNode(): Promise<BareNode> {
  let handled = 0;
  const server: Server = createServer(
    { maxHeaderSize: 16_384, requireHostHeader: false, insecureHTTPParser: false },
    (req, res) => {
      handled++;
      req.resume();
      req.on('end', () => res.end('ok'));
      req.on('error', () => res.destroy());
    },
  );
  server.maxHeadersCount = 101;
  server.on('clientError', (_err, socket) => socket.destroy());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  return {
    async verdict(payload) {
      const before = handled;
      await new Promise<void>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => socket.end(payload));
        socket.on('data', () => {});
        socket.on('error', () => {});
        socket.on('close', () => resolve());
        setTimeout(() => socket.destroy(), 2_000).unref();
      });
      return handled > before ? 'accepts' : 'refuses';
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
