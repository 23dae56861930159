/**
 * Forwarding an allowed (or monitored) request: the upstream gets the client's headers minus
 * hop-by-hop ones, X-Forwarded-*, and botgate's tags; the client gets the upstream's answer
 * streamed, with the reference id and, for a new client, a device cookie. A flow with outcomes
 * is learnt from the answer before the client's response ends, so its event carries the outcome.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import type { CompiledFlow } from '../config/compile.js';
import type { Outcome } from '../detectors/detector.js';
import type { Decision } from '../policy/decide.js';
import { classifyOutcome, OUTCOME_BODY_LIMIT } from '../signals/outcome.js';
import { issuedCredential } from '../signals/session-credential.js';
import { BodySample } from './body-sample.js';
import type { Exchange } from './exchange.js';
import type { GatewayContext } from './gateway-context.js';
import { forwardRequestHeaders, forwardResponseHeaders } from './hop-headers.js';
import { answer } from './own-answers.js';
import { hasBody } from './request-body.js';
import { classifyUpstreamError } from './upstream.js';

export function forward(
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
      if (failure !== 'timeout')
        ctx.log('warn', 'upstream request failed', { id: x.id, code: (err as { code?: string }).code });
      answer(res, x, failure === 'timeout' ? 'upstream_timeout' : 'upstream_unavailable', html, false);
    },
  );
}

/** A sink for an upstream answer nobody can receive any more. */
function drain(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
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

export function isSecure(req: IncomingMessage): boolean {
  return (req.socket as { encrypted?: boolean }).encrypted === true;
}

function appendSetCookie(headers: Record<string, string | string[]>, cookie: string): void {
  const existing = headers['set-cookie'];
  headers['set-cookie'] =
    existing === undefined ? [cookie] : Array.isArray(existing) ? [...existing, cookie] : [existing, cookie];
}

function reasonList(decision: Decision): string {
  if (decision.findings.length === 0) return '';
  const seen = new Set<string>();
  for (const f of decision.findings) seen.add(f.reason);
  return [...seen].join(',');
}
