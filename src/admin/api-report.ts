/**
 * What the console charts and the business report read:
 * - `GET /api/report?since=7d` (or `from`/`to`): the business report (events/report.ts);
 * - `GET /api/sources?by=ip|prefix|fingerprint|userAgent&since=1h&limit=10&order=attacks|requests`;
 * - `GET /api/traffic?window=15m&bucket=10s[&kind=login]`: this node's live decisions per bucket;
 * - `GET /api/status`: mode, flows in attack mode, event sinks, what the archive is.
 * The report and sources need the event archive (SQLite or Postgres): without one they answer 503
 * saying how to configure it. Traffic comes from memory and always works.
 */
import { FLOW_KINDS, type FlowKind } from '../config/schema.js';
import { buildReport } from '../events/report.js';
import { parseDuration, parseRange } from '../events/report-range.js';
import { SOURCE_KEYS, type SourceKey } from '../events/sink.js';
import { badRequest, ClientError, json } from './http.js';
import type { AdminContext, Route } from './server.js';

const MAX_SOURCES = 100;
const MAX_POINTS = 720;

export function reportRoutes(admin: AdminContext): Route[] {
  const { deps } = admin;
  const archive = () => {
    if (!deps.archive) {
      throw new ClientError(
        503,
        'no_archive',
        'Cannot answer: no event database is configured; set events.sqlite (the default) or events.postgres in the policy.',
      );
    }
    return deps.archive;
  };
  return [
    {
      method: 'GET',
      path: '/api/report',
      access: 'read',
      handle: async ({ res, query }) => {
        const range = parseRange(
          { since: query.get('since'), from: query.get('from'), to: query.get('to') },
          admin.clock.now(),
          '7d',
        );
        const mode = deps.status?.().mode;
        const report = await buildReport(archive(), range, {
          costPerAccountUsd: deps.costPerAccountUsd ?? 3.6,
          now: admin.clock.now(),
          since: range.since,
          ...(mode === undefined ? {} : { mode }),
        });
        json(res, 200, report);
      },
    },
    {
      method: 'GET',
      path: '/api/sources',
      access: 'read',
      handle: async ({ res, query }) => {
        const by = query.get('by') ?? 'ip';
        if (!(SOURCE_KEYS as readonly string[]).includes(by)) {
          throw badRequest(
            `Cannot rank sources: "by" must be one of ${SOURCE_KEYS.join(', ')} (received "${by.slice(0, 40)}")`,
          );
        }
        const order = query.get('order') ?? 'attacks';
        if (order !== 'attacks' && order !== 'requests') {
          throw badRequest(
            `Cannot rank sources: "order" must be attacks or requests (received "${order.slice(0, 40)}")`,
          );
        }
        const limit = integer(query.get('limit'), 10, 1, MAX_SOURCES, 'limit');
        const range = parseRange(
          { since: query.get('since'), from: query.get('from'), to: query.get('to') },
          admin.clock.now(),
          '1h',
        );
        const sources = await archive().topSources(range, by as SourceKey, limit, order);
        const manual = deps.manualLists;
        const target = by === 'userAgent' ? null : (by as 'ip' | 'prefix' | 'fingerprint');
        json(res, 200, {
          range: { from: range.from, to: range.to, since: range.since },
          by,
          order,
          sources: sources.map((s) => ({
            ...s,
            entry: target === null || !manual ? null : entryFor(manual.entries(), target, s.value),
          })),
        });
      },
    },
    {
      method: 'GET',
      path: '/api/traffic',
      access: 'read',
      handle: ({ res, query }) => {
        const windowMs = duration(query.get('window'), '15m', 'window');
        const bucketMs = duration(query.get('bucket'), '10s', 'bucket');
        if (windowMs > admin.live.windowSeconds * 1000) {
          throw badRequest(
            `Cannot chart traffic: the live window is at most ${admin.live.windowSeconds / 60} minutes (received "${query.get('window')}")`,
          );
        }
        if (bucketMs < 1000 || windowMs / bucketMs > MAX_POINTS || bucketMs > windowMs) {
          throw badRequest(
            `Cannot chart traffic: use a bucket of at least 1s, at most the window, and at most ${MAX_POINTS} buckets per window`,
          );
        }
        const kind = query.get('kind');
        if (kind !== null && !(FLOW_KINDS as readonly string[]).includes(kind)) {
          throw badRequest(
            `Cannot chart traffic: "kind" must be one of ${FLOW_KINDS.join(', ')} (received "${kind.slice(0, 40)}")`,
          );
        }
        json(res, 200, admin.live.series(windowMs, bucketMs, (kind ?? undefined) as FlowKind | undefined));
      },
    },
    {
      method: 'GET',
      path: '/api/status',
      access: 'read',
      handle: ({ res }) => {
        const status = deps.status?.() ?? null;
        json(res, 200, {
          now: admin.clock.now(),
          mode: status?.mode ?? null,
          attackMode: status?.attackMode ?? [],
          events: status?.events ?? null,
          archive: deps.archive ? ((deps.archive as { name?: string }).name ?? 'archive') : null,
          manualEntries: deps.manualLists?.size ?? null,
          costPerAccountUsd: deps.costPerAccountUsd ?? 3.6,
        });
      },
    },
  ];
}

function entryFor(
  entries: readonly { target: string; value: string; list: string; id: string; expiresAt: number }[],
  target: string,
  value: string,
) {
  const entry = entries.find((e) => e.target === target && e.value === value);
  return entry === undefined ? null : { id: entry.id, list: entry.list, expiresAt: entry.expiresAt };
}

function integer(raw: string | null, fallback: number, min: number, max: number, name: string): number {
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw badRequest(
      `Cannot read "${name}": expected an integer from ${min} to ${max} (received "${raw.slice(0, 40)}")`,
    );
  }
  return value;
}

function duration(raw: string | null, fallback: string, name: string): number {
  const ms = parseDuration(raw ?? fallback);
  if (ms === null) {
    throw badRequest(
      `Cannot read "${name}": expected a number and a unit s, m or h, such as 15m or 10s (received "${String(raw).slice(0, 40)}")`,
    );
  }
  return ms;
}
