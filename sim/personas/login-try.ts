/**
 * One login try with a stolen or guessed credential, as an attack tool sends it: either as an
 * HTTP library posts (form or JSON, the library's own headers), or as a script replaying a
 * recorded browser request (the browser's exact headers, its Origin and Referer, no page load).
 *
 * A hit on the form is followed to the account page (`followHits`), as python-requests follows
 * redirects by default and as stuffing configs "capture" an account's details: that is the
 * request on which a taken-over account is first used, and where botgate's takeover flag shows.
 */
import type { Credential } from '../credentials.js';
import { loginSucceeded, type Session } from '../session.js';
import type { Reply } from '../transport.js';
import { type Endpoint, LOGIN_PATHS } from './attacker-options.js';

export type Replay = 'library' | 'browser-copy';

export async function tryLogin(
  session: Session,
  replay: Replay,
  endpoint: Endpoint,
  credential: Credential,
  followHits = true,
): Promise<Reply> {
  const reply = await post(session, replay, endpoint, credential);
  const location = reply.headers.location;
  if (followHits && endpoint === 'form' && loginSucceeded(reply) && typeof location === 'string') {
    await session.send(
      replay === 'library'
        ? { kind: 'get', method: 'GET', path: location, flow: 'page' }
        : { kind: 'navigate-after-post', method: 'GET', path: location, flow: 'page', referer: session.url('/login') },
    );
  }
  return reply;
}

function post(session: Session, replay: Replay, endpoint: Endpoint, credential: Credential): Promise<Reply> {
  const fields = { username: credential.username, password: credential.password };
  const facts = { username: credential.username, realAccount: credential.realAccount, correct: credential.correct };
  const path = LOGIN_PATHS[endpoint];
  const json = endpoint === 'api';
  if (replay === 'library') {
    return session.send({
      kind: json ? 'post-json' : 'post-form',
      method: 'POST',
      path,
      flow: 'login',
      attempt: true,
      body: json ? JSON.stringify(fields) : new URLSearchParams(fields).toString(),
      contentType: json ? 'application/json' : 'application/x-www-form-urlencoded',
      credential: facts,
    });
  }
  return session.send({
    kind: json ? 'fetch-json' : 'form',
    method: 'POST',
    path,
    flow: 'login',
    attempt: true,
    body: json ? JSON.stringify(fields) : new URLSearchParams(fields).toString(),
    contentType: json ? 'application/json' : 'application/x-www-form-urlencoded',
    referer: session.url(json ? '/' : '/login'),
    credential: facts,
  });
}
