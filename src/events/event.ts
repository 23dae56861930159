/**
 * Every decision botgate makes is one event. Events carry no password and no clear username
 * (only the keyed hash), so they can be shipped to any log store.
 */
import type { Action, FlowKind, Mode } from '../config/schema.js';
import type { Finding } from '../detectors/detector.js';
import type { UserAgentClass } from '../signals/request-signals.js';

export type EventType = 'decision' | 'ato.suspected' | 'attack-mode.started' | 'attack-mode.ended';

export interface DecisionEvent {
  /** Reference id, also sent to the client and to the upstream (`x-botgate-id`). */
  readonly id: string;
  /** Milliseconds since the epoch when the request arrived. */
  readonly time: number;
  /**
   * `decision` for a request; `ato.suspected` when a login succeeded with attack evidence;
   * `attack-mode.started` / `attack-mode.ended` for a flow's attack mode (request fields empty).
   */
  readonly type: EventType;
  readonly method: string;
  readonly path: string;
  readonly host: string | null;
  readonly flow: string;
  readonly flowKind: FlowKind;
  readonly ip: string;
  readonly prefix: string;
  readonly fingerprint: string;
  readonly userAgentClass: UserAgentClass;
  readonly userAgentFamily: string;
  readonly usernameHash: string | null;
  /** The action decided. In monitor mode it was recorded, not applied. */
  readonly action: Action;
  readonly enforced: boolean;
  readonly mode: Mode;
  /** Who decided: `rule/<name>`, `list/deny`, `list/allow`, `default/allow`, `gateway/<reason>`. */
  readonly decidedBy: string;
  readonly score: number;
  readonly findings: readonly Finding[];
  /** Time spent deciding (signals, store, detectors, policy), in microseconds. */
  readonly decisionMicros: number;
  /** Upstream status, or null when botgate answered itself or the client went away. */
  readonly upstreamStatus: number | null;
  readonly upstreamMs: number | null;
  /** Status the client received (botgate's own or the upstream's); 0 when the client aborted. */
  readonly status: number;
  /** Outcome learnt from the upstream's answer, when the flow declares one. */
  readonly outcome: 'success' | 'failure' | 'unknown' | null;
}
