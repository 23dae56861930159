/**
 * What the request path is given by start.ts: the compiled policy (swapped whole by a reload),
 * the store and upstream, and the hooks that learn, record and answer. One interface so the
 * handler, forwarding and challenge redemption read the same names.
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { CompiledFlow, CompiledPolicy } from '../config/compile.js';
import type { PolicyDocument } from '../config/schema.js';
import type { Outcome } from '../detectors/detector.js';
import type { DecisionEvent } from '../events/event.js';
import type { ChallengeMetricResult } from '../events/metrics.js';
import type { DuplicateFields } from '../signals/body-fields.js';
import type { RequestHead } from '../signals/extract.js';
import type { FlowFields, RequestSignals } from '../signals/request-signals.js';
import type { Clock } from '../state/clock.js';
import type { Store } from '../state/store.js';
import type { ChallengeService } from './challenge-service.js';
import type { DeviceCookies } from './device-cookie.js';
import type { Exchange } from './exchange.js';
import type { Upstream, UpstreamFailure } from './upstream.js';

/** The upstream's answer as outcome learning and the deceive action see it. */
export interface UpstreamAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The first bytes of the body when they were kept, else null. */
  readonly body: Buffer | null;
}

/** Everything the handler needs; `policy` may be swapped whole by a reload. */
export interface GatewayContext {
  policy: CompiledPolicy;
  readonly limits: PolicyDocument['limits'];
  readonly preserveHost: boolean;
  readonly store: Store;
  readonly upstream: Upstream;
  readonly clock: Clock;
  readonly extractSignals: (head: RequestHead) => RequestSignals;
  /** True when the peer is a trusted proxy, whose X-Forwarded-* headers are kept and extended. */
  readonly isTrustedPeer: (peer: string) => boolean;
  readonly readFields: (
    body: Buffer,
    contentType: string | undefined,
    fields: NonNullable<Exchange['flow']['fields']>,
    duplicates: DuplicateFields,
  ) => {
    fields: FlowFields | null;
    error: string | null;
    /** The application could read a declared field otherwise than botgate did (see body-fields.ts). */
    ambiguous: boolean;
    /** The username as sent, for the deceive action's echo only; never recorded. */
    rawUsername: string | undefined;
  };
  readonly challenges: ChallengeService;
  /** Whether browser navigations of this flow are always challenged without a clearance. */
  readonly forcedChallenge: (flow: CompiledFlow) => boolean;
  readonly onChallenge: (flow: string, result: ChallengeMetricResult) => void;
  /** Answers with a deceptive response (a failed login, a comment "posted"). */
  readonly deceive: (x: Exchange, res: ServerResponse, html: boolean) => void;
  /** Holds a request's answer for a while (bounded), then calls `answer`. */
  readonly tarpit: (answer: () => void, cancelled: () => boolean) => void;
  readonly devices: DeviceCookies;
  readonly hashAccount: (value: string) => string;
  /** Records that a device loaded a page (for "login without the page visit" and typing time). */
  readonly pageViewed: (deviceId: string, now: number) => void;
  /** Whether the upstream should be told this request may be an account takeover. */
  readonly atoHeader: (x: Exchange) => boolean;
  /** Learns from the upstream's answer to a flow with outcomes. */
  readonly learn: (x: Exchange, outcome: Outcome, answer: UpstreamAnswer) => void;
  /** Learns from a request botgate blocked or deceived itself (the application never saw it). */
  readonly withheld: (x: Exchange) => void;
  readonly onDecision: (x: Exchange) => void;
  readonly onUpstream: (x: Exchange, failure: UpstreamFailure | null) => void;
  readonly record: (event: DecisionEvent) => void;
  readonly log: (level: 'warn' | 'error', message: string, detail?: Record<string, unknown>) => void;
}
