/**
 * How a policy problem is named and told: the path in the document (`flows[2].match.path`), what
 * was expected and how to fix it, and what was received. Loading collects every problem before it
 * throws one `PolicyError`, so a user fixes the whole file in one pass.
 *
 * Also the translation of zod's issues into problems: zod's own wording ("Invalid input") is
 * replaced by the document's terms (mapping, list, whole number), and each unknown key becomes a
 * problem of its own that lists the keys allowed there.
 */
import type { z } from 'zod';

export type PathSegment = string | number;

export interface PolicyProblem {
  /** Rendered path: keys dotted, array indices in brackets, `(root)` for the document itself. */
  readonly path: string;
  /** What was expected and how to fix it, without the received value. */
  readonly message: string;
  /** The offending value, JSON-quoted and truncated; absent when unknown or secret. */
  readonly received?: string;
  /** 1-based line in the source text, when the problem could be placed there. */
  readonly line?: number;
  readonly column?: number;
  /** The path as segments, for tools that point into the document. */
  readonly segments: readonly PathSegment[];
}

/** Stable codes: callers branch on these, never on message text. */
export const POLICY_ERROR_CODES = {
  /** The text was read but is not a valid policy; `problems` says why. */
  invalid: 'BOTGATE_POLICY_INVALID',
  /** The file could not be read at all. */
  unreadable: 'BOTGATE_POLICY_UNREADABLE',
} as const;
export type PolicyErrorCode = (typeof POLICY_ERROR_CODES)[keyof typeof POLICY_ERROR_CODES];

export const ROOT_PATH = '(root)';
/** Long values are cut: a problem names the value, it does not reproduce the document. */
const MAX_RECEIVED_CHARS = 60;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

export function formatPath(segments: readonly PathSegment[]): string {
  if (segments.length === 0) return ROOT_PATH;
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** JSON text of a value, cut to a readable length; never throws. */
export function describeValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > MAX_RECEIVED_CHARS ? `${text.slice(0, MAX_RECEIVED_CHARS - 1)}…` : text;
}

export interface ProblemDetails {
  /** The offending value; pass it only when it may be shown (never a secret). */
  readonly received?: unknown;
  readonly line?: number;
  readonly column?: number;
}

export function problemAt(
  segments: readonly PathSegment[],
  message: string,
  details: ProblemDetails = {},
): PolicyProblem {
  return {
    path: formatPath(segments),
    message,
    segments,
    ...('received' in details ? { received: describeValue(details.received) } : {}),
    ...(details.line === undefined ? {} : { line: details.line }),
    ...(details.column === undefined ? {} : { column: details.column }),
  };
}

/** `flows[2].match.path: expected a path pattern starting with "/" (received "login")` */
export function formatProblem(problem: PolicyProblem): string {
  const received = problem.received === undefined ? '' : ` (received ${problem.received})`;
  return `${problem.path}: ${problem.message}${received}`;
}

export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  readonly code: PolicyErrorCode;
  /** The file name or other label the policy came from. */
  readonly source: string;
  /** Every problem found, in document order; empty when the file could not be read. */
  readonly problems: readonly PolicyProblem[];

  /** `Cannot load policy FILE: N problems`, then one line a problem. */
  constructor(source: string, problems: readonly PolicyProblem[], unreadable?: { why: string; cause?: unknown }) {
    super(
      unreadable
        ? `Cannot read policy ${source}: ${unreadable.why}`
        : `Cannot load policy ${source}: ${describeProblems(problems)}`,
      unreadable?.cause === undefined ? undefined : { cause: unreadable.cause },
    );
    this.code = unreadable ? POLICY_ERROR_CODES.unreadable : POLICY_ERROR_CODES.invalid;
    this.source = source;
    this.problems = problems;
  }

  /** `Cannot read policy FILE: no such file`: the file is missing, unreadable or a directory. */
  static unreadable(source: string, why: string, cause?: unknown): PolicyError {
    return new PolicyError(source, [], cause === undefined ? { why } : { why, cause });
  }
}

function describeProblems(problems: readonly PolicyProblem[]): string {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  const lines = problems.map((p) => `\n  ${p.line === undefined ? '' : `line ${p.line}: `}${formatProblem(p)}`);
  return count + lines.join('');
}

// ---- zod issues → problems ----------------------------------------------------------------

/** Paths whose values are never echoed back: error messages end up in logs and terminals. */
const SECRET_PATHS = new Set(['secret', 'admin.token', 'store.url', 'challenge.captcha.secret']);
/** Lists of secrets, whose items are as secret as the list (`challenge.previousSecrets[1]`). */
const SECRET_LIST_PATHS = ['challenge.previousSecrets'];

function isSecretPath(path: string): boolean {
  return SECRET_PATHS.has(path) || SECRET_LIST_PATHS.some((list) => path === list || path.startsWith(`${list}[`));
}

/**
 * A per-parse error map: zod calls it only for issues the schema gave no message of its own,
 * so the schema's hand-written messages win and everything else reads in the document's terms.
 */
export function policyIssueMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? `required: expected ${describeType(issue.expected)}`
        : `expected ${describeType(issue.expected)}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `expected ${describeValue(issue.values[0])}`
        : `expected one of ${issue.values.map((v) => describeValue(v)).join(', ')}`;
    case 'invalid_format':
      return issue.format === 'url'
        ? 'expected an http:// or https:// URL, for example http://127.0.0.1:3000'
        : `expected a value in ${issue.format} format`;
    case 'too_small':
      return describeBound(issue.origin, 'at least', issue.minimum, issue.inclusive !== false);
    case 'too_big':
      return describeBound(issue.origin, 'at most', issue.maximum, issue.inclusive !== false);
    case 'invalid_union':
      return `expected ${unionAlternatives(issue.errors)}`;
    default:
      return undefined;
  }
}

/**
 * Every zod issue as problems; `input` is the raw document, to show the received value and to
 * place the problem. `expectedKeysAt` names the keys allowed where an unknown key was found.
 */
export function problemsFromIssues(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  expectedKeysAt: (path: readonly PathSegment[]) => readonly string[] | undefined,
): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((s): s is PathSegment => typeof s !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const expected = expectedKeysAt(path);
      const hint = expected && expected.length > 0 ? ` (expected one of: ${expected.join(', ')})` : '';
      for (const key of issue.keys) problems.push(problemAt([...path, key], `unknown key${hint}`));
      continue;
    }
    const value = valueAt(input, path);
    // A whole mapping quoted back under a rule-level message is noise, not help.
    const showValue =
      value !== undefined && !isSecretPath(formatPath(path)) && !(issue.code === 'custom' && typeof value === 'object');
    problems.push(problemAt(path, issue.message, showValue ? { received: value } : {}));
  }
  return problems;
}

export function valueAt(input: unknown, path: readonly PathSegment[]): unknown {
  let value = input;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PathSegment, unknown>)[segment];
  }
  return value;
}

function describeType(expected: string): string {
  switch (expected) {
    case 'array':
      return 'a list';
    case 'object':
      return 'a mapping of keys to values';
    case 'int':
      return 'a whole number';
    case 'boolean':
      return 'true or false';
    default:
      return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
  }
}

function describeBound(origin: string, side: string, bound: number | bigint, inclusive: boolean): string {
  if (origin === 'string') {
    return side === 'at least' && bound === 1 && inclusive
      ? 'expected a non-empty string'
      : `expected ${side} ${bound} characters`;
  }
  if (origin === 'array' || origin === 'set') return `expected ${side} ${bound} entries`;
  if (side === 'at least' && bound === 0 && !inclusive) return 'expected a number greater than 0';
  const relation = side === 'at least' ? (inclusive ? '≥' : '>') : inclusive ? '≤' : '<';
  return `expected a number ${relation} ${bound}`;
}

/** `false or a string`: the first expectation of each alternative a union tried. */
function unionAlternatives(errors: readonly (readonly z.core.$ZodIssue[])[]): string {
  const alternatives = errors.map((branch) => {
    const first = branch[0];
    if (first?.code === 'invalid_value' && first.values.length === 1) return describeValue(first.values[0]);
    if (first?.code === 'invalid_type') return describeType(first.expected);
    return 'another form';
  });
  return [...new Set(alternatives)].join(' or ');
}
