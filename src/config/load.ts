/**
 * Loading a policy: read the file, parse the YAML, check it against the schema, then run the
 * checks the schema cannot make. Every problem of every stage that could run is collected and
 * thrown at once as a PolicyError, each placed on its line; nothing half-valid is ever returned.
 * The result is deeply frozen: a reload builds a new document, it never edits this one.
 *
 * Environment overrides (`applyEnvironment`) are a separate step so that `botgate check` can
 * validate a file on its own, and so that secrets given in the environment never reach the file.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Document, isMap, isNode, isSeq, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import {
  type PathSegment,
  PolicyError,
  type PolicyProblem,
  policyIssueMessage,
  problemAt,
  problemsFromIssues,
} from './problems.js';
import { type PolicyDocument, policySchema } from './schema.js';
import { type CheckablePolicy, captchaSecretProblems, checkPolicy } from './validate.js';

/**
 * The annotated example at the package root, which `run` uses without `--config`. Resolved
 * from this module's URL, so it is found wherever the package is installed.
 */
export function defaultPolicyPath(): string {
  return fileURLToPath(new URL('../../botgate.example.yaml', import.meta.url));
}

/** Reads and checks a policy file; throws a PolicyError (`BOTGATE_POLICY_UNREADABLE` or `…_INVALID`). */
export async function loadPolicyFile(path: string): Promise<PolicyDocument> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw PolicyError.unreadable(path, describeReadFailure(error), error);
  }
  return parsePolicyText(text, path);
}

/** Checks policy text; `sourceName` labels the error (a file name, `--config -`, a test). */
export function parsePolicyText(text: string, sourceName: string): PolicyDocument {
  const lines = new LineCounter();
  // logLevel 'silent': YAML's warnings become problems below instead of process warnings.
  const yaml = parseDocument(text, { lineCounter: lines, prettyErrors: true, logLevel: 'silent' });
  const syntax = [...yaml.errors, ...yaml.warnings].map((e) => {
    const position = e.linePos?.[0];
    const message = `invalid YAML: ${(e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`;
    return problemAt([], message, position ? { line: position.line, column: position.col } : {});
  });
  if (syntax.length > 0) throw new PolicyError(sourceName, syntax);

  let raw: unknown;
  try {
    raw = yaml.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (error) {
    // Unresolved aliases and alias bombs surface only when the document is built.
    const problem = problemAt([], `invalid YAML: ${(error as Error).message}`);
    throw new PolicyError(sourceName, inDocumentOrder([problem], yaml, lines));
  }
  return checkedPolicy(raw, sourceName, (problems) => inDocumentOrder(problems, yaml, lines));
}

/**
 * A policy that arrives as a value already parsed (another node's, as JSON): the same checks as a
 * file, without YAML (several times faster), problems in the order found. Throws a PolicyError.
 */
export function parsePolicyValue(raw: unknown, sourceName: string): PolicyDocument {
  return checkedPolicy(raw, sourceName, (problems) => problems);
}

function checkedPolicy(
  raw: unknown,
  sourceName: string,
  order: (problems: readonly PolicyProblem[]) => readonly PolicyProblem[],
): PolicyDocument {
  const fail = (problems: readonly PolicyProblem[]): never => {
    throw new PolicyError(sourceName, order(problems));
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    const message =
      'expected a mapping of policy keys, for example "mode: monitor" (an empty file means every default)';
    return fail([problemAt([], message, { received: raw })]);
  }

  const parsed = policySchema.safeParse(raw, { error: policyIssueMessage });
  if (!parsed.success) {
    const salvaged = salvage(raw as Record<string, unknown>);
    return fail([...problemsFromIssues(parsed.error.issues, raw, expectedKeysAt), ...checkPolicy(salvaged)]);
  }
  const problems = checkPolicy(parsed.data);
  if (problems.length > 0) return fail(problems);
  return deepFreeze(parsed.data);
}

/**
 * BOTGATE_ADMIN_TOKEN → admin.token, BOTGATE_SECRET → secret and BOTGATE_CAPTCHA_SECRET →
 * challenge.captcha.secret, over whatever the file says. An enabled CAPTCHA left without a secret
 * is refused here, since the file alone may rightly leave it to the environment.
 * An empty variable counts as unset (`BOTGATE_SECRET= botgate run` does not wipe the secret).
 * Returns a new frozen document; a value that is too short throws a PolicyError that names the
 * variable but never echoes the value.
 */
export function applyEnvironment(
  doc: PolicyDocument,
  env: Readonly<Record<string, string | undefined>>,
): PolicyDocument {
  const token = env.BOTGATE_ADMIN_TOKEN || undefined;
  const secret = env.BOTGATE_SECRET || undefined;
  const captchaSecret = env.BOTGATE_CAPTCHA_SECRET || undefined;
  const problems: PolicyProblem[] = [];
  const check = (variable: string, value: string | undefined, schema: z.ZodType): void => {
    const result = value === undefined ? undefined : schema.safeParse(value, { error: policyIssueMessage });
    if (result && !result.success) {
      for (const issue of result.error.issues) problems.push(problemAt([variable], issue.message));
    }
  };
  check('BOTGATE_ADMIN_TOKEN', token, policySchema.shape.admin.unwrap().shape.token);
  check('BOTGATE_SECRET', secret, policySchema.shape.secret);
  check('BOTGATE_CAPTCHA_SECRET', captchaSecret, captchaSchema().shape.secret);
  if (problems.length > 0) throw new PolicyError('from the environment', problems);
  const captcha = { ...doc.challenge.captcha, ...(captchaSecret === undefined ? {} : { secret: captchaSecret }) };
  const applied: PolicyDocument = {
    ...doc,
    admin: { ...doc.admin, ...(token === undefined ? {} : { token }) },
    ...(secret === undefined ? {} : { secret }),
    challenge: { ...doc.challenge, captcha },
  };
  const missing = captchaSecretProblems(applied);
  if (missing.length > 0) throw new PolicyError('with the environment', missing);
  return deepFreeze(applied);
}

function captchaSchema() {
  return policySchema.shape.challenge.unwrap().shape.captcha.unwrap();
}

/** Freezes a value and everything reachable from it; returns the same value. */
export function deepFreeze<T>(value: T): T {
  const seen = new WeakSet<object>();
  const visit = (v: unknown): void => {
    if (typeof v !== 'object' || v === null || seen.has(v)) return;
    seen.add(v);
    for (const key of Reflect.ownKeys(v)) visit((v as Record<PropertyKey, unknown>)[key]);
    Object.freeze(v);
  };
  visit(value);
  return value;
}

function describeReadFailure(error: unknown): string {
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory; expected a YAML file';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

/**
 * What of a rejected document did parse, so the semantic checks can still run on it: each
 * top-level section on its own, and each flow and rule on its own (a rejected one is a hole,
 * keeping the indices of the others).
 */
function salvage(raw: Record<string, unknown>): CheckablePolicy {
  const shape = policySchema.shape;
  const section = <K extends keyof typeof shape>(key: K): z.output<(typeof shape)[K]> | undefined => {
    const result = shape[key].safeParse(raw[key]);
    return result.success ? (result.data as z.output<(typeof shape)[K]>) : undefined;
  };
  const entries = <T>(key: 'flows' | 'rules', element: z.ZodType<T>): (T | undefined)[] | undefined => {
    const list = raw[key];
    return Array.isArray(list) ? list.map((item) => element.safeParse(item).data) : undefined;
  };
  return {
    mode: section('mode'),
    listen: section('listen'),
    upstream: section('upstream'),
    admin: section('admin'),
    secret: section('secret'),
    trustedProxies: section('trustedProxies'),
    limits: section('limits'),
    store: section('store'),
    events: section('events'),
    lists: section('lists'),
    challenge: section('challenge'),
    flows: section('flows') ?? entries('flows', shape.flows.unwrap().element),
    rules: section('rules') ?? entries('rules', shape.rules.unwrap().element),
  };
}

/** The keys allowed in the mapping at `path`, read from the schema, for "unknown key" problems. */
function expectedKeysAt(path: readonly PathSegment[]): readonly string[] | undefined {
  let schema: z.core.$ZodType | undefined = policySchema;
  let step = 0;
  while (schema) {
    if (
      schema instanceof z.ZodDefault ||
      schema instanceof z.ZodPrefault ||
      schema instanceof z.ZodOptional ||
      schema instanceof z.ZodNullable
    ) {
      schema = schema.unwrap();
      continue;
    }
    const segment = path[step++];
    if (segment === undefined) {
      if (schema instanceof z.ZodObject) return Object.keys(schema.shape);
      if (schema instanceof z.ZodRecord) return [...(schema.keyType._zod.values ?? [])].map(String);
      return undefined;
    }
    if (schema instanceof z.ZodObject && typeof segment === 'string') schema = schema.shape[segment];
    else if (schema instanceof z.ZodArray && typeof segment === 'number') schema = schema.element;
    else if (schema instanceof z.ZodRecord) schema = schema.valueType;
    else return undefined;
  }
  return undefined;
}

/** Places each problem on its line (the key's line, or its nearest existing ancestor's) and sorts. */
function inDocumentOrder(problems: readonly PolicyProblem[], yaml: Document, lines: LineCounter): PolicyProblem[] {
  const seen = new Set<string>();
  const placed: PolicyProblem[] = [];
  for (const problem of problems) {
    const key = `${problem.path}\n${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const offset = offsetOf(yaml, problem.segments);
    if (offset === undefined || problem.line !== undefined) {
      placed.push(problem);
      continue;
    }
    const { line, col } = lines.linePos(offset);
    placed.push({ ...problem, line, column: col });
  }
  // Array.prototype.sort is stable: problems on one line keep the order they were found in.
  return placed.sort((a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER));
}

function offsetOf(yaml: Document, segments: readonly PathSegment[]): number | undefined {
  let node: unknown = yaml.contents;
  let offset = startOf(node);
  for (const segment of segments) {
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => String(isNode(p.key) ? (p.key as { value?: unknown }).value : p.key) === String(segment),
      );
      if (!pair) break;
      offset = startOf(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      if (node === undefined) break;
      offset = startOf(node) ?? offset;
    } else {
      break;
    }
  }
  return offset;
}

function startOf(node: unknown): number | undefined {
  return isNode(node) && node.range ? node.range[0] : undefined;
}
