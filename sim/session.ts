/**
 * One simulated client for the length of its visit or run: its address, its client stack and
 * identity, its cookie jar, its own random stream and clock. Every request goes through `send`,
 * which writes the head from the identity's template, sends it, keeps cookies, and records what
 * was sent and what came back. The record carries the truth (persona, whether the password was
 * right, whether the account is real); none of it is in the request.
 */

import { readOwnAnswer } from './answers.js';
import type { SimClock } from './clock.js';
import type { CookieJar } from './cookie-jar.js';
import type { ClientIdentity, RequestKind } from './headers/template.js';
import { renderHeaders } from './headers/template.js';
import type { Pace } from './pace.js';
import type { Random } from './random.js';
import type { CredentialFacts, Flow, PersonaKind, SentRequest } from './record.js';
import type { Reply, Transport } from './transport.js';

/** Thrown by `send` when the run is over (deadline, request budget, stop signal); the runner catches it. */
export class SessionStopped extends Error {
  constructor() {
    super('the simulation run was stopped');
    this.name = 'SessionStopped';
  }
}

export interface SessionEnv {
  readonly transport: Transport;
  readonly clock: SimClock;
  readonly pace: Pace;
  /** Asked before each request; false ends the session (budget spent, run stopped). */
  admit(): boolean;
  record(request: SentRequest): void;
}

export interface SessionSetup {
  readonly persona: string;
  readonly kind: PersonaKind;
  readonly index: number;
  readonly ip: string;
  readonly identity: ClientIdentity;
  /** Whether the client keeps cookies between requests (browsers, apps, requests.Session: yes). */
  readonly keepsCookies: boolean;
  /** The client's cookies (shared by sessions of one browser or app install). */
  readonly jar: CookieJar;
  readonly random: Random;
}

export interface RequestSpec {
  readonly kind: RequestKind;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly flow: Flow;
  /** One of the campaign's goal requests (a login try, a fake signup, a spam post, a scraped page). */
  readonly attempt?: boolean;
  readonly body?: string;
  readonly contentType?: string;
  readonly referer?: string;
  readonly site?: 'none' | 'same-origin' | 'cross-site';
  readonly authorization?: string;
  readonly credential?: CredentialFacts;
}

export class Session {
  readonly jar: CookieJar;
  readonly random: Random;
  readonly identity: ClientIdentity;
  private address: string;
  /** Set when the session solved one of botgate's challenges (personas do not solve them yet). */
  solvedChallenge = false;

  constructor(
    private readonly setup: SessionSetup,
    private readonly env: SessionEnv,
  ) {
    this.random = setup.random;
    this.jar = setup.jar;
    this.address = setup.ip;
    this.identity = setup.identity;
  }

  /** The address the load balancer sees for this client's next request. */
  get ip(): string {
    return this.address;
  }

  /** Switches to another exit address (a rotating proxy pool does this per request). */
  moveTo(ip: string): void {
    this.address = ip;
  }

  get pace(): Pace {
    return this.env.pace;
  }

  get origin(): string {
    return this.env.transport.origin;
  }

  /** An absolute URL on the site, for Referer. */
  url(path: string): string {
    return `${this.env.transport.origin}${path}`;
  }

  think(ms: number): Promise<void> {
    return this.env.clock.sleep(ms);
  }

  async send(spec: RequestSpec): Promise<Reply> {
    if (!this.env.admit()) throw new SessionStopped();
    const body = spec.body === undefined ? undefined : Buffer.from(spec.body);
    const { transport } = this.env;
    const headers = renderHeaders(this.identity, spec.kind, {
      host: transport.host,
      origin: transport.origin,
      referer: spec.referer,
      cookie: this.setup.keepsCookies ? this.jar.header() : undefined,
      contentLength: body?.length,
      contentType: spec.contentType,
      site: spec.site,
      authorization: spec.authorization,
    });
    const sentAt = this.env.clock.now();
    const reply = await transport.send({ method: spec.method, path: spec.path, headers, body, clientIp: this.ip });
    if (this.setup.keepsCookies) this.jar.absorb(reply.headers['set-cookie']);
    this.env.record({
      persona: this.setup.persona,
      kind: this.setup.kind,
      session: this.setup.index,
      flow: spec.flow,
      attempt: spec.attempt ?? false,
      method: spec.method,
      path: spec.path,
      ip: this.ip,
      username: spec.credential?.username ?? null,
      realAccount: spec.credential?.realAccount ?? false,
      correctPassword: spec.credential?.correct ?? false,
      sentAt,
      latencyMs: this.env.clock.now() - sentAt,
      status: reply.status,
      botgateId: reply.botgateId,
      failure: reply.failure,
      answer: readOwnAnswer(reply),
      loginSucceeded: spec.flow === 'login' && loginSucceeded(reply),
      solvedChallenge: this.solvedChallenge,
    });
    return reply;
  }
}

/** The demo's success answers: the form's redirect to /account, the API's token. */
export function loginSucceeded(reply: Reply): boolean {
  if (reply.status === 302) return reply.headers.location === '/account';
  return reply.status === 200 && reply.body.startsWith('{"token"');
}
