/**
 * The request path (DESIGN.md): classify the flow, extract signals, read the flow's fields,
 * judge in one store batch, decide, then forward with tags or answer directly. Every exchange
 * ends as exactly one event, whatever happened (including client aborts and upstream faults).
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { reply, wantsHtml } from '../actions/reply.js';
import type { AnswerCode } from '../actions/answers.js';
import type { CompiledFlow, CompiledPolicy } from '../config/compile.js';
import type { ChallengeMetricResult } from '../events/metrics.js';
import { severity } from '../policy/severity.js';
import { CHALLENGE_PATH, type ChallengeService } from './challenge-service.js';
import { withClearance } from './clearance-decision.js';
import type { ChallengeChoice } from '../actions/challenge/escalation.js';
import type { VerifyEvent } from '../actions/challenge/verify-endpoint.js';
import type { PolicyDocument } from '../config/schema.js';
import type { DetectorInput } from '../detectors/detector.js';
import type { Decision } from '../policy/decide.js';
import type { FlowFields, RequestSignals } from '../signals/request-signals.js';
import type { Clock } from '../state/clock.js';
import type { Store } from '../state/store.js';
import { evaluate } from './evaluate.js';
import { type Exchange, eventPath, toEvent } from './exchange.js';
import { forwardRequestHeaders, forwardResponseHeaders, headerProblem } from './hop-headers.js';
import { referenceId } from './reference-id.js';
import { decodedBody, framingProblem, hasBody, readBoundedBody } from './request-body.js';
import { routeRequest, versionProblem } from './request-target.js';
import type { DuplicateFields } from '../signals/body-fields.js';
import { classifyUpstreamError, type Upstream, type UpstreamFailure } from './upstream.js';
import { BodySample } from './body-sample.js';
import { cookieValue, type DeviceCookies } from './device-cookie.js';
import { classifyOutcome, OUTCOME_BODY_LIMIT } from '../signals/outcome.js';
import type { Outcome } from '../detectors/detector.js';
import { issuedCredential, presentedCredential } from '../signals/session-credential.js';
import type { RequestHead } from '../signals/extract.js';
import type { DecisionEvent } from '../events/event.js';

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

const BODY_METHODS_WITHOUT_FIELDS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'DELETE']);

export function createRequestHandler(ctx: GatewayContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(ctx, req, res).catch((err: unknown) => {
      ctx.log('error', 'request handling failed', { err: String(err) });
      if (!res.headersSent) reply(res, 'bad_request', 'unknown', false, { connection: 'close' });
      else res.destroy();
    });
  };
}

async function handle(ctx: GatewayContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  // Hardening: a connection botgate closes after refusing a request is finished. Node still
  // parses and dispatches requests pipelined behind the refused one, and after a request whose
  // framing was in doubt, where the next one starts is in doubt too: it is dropped, unanswered
  // (Node closes the connection once the refusal is written).
  if (closing.has(req.socket)) {
    req.resume();
    return;
  }
  const policy = ctx.policy;
  const startedAt = performance.now();
  const peer = normalisePeer(req.socket.remoteAddress);
  const url = req.url ?? '/';
  const method = req.method ?? 'GET';
  // Hardening: the flow is the one every common reading of the path names (request-target.ts).
  const routed = routeRequest(policy, method, url, req.headers.host);
  const head: RequestHead = {
    peer,
    method,
    rawHeaders: req.rawHeaders,
    headers: req.headers,
    secure: (req.socket as { encrypted?: boolean }).encrypted === true,
  };
  const x: Exchange = {
    id: referenceId(),
    time: ctx.clock.now(),
    startedAt,
    method,
    path: eventPath(url),
    host: req.headers.host ?? null,
    flow: routed.flow,
    signals: ctx.extractSignals(head),
    fields: null,
    device: ctx.devices.read(cookieHeader(req)),
    issuedDevice: null,
    rawUsername: undefined,
    input: null,
    decision: null,
    decisionMicros: 0,
    upstreamStatus: null,
    upstreamMs: null,
    answeredWith: null,
    outcome: null,
  };
  res.once('close', () => ctx.record(toEvent(x, res.writableFinished ? res.statusCode : 0, policy.mode)));
  const html = wantsHtml(req.headers.accept);

  // Node keeps at most maxHeaderLines + 1 header lines (server.maxHeadersCount), so more than
  // the cap means the client sent too many: answer 431 rather than judge a truncated head.
  if (req.rawHeaders.length > ctx.limits.maxHeaderLines * 2) return answer(res, x, 'headers_too_large', html, true);
  if (url.length > ctx.limits.maxUrlBytes) return answer(res, x, 'uri_too_long', html, true);
  // Only origin-form targets are proxied; absolute-form and `*` are for forward proxies.
  if (url.charCodeAt(0) !== 47 /* / */) return answer(res, x, 'bad_request', html, true);
  // Hardening: what Node's parser lets through but an upstream could read otherwise is refused
  // whatever the mode (like a 431): version, header names and Host, body framing.
  const malformed = versionProblem(req.httpVersion) ?? headerProblem(req.rawHeaders, req.httpVersion) ?? framingProblem(req);
  if (malformed !== null) return refuse(res, x, 'request.malformed', malformed, html);
  // An ambiguous path or body is refused in enforce mode; monitor mode forwards and records it.
  let ambiguity = routed.refusal;
  if (ambiguity !== null && policy.mode === 'enforce') return refuse(res, x, 'request.ambiguous', ambiguity, html);
  if (method === 'POST' && x.path === CHALLENGE_PATH) return redeemChallenge(ctx, req, res, x);

  let body: Buffer | null = null;
  let bodyError: string | null = null;
  const fieldSpec = x.flow.fields;
  if (fieldSpec !== null && !BODY_METHODS_WITHOUT_FIELDS.has(method)) {
    const read = await readBoundedBody(req, ctx.limits.maxBodyBytes);
    if (read.kind === 'too-large') return answer(res, x, 'body_too_large', html, true);
    if (read.kind === 'aborted') {
      x.answeredWith = 'client_aborted';
      res.destroy();
      return;
    }
    body = read.body;
    // Hardening: a compressed body is judged as the application will inflate it.
    const content = await decodedBody(body, req.headers['content-encoding'], ctx.limits.maxBodyBytes);
    if (content.kind === 'too-large') return answer(res, x, 'body_too_large', html, true);
    if (content.kind === 'malformed') {
      ambiguity ??= content.cause;
    } else {
      const extracted = ctx.readFields(content.body, req.headers['content-type'], fieldSpec, x.flow.duplicates);
      x.fields = extracted.fields;
      x.rawUsername = extracted.rawUsername;
      bodyError = extracted.error;
      if (extracted.ambiguous) ambiguity ??= `an ambiguous body: ${extracted.error ?? 'unreadable'}`;
    }
    if (ambiguity !== null && policy.mode === 'enforce') return refuse(res, x, 'request.ambiguous', ambiguity, html);
  }

  const input: DetectorInput = {
    id: x.id,
    now: x.time,
    method,
    path: x.path,
    flow: x.flow,
    signals: x.signals,
    fields: x.fields,
    bodyError,
    device: x.device,
    client: x.signals.userAgent.class === 'browser' && (req.headers.accept?.includes('text/html') ?? false) ? 'browser' : 'api',
    account: x.flow.account === null ? null : accountOf(ctx, req, x.flow.account),
  };
  x.input = input;
  let decision = await evaluate(policy, x.flow, input, ctx.store);
  if (decision.action !== 'challenge' && x.signals.acceptsHtml && ctx.forcedChallenge(x.flow) && severity(decision.action) < severity('challenge')) {
    decision = { ...decision, action: 'challenge', decidedBy: 'challenge/forced' };
  }
  // What this request's challenge demands is the yardstick of its clearance (verified once, here).
  let demand: ChallengeChoice | null = null;
  if (decision.action === 'challenge') {
    demand = ctx.challenges.demand(x.flow.name, decision.score);
    const cleared = ctx.challenges.clearance(req, x.signals.prefix);
    if (cleared !== null) {
      decision = withClearance(decision, cleared, demand);
      if (decision.action === 'allow') ctx.onChallenge(x.flow.name, 'cleared');
    }
  }
  // Monitor mode only (enforce refused above): the refusal that would have happened is recorded.
  if (ambiguity !== null) decision = withRefusal(decision, ambiguity);
  x.decision = decision;
  x.decisionMicros = Math.round((performance.now() - startedAt) * 1000);
  ctx.onDecision(x);

  if (decision.enforced) {
    switch (decision.action) {
      case 'block':
        ctx.withheld(x);
        return answer(res, x, 'blocked', html, false);
      case 'deceive':
        x.answeredWith = 'deceived';
        ctx.withheld(x);
        return ctx.deceive(x, res, html);
      case 'challenge':
        x.answeredWith = 'challenged';
        demand ??= ctx.challenges.demand(x.flow.name, decision.score);
        ctx.onChallenge(x.flow.name, ctx.challenges.challenge(x, req, res, demand));
        return;
      case 'ratelimit':
        return answer(res, x, 'rate_limited', html, false, { 'retry-after': String(decision.retryAfterSeconds ?? 60) });
      case 'tarpit':
        return ctx.tarpit(
          () => answer(res, x, 'rate_limited', html, false, { 'retry-after': '60' }),
          () => res.destroyed,
        );
      default:
        break;
    }
  }
  if (res.destroyed) return;
  forward(ctx, req, res, x, decision, body, peer, html);
}

function forward(
  ctx: GatewayContext,
  req: IncomingMessage,
  res: ServerResponse,
  x: Exchange,
  decision: Decision,
  body: Buffer | null,
  peer: string,
  html: boolean,
): void {
  const headers = forwardRequestHeaders(req.rawHeaders, req.headers.connection, ctx.preserveHost);
  const trusted = ctx.isTrustedPeer(peer);
  const priorFor = trusted ? req.headers['x-forwarded-for'] : undefined;
  const priorProto = trusted ? req.headers['x-forwarded-proto'] : undefined;
  headers.push(
    'x-forwarded-for',
    priorFor ? `${priorFor}, ${peer}` : peer,
    'x-forwarded-proto',
    typeof priorProto === 'string' ? priorProto : (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http',
    'x-botgate-id',
    x.id,
    'x-botgate-decision',
    decision.action,
    'x-botgate-enforced',
    decision.enforced ? 'true' : 'false',
    'x-botgate-decided-by',
    decision.decidedBy,
    'x-botgate-score',
    String(decision.score),
    'x-botgate-reasons',
    reasonList(decision),
  );
  if (req.headers.host !== undefined) headers.push('x-forwarded-host', req.headers.host);

  if (ctx.atoHeader(x)) headers.push('x-botgate-ato', 'suspected');

  const requestBody = body ?? (hasBody(req) ? req : null);
  const sentAt = performance.now();
  // A client without a valid device cookie gets one with this answer (assets excepted: they are
  // often served from caches that must not store a Set-Cookie).
  const issued = x.device === null && x.flow.kind !== 'asset' ? ctx.devices.issue(x.time, isSecure(req)) : null;
  x.issuedDevice = issued?.device ?? null;
  const deviceId = x.device?.id ?? issued?.device.id ?? null;
  const outcomeRule = x.flow.outcome;
  ctx.upstream.forward(
    { method: x.method, path: req.url ?? '/', headers, body: requestBody },
    (statusCode, upstreamHeaders) => {
      x.upstreamStatus = statusCode;
      x.upstreamMs = Math.round(performance.now() - sentAt);
      // Hardening: the connection closed while this answer was queued behind another (see
      // server.ts): nothing can be written to it, so the upstream's answer is drained instead.
      if (res.destroyed) return drain();
      // The page a person types into is the last HTML document the device received: a page
      // load, or the login form coming back after a failed attempt.
      const contentType = upstreamHeaders['content-type'];
      if (deviceId !== null && typeof contentType === 'string' && contentType.startsWith('text/html')) {
        ctx.pageViewed(deviceId, ctx.clock.now());
      }
      const out = forwardResponseHeaders(upstreamHeaders);
      out['x-botgate-id'] = x.id;
      // Hardening: upgrades are not proxied (Upgrade is hop-by-hop, so the upstream never saw
      // it), and Node reads nothing more from a connection that asked for one: close it.
      if (req.headers.upgrade !== undefined) out.connection = 'close';
      if (issued !== null) appendSetCookie(out, issued.setCookie);
      res.writeHead(statusCode, out);
      if (outcomeRule === null) return res;
      // The outcome is learnt before the client's response ends, so the exchange's event
      // (recorded when the response closes) carries it.
      const learn = (body: Buffer | null): void => {
        const classified = classifyOutcome(outcomeRule, statusCode, upstreamHeaders, body);
        const outcome = withSession(ctx, x.flow, classified, upstreamHeaders, body);
        x.outcome = outcome.result;
        ctx.learn(x, outcome, { status: statusCode, headers: upstreamHeaders, body });
      };
      if (outcomeRule.needsBody || x.flow.kind === 'login' || x.flow.session?.json)
        return new BodySample(res, OUTCOME_BODY_LIMIT, learn);
      learn(null);
      return res;
    },
    (err) => {
      if (err === null) {
        ctx.onUpstream(x, null);
        return;
      }
      const failure = classifyUpstreamError(err);
      ctx.onUpstream(x, failure);
      if (failure === 'aborted' || res.destroyed) return;
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (requestBody === req && !req.complete) req.resume();
      if (failure !== 'timeout') ctx.log('warn', 'upstream request failed', { id: x.id, code: (err as { code?: string }).code });
      answer(res, x, failure === 'timeout' ? 'upstream_timeout' : 'upstream_unavailable', html, false);
    },
  );
}

function answer(
  res: ServerResponse,
  x: Exchange,
  code: AnswerCode,
  html: boolean,
  closeConnection: boolean,
  extra?: Record<string, string>,
): void {
  x.answeredWith = code;
  const headers = closeConnection ? { ...extra, connection: 'close' } : extra;
  if (closeConnection && res.socket !== null) closing.add(res.socket);
  reply(res, code, x.id, html, headers);
}

/** A sink for an upstream answer nobody can receive any more. */
function drain(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}

/** Connections answered with `connection: close`: no further request on them is handled. */
const closing = new WeakSet<object>();

// --- Hardening: requests refused before judging (request-target.ts, hop-headers.ts, request-body.ts).

/**
 * Answers 400 and closes the connection (its framing or meaning is in doubt, so nothing more is
 * read from it); the event names the cause as a finding (`request.malformed`: the HTTP itself;
 * `request.ambiguous`: a path or body the application could read another way).
 */
function refuse(res: ServerResponse, x: Exchange, reason: string, cause: string, html: boolean): void {
  x.decision = {
    action: 'block',
    decidedBy: 'gateway/refused',
    score: 0,
    enforced: true,
    retryAfterSeconds: null,
    findings: [{ source: 'gateway/request', reason, score: 0, detail: cause }],
  };
  answer(res, x, 'bad_request', html, true);
}

function withRefusal(decision: Decision, cause: string): Decision {
  const finding = { source: 'gateway/request', reason: 'request.ambiguous', score: 0, detail: cause };
  const stronger = severity('block') > severity(decision.action);
  return {
    ...decision,
    action: stronger ? 'block' : decision.action,
    decidedBy: stronger ? 'gateway/refused' : decision.decidedBy,
    findings: [...decision.findings, finding],
  };
}

/** `POST /.botgate/challenge`: a solution is redeemed (once, across nodes) for a clearance. */
async function redeemChallenge(ctx: GatewayContext, req: IncomingMessage, res: ServerResponse, x: Exchange): Promise<void> {
  await ctx.challenges.verify(req, res, x, isSecure(req), (event) => {
    const solved = event.result === 'solved';
    // Counted under the flow that was challenged (signed into the token), not this POST's own
    // flow; the metric bounds the label to the policy's flow names.
    ctx.onChallenge(event.flow ?? x.flow.name, challengeMetric(event));
    x.decision = {
      action: solved ? 'allow' : 'block',
      decidedBy: solved ? 'challenge/solved' : `challenge/${event.reason}`,
      score: 0,
      enforced: true,
      retryAfterSeconds: null,
      findings: [
        {
          source: 'challenge/verify',
          reason: solved ? 'challenge.solved' : 'challenge.failed',
          score: 0,
          detail: `${event.reason}${event.flow === null ? '' : ` (challenged flow "${event.flow}")`}${event.solveMs === null ? '' : `, solved in ${event.solveMs} ms`}${event.difficulty === null ? '' : ` at ${event.difficulty} bits`}${captchaDetail(event)}`,
        },
      ],
    };
  });
}

/** The metric's result: the CAPTCHA path has its own, so its rate and its fallbacks can be watched. */
function challengeMetric(event: VerifyEvent): ChallengeMetricResult {
  switch (event.captcha?.outcome) {
    case 'passed':
      return 'captcha_solved';
    case 'failed':
      return 'captcha_failed';
    case 'unavailable':
      return 'captcha_fallback';
    default:
      return event.result === 'solved' ? 'solved' : 'failed';
  }
}

function captchaDetail(event: VerifyEvent): string {
  const verdict = event.captcha;
  if (verdict === undefined) return '';
  if (verdict.outcome === 'passed') return '; captcha passed';
  if (verdict.outcome === 'failed') return `; captcha refused (${verdict.detail})`;
  return `; captcha provider unavailable (${verdict.kind}: ${verdict.detail}), proof of work stood alone`;
}

function cookieHeader(req: IncomingMessage): string | undefined {
  return req.headers.cookie;
}

/**
 * The account a request acts as: its session credential, hashed. A header's value loses its
 * scheme (`Bearer abc` is `abc`), so it hashes as the token the login answer issued did.
 */
function accountOf(ctx: GatewayContext, req: IncomingMessage, source: { header: string | null; cookie: string | null }): string | null {
  let value: string | undefined | null = null;
  if (source.header !== null) {
    const h = req.headers[source.header];
    const raw = Array.isArray(h) ? h[0] : h;
    value = raw === undefined ? raw : presentedCredential(raw);
  }
  if ((value === null || value === undefined) && source.cookie !== null) value = cookieValue(req.headers.cookie, source.cookie);
  return value ? ctx.hashAccount(value) : null;
}

/** The outcome, with the session a successful answer opened when the flow declares where it is. */
function withSession(
  ctx: GatewayContext,
  flow: CompiledFlow,
  outcome: Outcome,
  headers: IncomingHttpHeaders,
  body: Buffer | null,
): Outcome {
  if (flow.session === null || outcome.result !== 'success') return outcome;
  const credential = issuedCredential(flow.session, headers['set-cookie'], body);
  return credential === null ? outcome : { ...outcome, session: ctx.hashAccount(credential) };
}

function isSecure(req: IncomingMessage): boolean {
  return (req.socket as { encrypted?: boolean }).encrypted === true;
}

function appendSetCookie(headers: Record<string, string | string[]>, cookie: string): void {
  const existing = headers['set-cookie'];
  headers['set-cookie'] = existing === undefined ? [cookie] : Array.isArray(existing) ? [...existing, cookie] : [existing, cookie];
}

function reasonList(decision: Decision): string {
  if (decision.findings.length === 0) return '';
  const seen = new Set<string>();
  for (const f of decision.findings) seen.add(f.reason);
  return [...seen].join(',');
}

function normalisePeer(address: string | undefined): string {
  if (address === undefined) return '0.0.0.0';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
