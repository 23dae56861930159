/**
 * The benchmark's upstream: the cheapest possible keep-alive HTTP server, so that what is
 * measured is the proxy in front of it. Prints {"upstream":"http://…"} and serves until killed.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const body = Buffer.from(JSON.stringify({ id: 7, title: 'Vintage bicycle', price: 120 }));
const server = createServer((req, res) => {
  // Drain any request body, then answer the same small JSON to everything.
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(
    `${JSON.stringify({ upstream: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`,
  );
});
process.on('SIGTERM', () => process.exit(0));
