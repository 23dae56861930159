/**
 * The request path (DESIGN.md): classify the flow, extract signals, read the flow's fields,
 * judge in one store batch, decide, then forward with tags or answer directly. Every exchange
 * ends as exactly one event, whatever happened (including client aborts and upstream faults).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { ChallengeChoice } from '../actions/challenge/escalation.js';
import { reply, wantsHtml } from '../actions/reply.js';
import type { DetectorInput } from '../detectors/detector.js';
import { severity } from '../policy/severity.js';
import type { RequestHead } from '../signals/extract.js';
import { presentedCredential } from '../signals/session-credential.js';
import { redeemChallenge } from './challenge-redemption.js';
import { CHALLENGE_PATH } from './challenge-service.js';
import { withClearance } from './clearance-decision.js';
import { cookieValue } from './device-cookie.js';
import { evaluate } from './evaluate.js';
import { type Exchange, eventPath, toEvent } from './exchange.js';
import { forward } from './forward-upstream.js';
import type { GatewayContext } from './gateway-context.js';
import { headerProblem } from './hop-headers.js';
import { answer, isClosing, refuse, withRefusal } from './own-answers.js';
import { referenceId } from './reference-id.js';
import { decodedBody, framingProblem, readBoundedBody } from './request-body.js';
import { routeRequest, versionProblem } from './request-target.js';

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
  if (isClosing(req.socket)) {
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
  const malformed =
    versionProblem(req.httpVersion) ?? headerProblem(req.rawHeaders, req.httpVersion) ?? framingProblem(req);
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
    client:
      x.signals.userAgent.class === 'browser' && (req.headers.accept?.includes('text/html') ?? false)
        ? 'browser'
        : 'api',
    account: x.flow.account === null ? null : accountOf(ctx, req, x.flow.account),
  };
  x.input = input;
  let decision = await evaluate(policy, x.flow, input, ctx.store);
  if (
    decision.action !== 'challenge' &&
    x.signals.acceptsHtml &&
    ctx.forcedChallenge(x.flow) &&
    severity(decision.action) < severity('challenge')
  ) {
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

function cookieHeader(req: IncomingMessage): string | undefined {
  return req.headers.cookie;
}

/**
 * The account a request acts as: its session credential, hashed. A header's value loses its
 * scheme (`Bearer abc` is `abc`), so it hashes as the token the login answer issued did.
 */
function accountOf(
  ctx: GatewayContext,
  req: IncomingMessage,
  source: { header: string | null; cookie: string | null },
): string | null {
  let value: string | undefined | null = null;
  if (source.header !== null) {
    const h = req.headers[source.header];
    const raw = Array.isArray(h) ? h[0] : h;
    value = raw === undefined ? raw : presentedCredential(raw);
  }
  if ((value === null || value === undefined) && source.cookie !== null)
    value = cookieValue(req.headers.cookie, source.cookie);
  return value ? ctx.hashAccount(value) : null;
}

function normalisePeer(address: string | undefined): string {
  if (address === undefined) return '0.0.0.0';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
