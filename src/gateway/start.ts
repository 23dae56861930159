/**
 * Assembles a running gateway from a validated policy document: store, event recorder and
 * sinks, metrics, upstream pool, signal extractors, the gateway listener and the admin listener.
 * Used by `run`, `demo`, the simulator and the integration tests alike, so they all exercise the
 * same wiring.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { ProviderErrorKind } from '../actions/challenge/siteverify-rules.js';
import { DeceptionTemplates } from '../actions/deceive.js';
import { Tarpit } from '../actions/tarpit.js';
import { createAdminServer } from '../admin/server.js';
import { compilePolicy, DEFAULT_FLOW_NAME } from '../config/compile.js';
import { changedRestartOnlyKeys } from '../config/reloadable.js';
import type { CaptchaProviderName, PolicyDocument } from '../config/schema.js';
import { AttackModeMonitor, type AttackModeTransition } from '../detectors/attack-mode.js';
import { loadKnownUsernames } from '../detectors/known-usernames.js';
import { loginKeys } from '../detectors/login-keys.js';
import { builtinDetectors } from '../detectors/registry.js';
import type { DecisionEvent } from '../events/event.js';
import { createMetrics, type Metrics } from '../events/metrics.js';
import { archiveSink, openEventSinks } from '../events/open-sinks.js';
import { EventRecorder } from '../events/recorder.js';
import { isEventQuery } from '../events/sink.js';
import { Webhook } from '../events/webhook.js';
import { type Fleet, startFleet } from '../fleet/fleet.js';
import { ManualLists } from '../policy/manual-lists.js';
import { extractFields } from '../signals/body-fields.js';
import { BreachedPasswords } from '../signals/breached-passwords.js';
import { createTrustedProxyCheck } from '../signals/client-ip.js';
import { createSignalExtractor } from '../signals/extract.js';
import { createFieldNormaliser } from '../signals/fields.js';
import { createKeyedHasher, deriveKey } from '../signals/identity.js';
import { type Clock, systemClock } from '../state/clock.js';
import { createStore } from '../state/create-store.js';
import type { Store } from '../state/store.js';
import { createChallengeService } from './challenge-service.js';
import { createDeceiveReply } from './deceive-reply.js';
import { createDeviceCookies } from './device-cookie.js';
import type { GatewayContext } from './gateway-context.js';
import type { Logger } from './logger.js';
import { createOutcomeLearning } from './outcome-learning.js';
import { createProtocolRefusalRecorder } from './protocol-refusals.js';
import { referenceId } from './reference-id.js';
import { createRequestHandler } from './request-handler.js';
import { createListener } from './server.js';
import { Upstream } from './upstream.js';

export interface StartOptions {
  readonly clock?: Clock;
  readonly logger: Logger;
  /** Overrides the store built from the policy (tests, Redis). */
  readonly store?: Store;
  /** Where an `ndjson: stdout` sink writes. */
  readonly stdout?: NodeJS.WritableStream;
}

export interface RunningGateway {
  readonly gatewayUrl: string;
  readonly adminUrl: string;
  readonly adminToken: string | null;
  readonly context: GatewayContext;
  readonly recorder: EventRecorder;
  /**
   * Swaps in a new policy: flows, rules, lists, mode, detection thresholds and challenge.force
   * take effect on the next request; listeners, upstream, store, events, secret, limits and the
   * challenge's settings other than challenge.force (its service is built at start, with the
   * CAPTCHA secret) need a restart, and a reload that changes them is refused whole
   * (config/reloadable.ts). Throws with the reason. On the
   * Redis store the reloadable part is then published to the other nodes (fleet/shared-policy.ts).
   */
  reload(next: PolicyDocument): void;
  /** The login flows' attack-mode monitor (its timer runs by itself; tests call `evaluate`). */
  readonly attackMode: AttackModeMonitor;
  /** Graceful stop: stop accepting, finish in-flight requests up to the grace period, flush events. */
  close(): Promise<void>;
}

export async function startGateway(doc: PolicyDocument, options: StartOptions): Promise<RunningGateway> {
  const { logger } = options;
  const clock = options.clock ?? systemClock;
  const secret = doc.secret ?? randomBytes(32).toString('hex');
  if (doc.secret === undefined) {
    logger.warn(
      'no secret configured (BOTGATE_SECRET or secret:); using a random one: username hashes and cookies will not survive a restart or match other nodes',
    );
  }

  const sinks = await openEventSinks(doc.events, options.stdout ? { stdout: options.stdout } : {});
  const recorder = new EventRecorder({
    ringSize: doc.events.ringSize,
    maxBacklog: doc.events.maxBacklog,
    sinks,
    clock,
    onError: (error, source) => logger.warn(`event sink ${source} failed`, { err: String(error) }),
  });
  const metrics = createMetrics({ flows: [...doc.flows.map((f) => f.name), DEFAULT_FLOW_NAME], events: recorder });
  const store = options.store ?? (await createStore(doc.store, { clock, metrics, logger }));
  const loginFlows = doc.flows.filter((f) => f.kind === 'login').map((f) => f.name);
  // Attack-mode transitions become events once `record` exists (below).
  let recordTransition: (t: AttackModeTransition) => void = () => {};
  const attackMode = new AttackModeMonitor(loginFlows, doc.detection.attackMode, store, clock, (t) =>
    recordTransition(t),
  );
  // With the Redis store, changes are shared with the fleet (set below, once the fleet exists).
  let fleet: Fleet | null = null;
  const manualLists = new ManualLists(clock, {
    onChange: (c) =>
      logger.info(`manual ${c.entry.list} entry ${c.change}`, {
        id: c.entry.id,
        who: c.who,
        why: c.why ?? c.entry.reason,
        expiresAt: c.entry.expiresAt,
      }),
    onShare: (c) => fleet?.shareListChange(c),
  });
  const policy = compilePolicy(doc, { detectors: builtinDetectors(doc, attackMode), manualLists });
  const upstream = new Upstream(doc.upstream);
  const isTrustedPeer = createTrustedProxyCheck(doc.trustedProxies);
  const breachedFile = doc.detection.login.breachedPasswordsFile;
  const breached = breachedFile === undefined ? null : BreachedPasswords.fromFile(await readBreachedFile(breachedFile));
  const normalise = createFieldNormaliser(secret, breached === null ? {} : { isBreached: (p) => breached.has(p) });
  const hashAccount = createKeyedHasher(deriveKey(secret, 'account'));
  const templates = new DeceptionTemplates();
  const tarpit = new Tarpit();
  const webhookConfig = doc.detection.takeover.webhook;
  const webhook = webhookConfig
    ? new Webhook({ ...webhookConfig, onDropped: (why) => logger.warn('takeover webhook delivery dropped', { why }) })
    : null;
  const record = (event: DecisionEvent): void => {
    recorder.record(event);
    if (event.type === 'decision') metrics.observeDecision(event);
  };
  recordTransition = (t) => {
    logger.warn(`attack mode ${t.state} on flow ${t.flow}`, { detail: t.detail });
    record(attackModeEvent(t, doc.mode));
  };
  const learning = createOutcomeLearning({
    store,
    templates,
    takeover: doc.detection.takeover,
    webhook,
    record,
    mode: () => context.policy.mode,
  });
  // Swapped whole by `reload` together with the compiled policy.
  let forced: ReadonlySet<string> = new Set(doc.challenge.force);
  let flowDocs = new Map(doc.flows.map((f) => [f.name, f]));
  const deceive = createDeceiveReply(
    templates,
    (flow) => firstMatch(flowDocs.get(flow)?.outcome?.failure)?.bodyContains ?? null,
    (flow) => firstMatch(flowDocs.get(flow)?.outcome?.success)?.status?.[0] ?? null,
  );

  const challenges = createChallengeService(doc.challenge, secret, store, clock, {
    onProviderError: captchaErrorReporter(metrics, logger, clock),
  });

  const context: GatewayContext = {
    policy,
    limits: doc.limits,
    preserveHost: doc.upstream.preserveHost,
    store,
    upstream,
    clock,
    extractSignals: createSignalExtractor({ trustedProxies: doc.trustedProxies }),
    isTrustedPeer,
    readFields: (body, contentType, spec, duplicates) => {
      const { values, error, ambiguous } = extractFields(body, contentType, spec, duplicates);
      return { fields: normalise(values), error, ambiguous: ambiguous === true, rawUsername: values.username };
    },
    devices: createDeviceCookies(secret),
    hashAccount,
    pageViewed: (deviceId, now) =>
      store.write([
        { kind: 'flagSet', key: loginKeys.pageView(deviceId), value: String(now), ttlMs: PAGE_VIEW_TTL_MS },
      ]),
    atoHeader: learning.atoHeader,
    learn: learning.learn,
    withheld: learning.withheld,
    deceive,
    challenges,
    forcedChallenge: (flow) => forced.has(flow.name) || forced.has(flow.kind),
    onChallenge: (flow, result) => metrics.challenge(flow, result),
    tarpit: (answer, cancelled) => tarpit.hold(answer, cancelled),
    onDecision: (x) => {
      if (store.health().degraded) metrics.degradedDecision(x.flow.name);
    },
    onUpstream: (x, failure) => {
      if (failure !== null && failure !== 'aborted') metrics.upstreamError(x.flow.name, failure);
    },
    record,
    log: (level, message, detail) => logger[level](message, detail),
  };

  const listener = createListener({
    limits: doc.limits,
    trustedPeer: isTrustedPeer,
    onRequest: createRequestHandler(context),
    onProtocolError: createProtocolRefusalRecorder({
      perSecond: doc.events.maxProtocolErrorsPerSecond,
      clock,
      record,
      logger,
      mode: () => context.policy.mode,
      unrecorded: () => metrics.protocolErrorUnrecorded(),
    }),
    onConnectionRefused: (reason) => metrics.connectionRefused(reason),
  });
  const adminToken = doc.admin.token ?? null;
  const admin = createAdminServer({
    token: adminToken,
    recentEvents: async (limit) => recorder.ring.recent(limit),
    findEvent: async (id) => {
      const inRing = recorder.ring.get(id);
      if (inRing) return inRing;
      for (const sink of sinks) if (isEventQuery(sink)) return sink.get(id);
      return undefined;
    },
    renderMetrics: () => metrics.render(),
    archive: archiveSink(sinks) ?? null,
    manualLists,
    onEvent: (listener) => recorder.onEvent(listener),
    status: () => ({
      mode: context.policy.mode,
      attackMode: loginFlows.filter((f) => attackMode.isActive(f)),
      events: recorder.stats(),
    }),
    clock,
    costPerAccountUsd: doc.report.costPerAccountUsd,
    readiness: () => {
      const health = store.health();
      return { ready: !closing && health.ok, checks: { store: { name: store.name, ...health }, closing } };
    },
  });

  const knownFile = doc.detection.login.knownUsernamesFile;
  if (knownFile !== undefined) {
    try {
      const { loaded, skipped } = await loadKnownUsernames(knownFile, store, doc.detection.login.knownUsernameDays);
      logger.info('loaded known usernames', { file: knownFile, loaded, skipped });
    } catch (err) {
      throw new Error(
        `Cannot load detection.login.knownUsernamesFile: ${(err as Error).message} (received "${knownFile}")`,
      );
    }
  }
  // The running document, swapped by every reload (local or from the fleet).
  let running = doc;
  const applyPolicy = (next: PolicyDocument): void => {
    const changed = changedRestartOnlyKeys(doc, next);
    if (changed.length > 0) {
      throw new Error(
        `Cannot reload the policy: ${changed.join(', ')} changed, which needs a restart (the running policy is kept)`,
      );
    }
    const compiled = compilePolicy(next, { detectors: builtinDetectors(next, attackMode), manualLists });
    forced = new Set(next.challenge.force);
    flowDocs = new Map(next.flows.map((f) => [f.name, f]));
    metrics.setFlows([...next.flows.map((f) => f.name), DEFAULT_FLOW_NAME]);
    context.policy = compiled;
    running = next;
  };
  if (doc.store.type === 'redis' && options.store === undefined) {
    if (doc.secret === undefined) {
      logger.warn(
        'manual list entries and policy reloads are not shared with other nodes: set BOTGATE_SECRET, the same on every node, to sign them',
      );
    } else {
      fleet = startFleet({
        store: doc.store,
        secret: doc.secret,
        lists: manualLists,
        clock,
        logger,
        registry: metrics.registry,
        current: () => running,
        apply: applyPolicy,
      });
      // Start with the fleet's lists and policy; a node that cannot reach Redis starts on its own
      // and catches up when Redis answers (the store already waited for it: no second wait).
      const wait = store.health().degraded ? 0 : FLEET_WAIT_MS;
      if (!(await fleet.waitUntilSynced(wait))) {
        logger.warn(
          "Cannot read the fleet's lists and policy from Redis: starting on this node's own; it catches up when Redis answers",
        );
      }
    }
  }
  let closing = false;
  attackMode.start();
  const [gatewayHost, gatewayPort] = splitHostPort(doc.listen);
  const [adminHost, adminPort] = splitHostPort(doc.admin.listen);
  let gatewayAddress: AddressInfo;
  let adminAddress: AddressInfo;
  try {
    gatewayAddress = await listener.listen(gatewayHost, gatewayPort);
    adminAddress = await admin.listen(adminHost, adminPort);
  } catch (err) {
    await listener.close(0).catch(() => {});
    await Promise.all([upstream.close(), recorder.close(), store.close(), fleet?.close()]).catch(() => {});
    throw err;
  }

  return {
    gatewayUrl: urlOf(gatewayAddress),
    adminUrl: urlOf(adminAddress),
    adminToken,
    context,
    recorder,
    attackMode,
    reload(next) {
      applyPolicy(next);
      fleet?.publishPolicy(next);
    },
    async close() {
      closing = true;
      attackMode.stop();
      await listener.close(doc.limits.shutdownGraceMs);
      if (webhook) await Promise.race([webhook.idle(), new Promise((r) => setTimeout(r, 2_000).unref())]);
      await admin.close();
      await upstream.close().catch(() => {});
      await challenges.close().catch(() => {});
      await recorder.close();
      await fleet?.close();
      await store.close();
    },
  };
}

async function readBreachedFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new Error(
      `Cannot load detection.login.breachedPasswordsFile: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message} (received "${path}")`,
    );
  }
}

/**
 * Counts every siteverify call the CAPTCHA provider could not answer, and logs the first of each
 * kind a minute: an outage must be visible without one log line per challenged request. A
 * refused secret is said plainly (which setting to fix), never with the secret.
 */
function captchaErrorReporter(metrics: Metrics, logger: Logger, clock: Clock) {
  const lastLogged = new Map<string, number>();
  return (provider: CaptchaProviderName, kind: ProviderErrorKind, detail: string): void => {
    metrics.captchaProviderError(provider, kind);
    const now = clock.now();
    if (now - (lastLogged.get(kind) ?? Number.NEGATIVE_INFINITY) < 60_000) return;
    lastLogged.set(kind, now);
    const fix = kind === 'misconfigured' ? ' (check challenge.captcha.siteKey and BOTGATE_CAPTCHA_SECRET)' : '';
    logger.warn(
      `CAPTCHA provider ${provider} could not verify a token: ${kind}, ${detail}; the proof of work stood alone${fix}`,
    );
  };
}

function firstMatch<T>(m: T | T[] | undefined): T | undefined {
  return Array.isArray(m) ? m[0] : m;
}

/** How long a starting node waits for the fleet's lists and policy (the store waits as long). */
const FLEET_WAIT_MS = 2_000;

/** How long a page view counts as "the page this login was typed into". */
const PAGE_VIEW_TTL_MS = 30 * 60_000;

function attackModeEvent(t: AttackModeTransition, mode: DecisionEvent['mode']): DecisionEvent {
  return {
    id: referenceId(),
    time: t.at,
    type: t.state === 'started' ? 'attack-mode.started' : 'attack-mode.ended',
    method: '',
    path: '',
    host: null,
    flow: t.flow,
    flowKind: 'login',
    ip: '',
    prefix: '',
    fingerprint: '',
    userAgentClass: 'unknown',
    userAgentFamily: '',
    usernameHash: null,
    action: 'tag',
    enforced: mode === 'enforce',
    mode,
    decidedBy: 'detector/attack-mode',
    score: 0,
    findings: [{ source: 'detector/attack-mode', reason: `attack-mode.${t.state}`, score: 0, detail: t.detail }],
    decisionMicros: 0,
    upstreamStatus: null,
    upstreamMs: null,
    status: 0,
    outcome: null,
  };
}

export function splitHostPort(value: string): [string, number] {
  const colon = value.lastIndexOf(':');
  const host = value.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return [host, Number(value.slice(colon + 1))];
}

export function urlOf(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}
