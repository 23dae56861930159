/**
 * Requests Node's HTTP parser refused (a malformed request line or header, a head over
 * limits.maxHeaderBytes, a head or body too slow) never become a request object, so the request
 * handler never records them. Here each becomes an event and a log line like any refusal, with
 * the reference id the client was answered with, so a refused client can be explained.
 *
 * Bounded: anyone can send malformed bytes as fast as the network carries them, and each would
 * otherwise cost a row in every sink and a log line. At most `perSecond` a second (bursts of
 * twice that) are recorded; the rest are still answered and counted in
 * `botgate_protocol_errors_unrecorded_total`, never silently lost. The connection each ended is
 * counted in `botgate_connections_refused_total` whatever the rate.
 *
 * What the event can say is little: no method, path or headers were read. The client address is
 * the TCP peer (behind a trusted proxy, the proxy), the flow the default one.
 */
import { DEFAULT_FLOW_NAME } from '../config/compile.js';
import type { Mode } from '../config/schema.js';
import type { DecisionEvent } from '../events/event.js';
import { canonicalIp } from '../signals/ip-address.js';
import { networkPrefix } from '../signals/network-prefix.js';
import type { Clock } from '../state/clock.js';
import type { Logger } from './logger.js';
import type { ProtocolRefusal } from './server.js';
import { TokenBucket } from './token-bucket.js';

export interface ProtocolRefusalOptions {
  /** Events (and log lines) a second at most; bursts of twice as many. */
  readonly perSecond: number;
  readonly clock: Clock;
  readonly record: (event: DecisionEvent) => void;
  readonly logger: Logger;
  readonly mode: () => Mode;
  /** Counts a refusal over the rate. */
  readonly unrecorded: () => void;
}

export function createProtocolRefusalRecorder(options: ProtocolRefusalOptions): (refusal: ProtocolRefusal) => void {
  const bucket = new TokenBucket(options.perSecond, options.perSecond * 2, options.clock);
  return (refusal) => {
    if (!bucket.take()) {
      options.unrecorded();
      return;
    }
    options.logger.warn('refused a malformed request', {
      id: refusal.id,
      code: refusal.code,
      peer: refusal.peer,
      cause: refusal.cause,
    });
    options.record(protocolRefusalEvent(refusal, options.clock.now(), options.mode()));
  };
}

export function protocolRefusalEvent(refusal: ProtocolRefusal, time: number, mode: Mode): DecisionEvent {
  const ip = canonicalIp(refusal.peer) ?? refusal.peer;
  return {
    id: refusal.id,
    time,
    type: 'decision',
    method: '',
    path: '',
    host: null,
    flow: DEFAULT_FLOW_NAME,
    flowKind: 'page',
    ip,
    prefix: networkPrefix(ip),
    fingerprint: '',
    userAgentClass: 'empty',
    userAgentFamily: '',
    usernameHash: null,
    action: 'block',
    // Refused whatever the mode: there is no request to forward.
    enforced: true,
    mode,
    decidedBy: `gateway/${refusal.code}`,
    score: 0,
    // A 431 or 408 is said by decidedBy, as when the request handler answers them.
    findings:
      refusal.code === 'bad_request'
        ? [
            {
              source: 'gateway/parser',
              reason: 'request.malformed',
              score: 0,
              detail: `refused by the HTTP parser: ${refusal.cause}`,
            },
          ]
        : [],
    decisionMicros: 0,
    upstreamStatus: null,
    upstreamMs: null,
    status: refusal.status,
    outcome: null,
  };
}
