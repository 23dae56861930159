/**
 * How the application said a request went, read from its answer as the flow declares it: a
 * status, a redirect target, a marker in the body. This is the feedback an SDK-less product
 * has: a failed login, a created account. Failure is checked first, so an answer matching
 * both (a 200 login page that says "Invalid password") counts as the failure it is.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { FlowDocument } from '../config/schema.js';
import type { Outcome } from '../detectors/detector.js';

interface CompiledMatch {
  readonly status: ReadonlySet<number> | null;
  readonly redirectTo: string | null;
  readonly bodyContains: Buffer | null;
}

export interface OutcomeRule {
  readonly success: readonly CompiledMatch[];
  readonly failure: readonly CompiledMatch[];
  /** Whether the answer's body must be read (a `bodyContains` condition). */
  readonly needsBody: boolean;
}

/** Bytes of the answer searched for a body marker. */
export const OUTCOME_BODY_LIMIT = 65_536;

export function compileOutcome(spec: FlowDocument['outcome']): OutcomeRule | null {
  if (!spec || (!spec.success && !spec.failure)) return null;
  type Match = { status?: number[] | undefined; redirectTo?: string | undefined; bodyContains?: string | undefined };
  const compile = (m: Match | Match[] | undefined): CompiledMatch[] =>
    (m === undefined ? [] : Array.isArray(m) ? m : [m]).map((one) => ({
      status: one.status ? new Set(one.status) : null,
      redirectTo: one.redirectTo ?? null,
      bodyContains: one.bodyContains ? Buffer.from(one.bodyContains, 'utf8') : null,
    }));
  const success = compile(spec.success);
  const failure = compile(spec.failure);
  return { success, failure, needsBody: [...success, ...failure].some((m) => m.bodyContains !== null) };
}

export function classifyOutcome(
  rule: OutcomeRule,
  status: number,
  headers: IncomingHttpHeaders,
  body: Buffer | null,
): Outcome {
  for (const m of rule.failure) if (matches(m, status, headers, body)) return { status, result: 'failure' };
  for (const m of rule.success) if (matches(m, status, headers, body)) return { status, result: 'success' };
  return { status, result: 'unknown' };
}

function matches(m: CompiledMatch, status: number, headers: IncomingHttpHeaders, body: Buffer | null): boolean {
  if (m.status !== null && !m.status.has(status)) return false;
  if (m.redirectTo !== null) {
    const location = headers.location;
    if (typeof location !== 'string' || !redirectMatches(location, m.redirectTo)) return false;
  }
  if (m.bodyContains !== null && (body === null || !body.includes(m.bodyContains))) return false;
  return true;
}

/** `/account` matches `/account`, `/account?x`, `https://shop.example/account`. */
function redirectMatches(location: string, target: string): boolean {
  if (location.startsWith(target)) return true;
  if (target.startsWith('/')) {
    const schemeEnd = location.indexOf('://');
    if (schemeEnd > 0) {
      const pathStart = location.indexOf('/', schemeEnd + 3);
      return pathStart > 0 && location.startsWith(target, pathStart);
    }
  }
  return false;
}
