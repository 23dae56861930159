/**
 * Propagation health on the gateway's registry (events/metrics.ts owns the rest):
 * - `botgate_fleet_connected`: 1 while the node hears the fleet channel, 0 while Redis is away;
 * - `botgate_fleet_resyncs_total{reason}`: started, reconnected, missed (a message was lost),
 *   pending (changes made here while Redis was away were sent), restored (Redis had lost the
 *   fleet state, restarted empty or flushed, and this node stored its lists and policy again);
 * - `botgate_fleet_messages_total{kind,result}`: changes from other nodes applied or refused
 *   (a refused one is also logged with why). Label values are fixed sets.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { boundedLabel } from '../events/metrics.js';
import type { FleetObserver } from './fleet-link.js';

const REASONS: ReadonlySet<string> = new Set(['started', 'reconnected', 'missed', 'pending', 'restored']);
const KINDS: ReadonlySet<string> = new Set(['list', 'policy']);

export function fleetMetrics(registry: Registry): FleetObserver {
  const connected = new Gauge({
    name: 'botgate_fleet_connected',
    help: '1 while this node hears the fleet channel on Redis (list and policy changes of other nodes)',
    registers: [registry],
  });
  const resyncs = new Counter({
    name: 'botgate_fleet_resyncs_total',
    help: 'Times this node re-read the shared lists and policy from Redis, by reason',
    labelNames: ['reason'],
    registers: [registry],
  });
  const messages = new Counter({
    name: 'botgate_fleet_messages_total',
    help: 'List and policy changes received from other nodes, applied or refused',
    labelNames: ['kind', 'result'],
    registers: [registry],
  });
  return {
    connected: (on) => connected.set(on ? 1 : 0),
    resynced: (reason) => resyncs.inc({ reason: boundedLabel(reason, REASONS) }),
    message: (kind, result) => messages.inc({ kind: boundedLabel(kind, KINDS), result }),
  };
}
