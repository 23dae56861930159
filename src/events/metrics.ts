/**
 * Prometheus metrics for `/metrics` on the admin listener. Everything lives on a registry of its
 * own, never prom-client's global default, so tests and several gateways in one process do not
 * share counters.
 *
 * Label values are bounded: flows are the names in the policy (`setFlows` on reload), actions
 * and error kinds are fixed sets, and anything else is counted as `_other`, so a client cannot
 * mint series by choosing a path, a header or an address. The helpers below apply the bounds;
 * the raw handles are exposed for reading and for tests, and whoever increments them directly
 * takes over that duty.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { PROVIDER_ERROR_KINDS, type ProviderErrorKind } from '../actions/challenge/siteverify-rules.js';
import type { CaptchaProviderName } from '../config/schema.js';
import type { DecisionEvent } from './event.js';
import type { RecorderStats } from './recorder.js';

export const OTHER_LABEL = '_other';

/** `value` when it is one of `allowed`, else `_other`. */
export function boundedLabel(value: string, allowed: ReadonlySet<string>): string {
  return allowed.has(value) ? value : OTHER_LABEL;
}

export const UPSTREAM_ERROR_KINDS = ['connect', 'timeout', 'reset', 'other'] as const;
export type UpstreamErrorKind = (typeof UPSTREAM_ERROR_KINDS)[number];
const upstreamErrorKinds: ReadonlySet<string> = new Set(UPSTREAM_ERROR_KINDS);
const captchaErrorKinds: ReadonlySet<string> = new Set(PROVIDER_ERROR_KINDS);

/**
 * Why botgate closed a connection itself: `per_ip_cap` (closed unread: its address held
 * limits.maxConnectionsPerIp already), or the refusal by Node's HTTP parser that ended it.
 */
export const CONNECTION_REFUSALS = ['per_ip_cap', 'bad_request', 'headers_too_large', 'request_timeout'] as const;
export type ConnectionRefusal = (typeof CONNECTION_REFUSALS)[number];
const connectionRefusals: ReadonlySet<string> = new Set(CONNECTION_REFUSALS);

/**
 * `captcha_*` are challenges escalated to the external CAPTCHA: issued, solved (token accepted),
 * failed (token refused: a fresh challenge), fallback (the provider could not answer, so the
 * highest-difficulty proof of work stood alone). A CAPTCHA challenge whose proof of work itself
 * failed counts as `failed`.
 */
export type ChallengeMetricResult =
  | 'issued'
  | 'solved'
  | 'failed'
  | 'cleared'
  | 'captcha_issued'
  | 'captcha_solved'
  | 'captcha_failed'
  | 'captcha_fallback';

export const STORE_NAMES = ['memory', 'redis'] as const;
const storeNames: ReadonlySet<string> = new Set(STORE_NAMES);

/** Deciding costs microseconds on the memory store; the top buckets catch a slow store. */
const DECISION_BUCKETS = [5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 0.01];
const UPSTREAM_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Indexed by status / 100; status 0 means the client went away before an answer. */
const CODE_CLASSES = [OTHER_LABEL, '1xx', '2xx', '3xx', '4xx', '5xx'] as const;

/** What the metrics read from the event recorder on each scrape. */
export interface EventStatsSource {
  stats(): RecorderStats;
}

export interface MetricsOptions {
  /** Flow names of the current policy; other flow values are counted as `_other`. */
  readonly flows?: Iterable<string>;
  /** The recorder whose sinks are reported; can also be attached later with `watchEvents`. */
  readonly events?: EventStatsSource;
  /** Node process metrics (CPU, memory, event-loop delay, GC) prefixed `botgate_`. Default true. */
  readonly processMetrics?: boolean;
}

export interface Metrics {
  readonly registry: Registry;
  readonly requests: Counter<'flow' | 'action' | 'enforced'>;
  readonly responses: Counter<'code_class'>;
  readonly decisionDuration: Histogram<'flow'>;
  readonly upstreamDuration: Histogram<'flow'>;
  readonly upstreamErrors: Counter<'flow' | 'kind'>;
  readonly storeErrors: Counter<'store'>;
  readonly storeDegraded: Gauge;
  readonly degradedDecisions: Counter<'flow'>;
  readonly challenges: Counter<'flow' | 'result'>;
  readonly captchaProviderErrors: Counter<'provider' | 'kind'>;
  readonly eventsRecorded: Counter;
  readonly eventsWritten: Counter<'sink'>;
  readonly eventsDropped: Counter<'sink'>;
  readonly eventsSinkFailures: Counter<'sink'>;
  readonly eventsBacklog: Gauge<'sink'>;
  readonly connectionsRefused: Counter<'reason'>;
  readonly protocolErrorsUnrecorded: Counter;
  /** Replaces the known flow names (after a policy reload). */
  setFlows(flows: Iterable<string>): void;
  flowLabel(flow: string): string;
  /** Counts one decision: request, response class, decision time and upstream time. */
  observeDecision(event: DecisionEvent): void;
  upstreamError(flow: string, kind: UpstreamErrorKind): void;
  storeError(store: string): void;
  /** Counts a request decided while the store was degraded (failMode in effect). */
  degradedDecision(flow: string): void;
  /** Counts a challenge issued, solved, failed, or satisfied by a clearance cookie. */
  challenge(flow: string, result: ChallengeMetricResult): void;
  /** Counts a siteverify call the CAPTCHA provider could not answer, by kind. */
  captchaProviderError(provider: CaptchaProviderName, kind: ProviderErrorKind): void;
  setStoreDegraded(degraded: boolean): void;
  connectionRefused(reason: ConnectionRefusal): void;
  /** Counts a parser refusal left out of the events and the log (over events.maxProtocolErrorsPerSecond). */
  protocolErrorUnrecorded(): void;
  watchEvents(source: EventStatsSource): void;
  render(): Promise<{ contentType: string; body: string }>;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const registers = [registry];
  let flows: ReadonlySet<string> = new Set(options.flows ?? []);
  let events: EventStatsSource | undefined = options.events;

  const requests = new Counter({
    name: 'botgate_requests_total',
    help: 'Requests decided, by flow, action and whether the action was enforced (false in monitor mode).',
    labelNames: ['flow', 'action', 'enforced'] as const,
    registers,
  });
  const responses = new Counter({
    name: 'botgate_responses_total',
    help: 'Responses sent to clients by status class; "_other" counts clients that went away or odd statuses.',
    labelNames: ['code_class'] as const,
    registers,
  });
  const decisionDuration = new Histogram({
    name: 'botgate_decision_duration_seconds',
    help: 'Time spent deciding a request: signals, store, detectors and policy.',
    labelNames: ['flow'] as const,
    buckets: DECISION_BUCKETS,
    registers,
  });
  const upstreamDuration = new Histogram({
    name: 'botgate_upstream_duration_seconds',
    help: 'Time from forwarding a request to the upstream response headers.',
    labelNames: ['flow'] as const,
    buckets: UPSTREAM_BUCKETS,
    registers,
  });
  const upstreamErrors = new Counter({
    name: 'botgate_upstream_errors_total',
    help: 'Requests the upstream could not answer, by kind: connect, timeout, reset, other.',
    labelNames: ['flow', 'kind'] as const,
    registers,
  });
  const storeErrors = new Counter({
    name: 'botgate_store_errors_total',
    help: 'Failed state store operations.',
    labelNames: ['store'] as const,
    registers,
  });
  const storeDegraded = new Gauge({
    name: 'botgate_store_degraded',
    help: '1 while the shared store is unreachable and decisions follow failMode, else 0.',
    registers,
  });
  const degradedDecisions = new Counter({
    name: 'botgate_degraded_decisions_total',
    help: 'Requests decided while the store was degraded.',
    labelNames: ['flow'] as const,
    registers,
  });

  const challenges = new Counter({
    name: 'botgate_challenges_total',
    help: 'Challenges by flow and result: issued, solved, failed, or cleared (a valid clearance cookie satisfied the challenge); captcha_issued, captcha_solved, captcha_failed, captcha_fallback for the external CAPTCHA.',
    labelNames: ['flow', 'result'] as const,
    registers,
  });
  const captchaProviderErrors = new Counter({
    name: 'botgate_captcha_provider_errors_total',
    help: 'siteverify calls the CAPTCHA provider could not answer (the proof of work stood alone), by kind: unreachable, timeout, http-status, malformed, misconfigured, provider-internal.',
    labelNames: ['provider', 'kind'] as const,
    registers,
  });

  const connectionsRefused = new Counter({
    name: 'botgate_connections_refused_total',
    help: 'Connections botgate closed itself, by reason: per_ip_cap (closed unread), or the HTTP parser refusal that ended it (bad_request, headers_too_large, request_timeout).',
    labelNames: ['reason'] as const,
    registers,
  });
  const protocolErrorsUnrecorded = new Counter({
    name: 'botgate_protocol_errors_unrecorded_total',
    help: 'Requests refused by the HTTP parser that were answered but not recorded as events nor logged, being over events.maxProtocolErrorsPerSecond.',
    registers,
  });

  // Event counters live in the recorder (which must not depend on metrics) and are read on scrape.
  const eventsRecorded = new Counter({
    name: 'botgate_events_recorded_total',
    help: 'Decision events recorded.',
    registers,
    collect() {
      if (events === undefined) return;
      this.reset();
      this.inc(events.stats().recorded);
    },
  });
  type SinkField = 'written' | 'dropped' | 'failures' | 'backlog';
  const sinkCounter = (name: string, help: string, field: SinkField) =>
    new Counter({
      name,
      help,
      labelNames: ['sink'] as const,
      registers,
      collect() {
        if (events === undefined) return;
        this.reset();
        for (const sink of events.stats().sinks) this.inc({ sink: sink.name }, sink[field]);
      },
    });
  const eventsWritten = sinkCounter('botgate_events_written_total', 'Decision events stored by each sink.', 'written');
  const eventsDropped = sinkCounter(
    'botgate_events_dropped_total',
    "Decision events dropped because a sink's backlog was full.",
    'dropped',
  );
  const eventsSinkFailures = sinkCounter(
    'botgate_events_sink_failures_total',
    'Event batches a sink failed to write (each is retried).',
    'failures',
  );
  const eventsBacklog = new Gauge({
    name: 'botgate_events_backlog',
    help: 'Decision events waiting for each sink.',
    labelNames: ['sink'] as const,
    registers,
    collect() {
      if (events === undefined) return;
      this.reset();
      for (const sink of events.stats().sinks) this.set({ sink: sink.name }, sink.backlog);
    },
  });

  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'botgate_' });

  const flowLabel = (flow: string): string => boundedLabel(flow, flows);
  // The labelled series a decision updates, bound once per (flow, action, enforced): resolving
  // labels hashes them on every call, a few µs a request. Bounded: flows are the policy's names
  // plus "_other", actions a fixed set.
  const decisionSeries = new Map<
    string,
    { requests: Counter.Internal; decision: Histogram.Internal<'flow'>; upstream: Histogram.Internal<'flow'> }
  >();
  // Likewise one bound series per status class, indexed as CODE_CLASSES.
  const responseSeries = CODE_CLASSES.map((codeClass) => responses.labels({ code_class: codeClass }));
  const otherResponses = responses.labels({ code_class: OTHER_LABEL });

  return {
    registry,
    requests,
    responses,
    decisionDuration,
    upstreamDuration,
    upstreamErrors,
    storeErrors,
    storeDegraded,
    degradedDecisions,
    challenges,
    captchaProviderErrors,
    eventsRecorded,
    eventsWritten,
    eventsDropped,
    eventsSinkFailures,
    eventsBacklog,
    connectionsRefused,
    protocolErrorsUnrecorded,
    setFlows(names) {
      flows = new Set(names);
    },
    flowLabel,
    observeDecision(event) {
      const flow = flowLabel(event.flow);
      const enforced = event.enforced ? 'true' : 'false';
      const key = `${flow}\u0000${event.action}\u0000${enforced}`;
      let series = decisionSeries.get(key);
      if (series === undefined) {
        series = {
          requests: requests.labels({ flow, action: event.action, enforced }),
          decision: decisionDuration.labels({ flow }),
          upstream: upstreamDuration.labels({ flow }),
        };
        decisionSeries.set(key, series);
      }
      series.requests.inc();
      (responseSeries[Math.floor(event.status / 100)] ?? otherResponses).inc();
      series.decision.observe(event.decisionMicros / 1e6);
      if (event.upstreamMs !== null) series.upstream.observe(event.upstreamMs / 1e3);
    },
    upstreamError(flow, kind) {
      upstreamErrors.inc({ flow: flowLabel(flow), kind: boundedLabel(kind, upstreamErrorKinds) });
    },
    storeError(store) {
      storeErrors.inc({ store: boundedLabel(store, storeNames) });
    },
    degradedDecision(flow) {
      degradedDecisions.inc({ flow: flowLabel(flow) });
    },
    challenge(flow, result) {
      challenges.inc({ flow: flowLabel(flow), result });
    },
    captchaProviderError(provider, kind) {
      captchaProviderErrors.inc({ provider, kind: boundedLabel(kind, captchaErrorKinds) });
    },
    setStoreDegraded(degraded) {
      storeDegraded.set(degraded ? 1 : 0);
    },
    connectionRefused(reason) {
      connectionsRefused.inc({ reason: boundedLabel(reason, connectionRefusals) });
    },
    protocolErrorUnrecorded() {
      protocolErrorsUnrecorded.inc();
    },
    watchEvents(source) {
      events = source;
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
