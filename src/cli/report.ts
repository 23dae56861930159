/**
 * `botgate report`: the business report for a range, as text for people or JSON for scripts,
 * read from a running gateway's admin API or straight from the events database.
 */
import { access } from 'node:fs/promises';
import { request } from 'undici';
import { applyEnvironment, defaultPolicyPath, loadPolicyFile } from '../config/load.js';
import { PostgresEventSink } from '../events/postgres-sink.js';
import { type BusinessReport, buildReport } from '../events/report.js';
import { BadRangeError, parseRange } from '../events/report-range.js';
import type { EventArchive, EventSink } from '../events/sink.js';
import { SqliteEventSink } from '../events/sqlite-sink.js';
import { parseCommand } from './parse.js';
import { formatReport } from './report-text.js';
import { UsageError } from './usage-error.js';

export const REPORT_HELP = `Usage: botgate report [--since 7d | --from DATE [--to DATE]] [--json]
                      [--admin URL [--token TOKEN] | --events PATH|postgres://… | --config FILE]
                      [--cost-per-account USD]

Prints the business report for a time range: challenges against a CAPTCHA on every login and
the reduction, attack attempts stopped by threat, accounts protected and the losses avoided,
accounts flagged as possibly taken over, and what monitor mode recorded. docs/console.md says
how each number is counted.

Where the events come from, first match wins:
  --admin URL           a running gateway's admin listener (GET /api/report); the token comes
                        from --token or BOTGATE_ADMIN_TOKEN; the gateway's own cost per account applies
  --events PATH|URL     a SQLite event file, or a postgres:// URL
  --config FILE         the policy's events section (events.postgres if set, else events.sqlite);
                        without any of these, the bundled default policy's

  --since DURATION      the range ending now: 24h, 7d, 30d… (default 7d)
  --from DATE --to DATE the range between two ISO dates or epoch milliseconds (--to defaults to now)
  --json                the report as JSON (the same document as GET /api/report)
  --cost-per-account USD  what one account taken over costs (default: the policy's report.costPerAccountUsd)
  -h, --help            this help`;

export async function reportCommand(args: readonly string[]): Promise<number> {
  const { values } = parseCommand('report', args, {
    since: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    json: { type: 'boolean', default: false },
    admin: { type: 'string' },
    token: { type: 'string' },
    events: { type: 'string' },
    config: { type: 'string' },
    'cost-per-account': { type: 'string' },
  });
  if (values.help) {
    console.log(REPORT_HELP);
    return 0;
  }
  const sources = [values.admin, values.events, values.config].filter((v) => v !== undefined);
  if (sources.length > 1)
    throw new UsageError('Cannot run "botgate report": give one of --admin, --events or --config');
  const cost = costFlag(values['cost-per-account']);
  if (values.admin !== undefined && cost !== undefined) {
    throw new UsageError(
      'Cannot use --cost-per-account with --admin: the running gateway applies its own report.costPerAccountUsd',
    );
  }
  let range: ReturnType<typeof parseRange>;
  try {
    range = parseRange({ since: values.since, from: values.from, to: values.to }, Date.now(), '7d');
  } catch (error) {
    if (error instanceof BadRangeError) throw new UsageError(error.message);
    throw error;
  }

  const report =
    values.admin !== undefined
      ? await fromAdmin(values.admin, values.token ?? process.env.BOTGATE_ADMIN_TOKEN, range)
      : await fromArchive(values.events, values.config, range, cost);
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return 0;
}

function costFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const cost = Number(value);
  if (!Number.isFinite(cost) || cost < 0)
    throw new UsageError(`Cannot use --cost-per-account: expected an amount in USD such as 3.60 (received "${value}")`);
  return cost;
}

async function fromAdmin(
  url: string,
  token: string | undefined,
  range: { from: number; to: number; since: string | null },
): Promise<BusinessReport> {
  if (!token) throw new UsageError('Cannot use --admin: give the admin token with --token or BOTGATE_ADMIN_TOKEN');
  let base: URL;
  try {
    base = new URL('/api/report', url);
  } catch {
    throw new UsageError(
      `Cannot use --admin: expected the admin listener's URL such as http://127.0.0.1:9090 (received "${url}")`,
    );
  }
  if (range.since !== null) base.searchParams.set('since', range.since);
  else {
    base.searchParams.set('from', String(range.from));
    base.searchParams.set('to', String(range.to));
  }
  let res: Awaited<ReturnType<typeof request>>;
  try {
    res = await request(base, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      headersTimeout: 60_000,
      bodyTimeout: 60_000,
    });
  } catch (error) {
    throw new Error(
      `Cannot read the report: the admin listener at ${base.origin} cannot be reached (${(error as Error).message}); is botgate running?`,
    );
  }
  const body = (await res.body.json().catch(() => null)) as (BusinessReport & { message?: string }) | null;
  if (res.statusCode === 401)
    throw new Error(
      `Cannot read the report: ${base.origin} refused the admin token; check --token or BOTGATE_ADMIN_TOKEN`,
    );
  if (res.statusCode !== 200 || body === null) {
    throw new Error(
      `Cannot read the report: ${base.origin} answered ${res.statusCode}${body?.message ? `: ${body.message}` : ''}`,
    );
  }
  return body;
}

async function fromArchive(
  events: string | undefined,
  config: string | undefined,
  range: { from: number; to: number; since: string | null },
  cost: number | undefined,
): Promise<BusinessReport> {
  const doc = applyEnvironment(await loadPolicyFile(config ?? defaultPolicyPath()), process.env);
  const where = events ?? doc.events.postgres ?? (doc.events.sqlite === false ? undefined : doc.events.sqlite);
  if (where === undefined) {
    throw new UsageError(
      'Cannot read the report: the policy keeps no event database (events.sqlite is false, no events.postgres); use --admin or --events',
    );
  }
  const archive = await openArchive(where);
  try {
    return await buildReport(archive, range, {
      costPerAccountUsd: cost ?? doc.report.costPerAccountUsd,
      now: Date.now(),
      since: range.since,
    });
  } finally {
    await archive.close();
  }
}

async function openArchive(where: string): Promise<EventArchive & EventSink> {
  if (/^postgres(ql)?:\/\//.test(where)) return PostgresEventSink.open({ url: where });
  // Opening a missing path would create an empty database and report zeros: refuse instead.
  try {
    await access(where);
  } catch {
    throw new UsageError(
      `Cannot read the report: no SQLite event file at "${where}" (see events.sqlite, or pass --events)`,
    );
  }
  return new SqliteEventSink(where);
}
