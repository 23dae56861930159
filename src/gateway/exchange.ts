/**
 * What botgate knows about one request/response exchange, filled in as the request moves
 * through the gateway and turned into an event when the client's response closes.
 */
import type { CompiledFlow } from '../config/compile.js';
import type { Mode } from '../config/schema.js';
import type { DetectorInput, Device } from '../detectors/detector.js';
import type { DecisionEvent } from '../events/event.js';
import type { Decision } from '../policy/decide.js';
import type { FlowFields, RequestSignals } from '../signals/request-signals.js';

export interface Exchange {
  readonly id: string;
  readonly time: number;
  /** performance.now() at arrival, for latencies. */
  readonly startedAt: number;
  readonly method: string;
  readonly path: string;
  readonly host: string | null;
  flow: CompiledFlow;
  signals: RequestSignals;
  fields: FlowFields | null;
  /** The verified device cookie the client carried, or null. */
  device: Device | null;
  /** The device cookie botgate gave the client with this answer, or null. */
  issuedDevice: Device | null;
  /** The username as the client sent it, kept only for the deceive action's echo; never recorded. */
  rawUsername: string | undefined;
  /** What detectors saw, kept for learning from the outcome. */
  input: DetectorInput | null;
  decision: Decision | null;
  decisionMicros: number;
  upstreamStatus: number | null;
  upstreamMs: number | null;
  /** botgate's own answer code when it answered itself (`blocked`, `upstream_timeout`…). */
  answeredWith: string | null;
  outcome: DecisionEvent['outcome'];
}

const MAX_PATH = 512;

/** The path without its query string (queries can carry tokens), bounded in length. */
export function eventPath(url: string): string {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  return path.length > MAX_PATH ? `${path.slice(0, MAX_PATH)}…` : path;
}

export function toEvent(x: Exchange, status: number, mode: Mode): DecisionEvent {
  const d = x.decision;
  return {
    id: x.id,
    time: x.time,
    type: 'decision',
    method: x.method,
    path: x.path,
    host: x.host,
    flow: x.flow.name,
    flowKind: x.flow.kind,
    ip: x.signals.ip,
    prefix: x.signals.prefix,
    fingerprint: x.signals.fingerprint,
    userAgentClass: x.signals.userAgent.class,
    userAgentFamily: x.signals.userAgent.family,
    usernameHash: x.fields?.usernameHash ?? null,
    action: d?.action ?? 'block',
    enforced: d?.enforced ?? true,
    mode,
    decidedBy: d?.decidedBy ?? `gateway/${x.answeredWith ?? 'error'}`,
    score: d?.score ?? 0,
    findings: d?.findings ?? [],
    decisionMicros: x.decisionMicros,
    upstreamStatus: x.upstreamStatus,
    upstreamMs: x.upstreamMs,
    status,
    outcome: x.outcome,
  };
}
