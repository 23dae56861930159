/**
 * A client of botgate's challenge for integration tests on a Stack: read a challenge (the page
 * or the JSON), solve it with the Node solver, redeem it, and read what came back.
 */
import { request } from 'undici';
import { expect } from 'vitest';
import { CLEARANCE_COOKIE } from '../../src/actions/challenge/clearance.js';
import type { JsonChallengeBody } from '../../src/actions/challenge/json-challenge.js';
import { CHALLENGE_PATH } from '../../src/actions/challenge/page.js';
import { solveChallenge } from '../../src/actions/challenge/solver.js';
import type { DecisionEvent } from '../../src/events/event.js';
import { type Answer, CHROME, type Stack, send } from './stack.js';

export interface ChallengePage {
  readonly answer: Answer;
  readonly csp: string;
  readonly challenge: string;
  readonly difficulty: number;
  readonly returnTo: string;
}

/** A page load answered with the challenge page (asserted); `cookie` is sent as the Cookie header. */
export async function challengePage(
  stack: Stack,
  ip: string,
  path = '/',
  options: { headers?: Record<string, string>; cookie?: string } = {},
): Promise<ChallengePage> {
  const headers: Record<string, string> = { ...(options.headers ?? CHROME), 'x-forwarded-for': ip };
  if (options.cookie !== undefined) headers.cookie = options.cookie;
  const res = await request(`${stack.gateway.gatewayUrl}${path}`, { headers });
  const body = await res.body.text();
  expect(res.statusCode).toBe(403);
  expect(String(res.headers['content-type'])).toContain('text/html');
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(body)?.[1] ?? '';
  return {
    answer: {
      status: res.statusCode,
      id: String(res.headers['x-botgate-id']),
      body,
      setCookie: [],
      location: undefined,
    },
    csp: String(res.headers['content-security-policy'] ?? ''),
    challenge: field('challenge'),
    difficulty: Number(/data-difficulty="(\d+)"/.exec(body)?.[1]),
    returnTo: field('returnTo'),
  };
}

/** Solves the page's proof of work and posts it as the page does, with `captcha` as the widget's token when given. */
export function redeem(
  stack: Stack,
  ip: string,
  page: ChallengePage,
  captcha?: string,
  headers: Record<string, string> = CHROME,
): Promise<Answer> {
  const form: Record<string, string> = {
    challenge: page.challenge,
    solution: String(solveChallenge(page.challenge, page.difficulty)),
    returnTo: page.returnTo,
  };
  if (captcha !== undefined) form.captcha = captcha;
  return send(stack, ip, 'POST', CHALLENGE_PATH, { form, headers });
}

/** The JSON challenge of an answer (asserted to be one). */
export function jsonChallengeOf(answer: Answer): JsonChallengeBody['challenge'] {
  expect(answer.status).toBe(403);
  const body = JSON.parse(answer.body) as JsonChallengeBody;
  expect(body.error).toBe('challenge_required');
  return body.challenge;
}

/** Solves a JSON challenge and submits it as the contract says, with `captcha` when given. */
export function redeemJson(
  stack: Stack,
  ip: string,
  challenge: JsonChallengeBody['challenge'],
  headers: Record<string, string>,
  captcha?: string,
): Promise<Answer> {
  const json: Record<string, string> = {
    challenge: challenge.token,
    solution: String(solveChallenge(challenge.token, challenge.difficulty)),
  };
  if (captcha !== undefined) json.captcha = captcha;
  return send(stack, ip, 'POST', challenge.submit.url, { json, headers });
}

/** The clearance cookie an answer set, as a Cookie header value. */
export function clearanceOf(answer: Answer): string | undefined {
  return answer.setCookie.find((c) => c.startsWith(`${CLEARANCE_COOKIE}=`))?.split(';')[0];
}

export async function metricsText(stack: Stack): Promise<string> {
  const res = await request(`${stack.gateway.adminUrl}/metrics`);
  return res.body.text();
}

/** The event of a reference id; events are recorded when the response closes, so it polls briefly. */
export async function eventOf(stack: Stack, id: string): Promise<DecisionEvent> {
  for (let i = 0; i < 50; i++) {
    const event = stack.gateway.recorder.ring.recent(1_000).find((e) => e.id === id);
    if (event !== undefined) return event;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no event ${id}`);
}
