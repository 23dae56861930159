/**
 * The gateway under attack: the real gateway in this process, on 127.0.0.1 port 0, in front of a
 * given upstream, with the shipped policy (patched per test); and a raw-socket client that sends
 * exact bytes and reads exactly what comes back.
 */
import { connect } from 'node:net';
import { defaultPolicyPath, loadPolicyFile } from '../../../src/config/load.js';
import type { PolicyDocument } from '../../../src/config/schema.js';
import type { DecisionEvent } from '../../../src/events/event.js';
import { silentLogger } from '../../../src/gateway/logger.js';
import { type RunningGateway, startGateway } from '../../../src/gateway/start.js';
import type { Clock } from '../../../src/state/clock.js';

export const SECRET = 'hardening-secret-0123456789abcdef';

export async function startHardenedGateway(
  upstreamUrl: string,
  patch: (doc: PolicyDocument) => PolicyDocument = (d) => d,
  clock?: Clock,
): Promise<RunningGateway> {
  const base = await loadPolicyFile(defaultPolicyPath());
  const doc = patch({
    ...base,
    listen: '127.0.0.1:0',
    admin: { listen: '127.0.0.1:0', token: 'hardening-admin-token-0123456789' },
    upstream: { ...base.upstream, url: upstreamUrl, responseTimeoutMs: 5_000 },
    secret: SECRET,
    events: { ...base.events, sqlite: false },
  });
  return startGateway(doc, { logger: silentLogger, ...(clock ? { clock } : {}) });
}

export function portOf(gateway: RunningGateway): number {
  return Number(new URL(gateway.gatewayUrl).port);
}

export interface RawAnswer {
  /** Everything the gateway wrote, as Latin-1 text. */
  readonly text: string;
  /** Status of each response, in order (interim 100 Continue left out); empty when none. */
  readonly statuses: number[];
  /** The x-botgate-id of each response that carried one. */
  readonly ids: string[];
  /** Whether the gateway closed the connection (false: the client gave up after `timeoutMs`). */
  readonly closed: boolean;
}

/** The request `rawExchange` appends so that the gateway closes the connection after the payload. */
export const SENTINEL_PATH = '/__sentinel';
const SENTINEL = Buffer.from(`GET ${SENTINEL_PATH} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`, 'latin1');

/**
 * Sends `payload` on a new connection and returns what came back once the gateway closes it.
 * Node aborts a request whose client half-closes before the answer, so the connection is not
 * half-closed: a sentinel request with `Connection: close` follows the payload instead, and the
 * gateway closes after answering it, or sooner when it refused the payload and closed.
 */
export function rawExchange(
  port: number,
  payload: Buffer | string,
  options: { localAddress?: string; timeoutMs?: number } = {},
): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect({
      port,
      host: '127.0.0.1',
      ...(options.localAddress ? { localAddress: options.localAddress } : {}),
    });
    const chunks: Buffer[] = [];
    let closedByPeer = true;
    const timer = setTimeout(() => {
      closedByPeer = false;
      socket.destroy();
    }, options.timeoutMs ?? 5_000);
    socket.on('connect', () => {
      socket.write(typeof payload === 'string' ? Buffer.from(payload, 'latin1') : payload);
      socket.write(SENTINEL);
    });
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(parseAnswer(Buffer.concat(chunks).toString('latin1'), closedByPeer));
    });
  });
}

export function parseAnswer(text: string, closed: boolean): RawAnswer {
  const statuses: number[] = [];
  const ids: string[] = [];
  for (const m of text.matchAll(/HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n((?:[^\r\n]+\r\n)*)\r\n/g)) {
    const status = Number(m[1]);
    if (status === 100) continue;
    statuses.push(status);
    const id = /^x-botgate-id: *([0-9a-f]+)\r?$/im.exec(m[2] ?? '')?.[1];
    if (id !== undefined) ids.push(id);
  }
  return { text, statuses, ids, closed };
}

/** The event of a reference id; events are recorded as responses close, so this polls briefly. */
export async function eventOf(gateway: RunningGateway, id: string): Promise<DecisionEvent> {
  for (let i = 0; i < 100; i++) {
    const event = gateway.recorder.ring.get(id);
    if (event) return event;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no event ${id}`);
}
