/**
 * A TCP proxy on 127.0.0.1:0 in front of a real server (Postgres, Redis) that a test can break
 * the two ways a database goes away, and then mend:
 * - `cutOff()`: every connection destroyed and new ones refused, as when the server dies;
 * - `stall()`: connections accepted and kept open but nothing forwarded either way, as when a
 *   network partition or a hung server swallows packets without a reset.
 * `restore()` forwards again; connections made while stalled resume where they stopped.
 */
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';

export class CuttableProxy {
  private readonly sockets = new Set<Socket>();
  private state: 'open' | 'cut' | 'stalled' = 'open';

  private constructor(private readonly server: Server) {}

  static async start(target: { readonly host: string; readonly port: number }): Promise<CuttableProxy> {
    const server = createServer();
    const proxy = new CuttableProxy(server);
    server.on('connection', (client) => proxy.accept(client, target));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return proxy;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  cutOff(): void {
    this.state = 'cut';
    for (const socket of this.sockets) socket.destroy();
  }

  stall(): void {
    this.state = 'stalled';
    for (const socket of this.sockets) socket.pause();
  }

  restore(): void {
    this.state = 'open';
    for (const socket of this.sockets) socket.resume();
  }

  async close(): Promise<void> {
    this.cutOff();
    const closed = once(this.server, 'close');
    this.server.close();
    await closed;
  }

  private accept(client: Socket, target: { readonly host: string; readonly port: number }): void {
    if (this.state === 'cut') {
      client.destroy();
      return;
    }
    const server = connect(target.port, target.host);
    for (const [from, to] of [
      [client, server],
      [server, client],
    ] as const) {
      this.sockets.add(from);
      from.on('error', () => to.destroy());
      from.on('close', () => {
        this.sockets.delete(from);
        to.destroy();
      });
      from.pipe(to);
      if (this.state === 'stalled') from.pause();
    }
  }
}
