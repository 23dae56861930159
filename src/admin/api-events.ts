/**
 * `GET /api/events`: the newest events (from memory), or a search when any criterion is given:
 * `q` (one box: a reference id, an IP, a network, a fingerprint, a username hash or a reason
 * code, told apart by their shapes), or `ip`, `prefix`, `fingerprint`, `usernameHash`, `reason`,
 * `action`, `flow`, `type`, and a range (`since`, or `from`/`to`). Searches go to the event
 * archive (SQLite or Postgres); without one, to the events still in memory.
 *
 * `GET /api/events/:id`: one decision explained (explain.ts), from memory or the archive.
 */
import { ACTIONS, type Action } from '../config/schema.js';
import type { DecisionEvent, EventType } from '../events/event.js';
import { parseRange } from '../events/report-range.js';
import type { EventCriteria } from '../events/sink.js';
import { isReferenceId } from '../gateway/reference-id.js';
import { parseCidr } from '../signals/cidr.js';
import { canonicalIp } from '../signals/ip-address.js';
import { networkPrefix } from '../signals/network-prefix.js';
import { explainEvent } from './explain.js';
import { badRequest, json, problem } from './http.js';
import type { AdminContext, Route } from './server.js';

export const MAX_EVENTS = 1_000;
const EVENT_TYPES: readonly EventType[] = ['decision', 'ato.suspected', 'attack-mode.started', 'attack-mode.ended'];
const REASON = /^[a-z0-9-]+(\.[a-z0-9_-]+)+$/;
const USERNAME_HASH = /^[0-9a-f]{32}$/;
const FINGERPRINT = /^[0-9a-f]{12}$/;
const FLOW = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export function eventRoutes(admin: AdminContext): Route[] {
  const { deps } = admin;
  return [
    {
      method: 'GET',
      path: '/api/events',
      access: 'read',
      handle: async ({ res, query }) => {
        const raw = query.get('limit');
        const limit = raw === null ? 100 : Number(raw);
        if (!Number.isInteger(limit) || limit < 1 || limit > MAX_EVENTS) {
          throw badRequest(`Cannot list events: limit must be an integer from 1 to ${MAX_EVENTS} (received "${raw}")`);
        }
        const criteria = searchCriteria(query, limit, admin.clock.now());
        if (criteria === null) return json(res, 200, { events: await deps.recentEvents(limit), source: 'memory' });
        if (deps.archive) return json(res, 200, { events: await deps.archive.search(criteria), source: 'archive' });
        const recent = await deps.recentEvents(MAX_EVENTS * 10);
        json(res, 200, { events: recent.filter((e) => matches(e, criteria)).slice(0, limit), source: 'memory' });
      },
    },
    {
      method: 'GET',
      path: '/api/events/:id',
      access: 'read',
      handle: async ({ res, params }) => {
        const id = params.id ?? '';
        if (!isReferenceId(id)) {
          throw badRequest(`Cannot find event: a reference id is 16 hex characters (received "${id.slice(0, 40)}")`);
        }
        const event = await deps.findEvent(id);
        if (!event) return problem(res, 404, 'not_found', `No event with reference id ${id}`);
        json(res, 200, explainEvent(event));
      },
    },
  ];
}

/** The criteria the query asks for, or null when it asks for none (the newest events). Throws 400. */
export function searchCriteria(query: URLSearchParams, limit: number, now: number): EventCriteria | null {
  const c: { -readonly [K in keyof EventCriteria]: EventCriteria[K] } = { limit };
  let any = false;
  const q = query.get('q')?.trim();
  if (q) {
    Object.assign(c, fromSearchBox(q));
    any = true;
  }
  const ip = query.get('ip');
  if (ip !== null) {
    c.ip =
      canonicalIp(ip.trim()) ?? fail(`Cannot search by ip: expected an IPv4 or IPv6 address (received "${clip(ip)}")`);
    any = true;
  }
  const prefix = query.get('prefix');
  if (prefix !== null) {
    c.prefix =
      networkOf(prefix.trim()) ??
      fail(
        `Cannot search by prefix: expected a /24 or /48 network such as 203.0.113.0/24 (received "${clip(prefix)}")`,
      );
    any = true;
  }
  const fingerprint = query.get('fingerprint');
  if (fingerprint !== null) {
    if (!FINGERPRINT.test(fingerprint))
      fail(`Cannot search by fingerprint: expected 12 hex characters (received "${clip(fingerprint)}")`);
    c.fingerprint = fingerprint;
    any = true;
  }
  const usernameHash = query.get('usernameHash');
  if (usernameHash !== null) {
    if (!USERNAME_HASH.test(usernameHash))
      fail(`Cannot search by usernameHash: expected 32 hex characters (received "${clip(usernameHash)}")`);
    c.usernameHash = usernameHash;
    any = true;
  }
  const reason = query.get('reason');
  if (reason !== null) {
    if (!REASON.test(reason))
      fail(
        `Cannot search by reason: expected a reason code such as stuffing.source-failures (received "${clip(reason)}")`,
      );
    c.reason = reason;
    any = true;
  }
  const action = query.get('action');
  if (action !== null) {
    if (!(ACTIONS as readonly string[]).includes(action))
      fail(`Cannot search by action: expected one of ${ACTIONS.join(', ')} (received "${clip(action)}")`);
    c.action = action as Action;
    any = true;
  }
  const flow = query.get('flow');
  if (flow !== null) {
    if (!FLOW.test(flow)) fail(`Cannot search by flow: expected a flow name (received "${clip(flow)}")`);
    c.flow = flow;
    any = true;
  }
  const type = query.get('type');
  if (type !== null) {
    if (!(EVENT_TYPES as readonly string[]).includes(type))
      fail(`Cannot search by type: expected one of ${EVENT_TYPES.join(', ')} (received "${clip(type)}")`);
    c.type = type as EventType;
    any = true;
  }
  if (query.has('since') || query.has('from') || query.has('to')) {
    const { from, to } = parseRange({ since: query.get('since'), from: query.get('from'), to: query.get('to') }, now);
    c.range = { from, to };
    any = true;
  }
  return any ? c : null;
}

/** One search box, many kinds of value, told apart by shape. */
function fromSearchBox(q: string): Partial<EventCriteria> {
  if (isReferenceId(q)) return { id: q };
  if (USERNAME_HASH.test(q)) return { usernameHash: q };
  if (FINGERPRINT.test(q)) return { fingerprint: q };
  const ip = canonicalIp(q);
  if (ip !== null) return { ip };
  if (q.includes('/')) {
    const network = networkOf(q);
    if (network !== null) return { prefix: network };
  }
  if (REASON.test(q)) return { reason: q };
  return fail(
    `Cannot search for "${clip(q)}": expected a reference id (16 hex), an IP address, a /24 or /48 network, a fingerprint (12 hex), a username hash (32 hex) or a reason code such as stuffing.source-failures`,
  );
}

/** A /24 or /48 as the gateway writes it, or null. */
function networkOf(text: string): string | null {
  const parsed = parseCidr(text);
  if (!parsed.ok || !text.includes('/')) return null;
  const address = text.slice(0, text.indexOf('/'));
  const network = networkPrefix(canonicalIp(address) ?? address);
  return network === parsed.cidr.text ? network : null;
}

/** The same criteria in JavaScript, for the events in memory when there is no archive. */
function matches(e: DecisionEvent, c: EventCriteria): boolean {
  return (
    (c.id === undefined || e.id === c.id) &&
    (c.ip === undefined || e.ip === c.ip) &&
    (c.prefix === undefined || e.prefix === c.prefix) &&
    (c.fingerprint === undefined || e.fingerprint === c.fingerprint) &&
    (c.usernameHash === undefined || e.usernameHash === c.usernameHash) &&
    (c.reason === undefined || e.findings.some((f) => f.reason === c.reason)) &&
    (c.action === undefined || e.action === c.action) &&
    (c.flow === undefined || e.flow === c.flow) &&
    (c.type === undefined || e.type === c.type) &&
    (c.range === undefined || (e.time >= c.range.from && e.time < c.range.to))
  );
}

function fail(message: string): never {
  throw badRequest(message);
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
