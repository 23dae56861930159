/**
 * A cap on the connections one client address may hold open at once, so a flood of idle or slow
 * connections from a few addresses (slowloris) cannot take every socket the gateway has.
 *
 * Contract: a connection past the cap is closed at once, before a byte of it is read; it costs
 * one map lookup and no event (an event a connection would let the flood fill the event sinks
 * instead). Trusted proxies are exempt: behind a load balancer every client arrives from its
 * few addresses. The header and request timeouts (`limits.headersTimeoutMs`, checked every
 * `connectionsCheckingIntervalMs`) bound how long each capped connection can be held.
 *
 * The default cap (256) passes a large office or a carrier-grade NAT, where browsers open about
 * six connections per user to one site; a single attacking address keeps at most that many
 * sockets, which a 2-core gateway holds without noticing. Memory: one map entry per address with
 * an open connection, removed when its last connection closes.
 */
import type { Socket } from 'node:net';

export interface ConnectionLimiter {
  /** Call on each new connection; false means it was refused and destroyed. */
  admit(socket: Socket): boolean;
  /** Connections refused since start. */
  readonly refused: number;
  /** Addresses with at least one open connection. */
  readonly addresses: number;
}

export function createConnectionLimiter(
  maxPerAddress: number,
  exempt: (address: string) => boolean,
): ConnectionLimiter {
  const open = new Map<string, number>();
  let refused = 0;
  return {
    admit(socket) {
      const address = socket.remoteAddress;
      // A socket without an address is already closed; nothing to count.
      if (address === undefined) return true;
      const count = open.get(address) ?? 0;
      if (count >= maxPerAddress && !exempt(address)) {
        refused++;
        socket.destroy();
        return false;
      }
      open.set(address, count + 1);
      socket.once('close', () => {
        const left = (open.get(address) ?? 1) - 1;
        if (left <= 0) open.delete(address);
        else open.set(address, left);
      });
      return true;
    },
    get refused() {
      return refused;
    },
    get addresses() {
      return open.size;
    },
  };
}
