/**
 * Operators' runtime block and allow entries (policy/manual-lists.ts):
 * - `GET /api/lists`: the active entries and the audit trail (who, when, what, why);
 * - `POST /api/lists` `{ list: block|allow, target: ip|prefix|fingerprint, value, duration: "1h", reason }`:
 *   adds an entry, effective from the gateway's next request; 201 with the entry;
 * - `DELETE /api/lists?id=…&reason=…`: removes one; 200 with the entry, 404 when none is active.
 * "Who" is the console session's operator name, or `who` in the body for token callers
 * (default "admin token").
 */

import { parseDuration } from '../events/report-range.js';
import type { ManualLists } from '../policy/manual-lists.js';
import { badRequest, ClientError, json, problem, readJsonObject, stringField } from './http.js';
import type { AdminContext, Caller, Route } from './server.js';

export function listRoutes(admin: AdminContext): Route[] {
  const lists = (): ManualLists => {
    const manual = admin.deps.manualLists;
    if (!manual) throw new ClientError(503, 'no_lists', 'Cannot change lists: this gateway keeps no runtime lists.');
    return manual;
  };
  return [
    {
      method: 'GET',
      path: '/api/lists',
      access: 'read',
      handle: ({ res, query }) => {
        const raw = query.get('audit');
        const limit = raw === null ? 100 : Number(raw);
        if (!Number.isInteger(limit) || limit < 0 || limit > 1_000) {
          throw badRequest(
            `Cannot list entries: "audit" must be an integer from 0 to 1000 (received "${String(raw).slice(0, 40)}")`,
          );
        }
        const manual = lists();
        json(res, 200, { entries: manual.entries(), audit: manual.audit(limit), maxDurationMs: manual.maxDurationMs });
      },
    },
    {
      method: 'POST',
      path: '/api/lists',
      access: 'change',
      handle: async ({ req, res, caller }) => {
        const manual = lists();
        const body = await readJsonObject(req);
        const durationText = stringField(body, 'duration', 10) as string;
        const durationMs = parseDuration(durationText);
        if (durationMs === null)
          throw badRequest(
            `Cannot read "duration": expected a number and a unit m, h, d or w, such as 1h (received "${durationText}")`,
          );
        const entry = manual.add({
          list: stringField(body, 'list', 20) as string,
          target: stringField(body, 'target', 20) as string,
          value: stringField(body, 'value', 100) as string,
          durationMs,
          reason: stringField(body, 'reason', 200) as string,
          who: who(caller, body),
        });
        json(res, 201, { entry });
      },
    },
    {
      method: 'DELETE',
      path: '/api/lists',
      access: 'change',
      handle: ({ res, query, caller }) => {
        const id = query.get('id');
        const reason = query.get('reason');
        if (!id || id.length > 200) throw badRequest('Cannot remove an entry: give its "id" (from GET /api/lists)');
        if (!reason || reason.length > 200)
          throw badRequest('Cannot remove an entry: say why in "reason" (1 to 200 characters)');
        const removed = lists().remove(id, who(caller, {}), reason);
        if (removed === undefined) return problem(res, 404, 'not_found', `No active entry with id ${id.slice(0, 120)}`);
        json(res, 200, { entry: removed });
      },
    },
  ];
}

function who(caller: Caller, body: Record<string, unknown>): string {
  if (caller.kind === 'session') return caller.session.operator;
  const named = typeof body.who === 'string' && body.who.trim().length > 0 ? body.who.trim().slice(0, 80) : null;
  return named === null ? 'admin token' : `${named} (admin token)`;
}
