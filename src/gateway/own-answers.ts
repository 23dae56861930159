/**
 * Answers botgate writes itself on the request path (actions/reply.ts renders them), and the
 * hardening refusals: a request whose framing or meaning is in doubt is answered 400 and its
 * connection closed, and nothing more is read from that connection.
 */
import type { ServerResponse } from 'node:http';
import type { AnswerCode } from '../actions/answers.js';
import { reply } from '../actions/reply.js';
import type { Decision } from '../policy/decide.js';
import { severity } from '../policy/severity.js';
import type { Exchange } from './exchange.js';

export function answer(
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

/** Connections answered with `connection: close`: no further request on them is handled. */
const closing = new WeakSet<object>();

/** Whether botgate already answered on this connection with `connection: close`. */
export function isClosing(socket: object): boolean {
  return closing.has(socket);
}

/**
 * Answers 400 and closes the connection (its framing or meaning is in doubt, so nothing more is
 * read from it); the event names the cause as a finding (`request.malformed`: the HTTP itself;
 * `request.ambiguous`: a path or body the application could read another way).
 */
export function refuse(res: ServerResponse, x: Exchange, reason: string, cause: string, html: boolean): void {
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

export function withRefusal(decision: Decision, cause: string): Decision {
  const finding = { source: 'gateway/request', reason: 'request.ambiguous', score: 0, detail: cause };
  const stronger = severity('block') > severity(decision.action);
  return {
    ...decision,
    action: stronger ? 'block' : decision.action,
    decidedBy: stronger ? 'gateway/refused' : decision.decidedBy,
    findings: [...decision.findings, finding],
  };
}
