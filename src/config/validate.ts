/**
 * The checks zod cannot make: addresses that must parse, names that must be unique, references
 * between rules and flows, route patterns the router must accept without conflict, and the body
 * fields each kind of flow needs. Every check runs and every problem is returned, so one load
 * reports the whole list.
 *
 * The routes are tried on a throwaway router built with the same options and method expansion
 * the compile step uses (`FLOW_ROUTER_OPTIONS`, `flowMethods`), so a policy that passes here
 * cannot fail to compile.
 */
import { BlockList, isIP } from 'node:net';
import FindMyWay from 'find-my-way';
import { parseCidr } from '../signals/cidr.js';
import { type PathSegment, type PolicyProblem, problemAt } from './problems.js';
import {
  type CaptchaSettings,
  type FieldRole,
  FLOW_KINDS,
  type FlowDocument,
  type FlowKind,
  type PolicyDocument,
  type RuleDocument,
} from './schema.js';

/**
 * A document to check. A fully parsed `PolicyDocument` is one; when the schema rejected parts of
 * the file, the loader passes what did parse: a section left out was rejected as a whole, and a
 * hole in `flows` or `rules` is an entry the schema rejected. Checks skip what is missing, and
 * checks that need the complete flow list (rule references) are skipped when it has holes.
 */
type Sections = Omit<PolicyDocument, 'flows' | 'rules'>;
export type CheckablePolicy = { readonly [K in keyof Sections]?: Sections[K] | undefined } & {
  readonly flows?: readonly (FlowDocument | undefined)[] | undefined;
  readonly rules?: readonly (RuleDocument | undefined)[] | undefined;
};

/**
 * Router options shared with compile.ts. Matching ignores case, duplicate and trailing slashes:
 * over-matching a protected route is safe (a case-sensitive application answers 404 anyway), while
 * under-matching would let `/LOGIN` or `//login/` past the login protections. The cost: two flows
 * that differ only in case or a trailing slash conflict, and validation says so.
 */
export const FLOW_ROUTER_OPTIONS = {
  caseSensitive: false,
  ignoreTrailingSlash: true,
  ignoreDuplicateSlashes: true,
} as const;
/** What `*` in `match.methods` stands for, as compile.ts registers it. */
export const ALL_FLOW_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** The methods a flow is registered for, `*` expanded. */
export function flowMethods(flow: FlowDocument): readonly string[] {
  return flow.match.methods.includes('*') ? ALL_FLOW_METHODS : flow.match.methods;
}

/** Body fields each kind needs: every role of one of the alternatives. */
const REQUIRED_FIELDS: Partial<
  Record<FlowKind, { readonly anyOf: readonly (readonly FieldRole[])[]; readonly example: string }>
> = {
  login: { anyOf: [['username', 'password']], example: 'fields: { username: username, password: password }' },
  signup: { anyOf: [['email'], ['username']], example: 'fields: { email: email, username: username }' },
  comment: { anyOf: [['text']], example: 'fields: { text: text }' },
};

/** A field name or a dotted path into a JSON body: `email`, `user.email`, `user-name`. */
const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$/;
/** Reason codes are lower-case and dotted: `ua.automation`, `rate.exceeded`. */
const REASON_CODE = /^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)+$/;
/**
 * compile.ts's DEFAULT_FLOW_NAME, the page flow of requests no route matches (a test keeps the
 * two equal). Not imported: compile.ts should take FLOW_ROUTER_OPTIONS from here, not the reverse.
 */
export const RESERVED_FLOW_NAME = 'default';

export function checkPolicy(doc: CheckablePolicy): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const report = (at: readonly PathSegment[], message: string, received?: unknown): void => {
    problems.push(problemAt(at, message, received === undefined ? {} : { received }));
  };
  checkListeners(doc, report);
  if (doc.limits) checkLimits(doc.limits, report);
  if (doc.trustedProxies) checkAddresses(doc.trustedProxies, ['trustedProxies'], report);
  if (doc.lists) {
    for (const side of ['allow', 'deny'] as const) {
      checkAddresses(doc.lists[side].ips, ['lists', side, 'ips'], report);
      doc.lists[side].fingerprints.forEach((fp, i) => {
        if (fp.trim() === '')
          report(['lists', side, 'fingerprints', i], 'expected a fingerprint as shown in events, not an empty string');
      });
    }
  }
  if (doc.flows) checkFlows(doc.flows, report);
  if (doc.rules) checkRules(doc.rules, doc.flows, report);
  if (doc.challenge) checkCaptcha(doc.challenge.captcha, report);
  return problems;
}

/**
 * An enabled CAPTCHA needs its site key in the file. Its secret may come from the environment
 * instead, so that one is checked once the environment is applied (`captchaSecretProblems`).
 */
function checkCaptcha(captcha: CaptchaSettings, report: Report): void {
  if (!captcha.enabled) return;
  const at = ['challenge', 'captcha'];
  if (captcha.siteKey === undefined) {
    report(
      [...at, 'siteKey'],
      `required when challenge.captcha.enabled is true: the ${captcha.provider} site key the widget is rendered with`,
    );
  }
  if (captcha.action !== undefined && captcha.provider !== 'turnstile') {
    report(
      [...at, 'action'],
      `only Turnstile checks an action; remove it for provider ${captcha.provider}`,
      captcha.action,
    );
  }
}

/** An enabled CAPTCHA without a secret, once the environment had its say (BOTGATE_CAPTCHA_SECRET). */
export function captchaSecretProblems(doc: Pick<PolicyDocument, 'challenge'>): PolicyProblem[] {
  const { captcha } = doc.challenge;
  if (!captcha.enabled || captcha.secret !== undefined) return [];
  return [
    problemAt(
      ['challenge', 'captcha', 'secret'],
      `required when challenge.captcha.enabled is true: set BOTGATE_CAPTCHA_SECRET (preferred) or challenge.captcha.secret to the ${captcha.provider} secret key`,
    ),
  ];
}

type Report = (at: readonly PathSegment[], message: string, received?: unknown) => void;

function checkListeners(doc: CheckablePolicy, report: Report): void {
  const gateway = doc.listen === undefined ? undefined : splitHostPort(doc.listen);
  const admin = doc.admin === undefined ? undefined : splitHostPort(doc.admin.listen);
  if (gateway && admin && gateway.port !== 0 && gateway.port === admin.port && sameAddress(gateway.host, admin.host)) {
    report(
      ['admin', 'listen'],
      `the admin listener needs its own port; "listen" is already ${doc.listen} (pick another port, or port 0 for both in tests)`,
      doc.admin?.listen,
    );
  }
  if (gateway && doc.upstream && gateway.port !== 0) {
    const upstream = new URL(doc.upstream.url);
    const port = Number(upstream.port || (upstream.protocol === 'https:' ? 443 : 80));
    if (port === gateway.port && sameAddress(gateway.host, upstream.hostname)) {
      report(
        ['upstream', 'url'],
        `points at botgate's own listener (${doc.listen}); set it to the application's address`,
        doc.upstream.url,
      );
    }
  }
}

function checkLimits(limits: NonNullable<CheckablePolicy['limits']>, report: Report): void {
  // The parser answers 431 for a head over maxHeaderBytes before botgate sees the URL, so a
  // larger URL limit would never apply.
  if (limits.maxUrlBytes > limits.maxHeaderBytes) {
    report(
      ['limits', 'maxUrlBytes'],
      `cannot exceed limits.maxHeaderBytes (${limits.maxHeaderBytes}), which bounds the request line too; lower it or raise maxHeaderBytes`,
      limits.maxUrlBytes,
    );
  }
}

function splitHostPort(hostPort: string): { host: string; port: number } {
  const colon = hostPort.lastIndexOf(':');
  return { host: bareHost(hostPort.slice(0, colon)), port: Number(hostPort.slice(colon + 1)) };
}

const ANY_ADDRESS = new Set(['0.0.0.0', '::']);
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1']);

/**
 * Whether a listener bound on `bound` also receives what is sent or bound to `other`: the same
 * host, a wildcard bind and a local address, or two names of loopback. Errs towards "no" for
 * other hosts, since a machine's own public addresses are not known here.
 */
function sameAddress(bound: string, other: string): boolean {
  const a = bareHost(bound);
  const b = bareHost(other);
  if (a === b) return true;
  const local = (h: string): boolean => ANY_ADDRESS.has(h) || LOOPBACK_NAMES.has(h);
  return (
    (ANY_ADDRESS.has(a) && local(b)) ||
    (ANY_ADDRESS.has(b) && local(a)) ||
    (LOOPBACK_NAMES.has(a) && LOOPBACK_NAMES.has(b))
  );
}

function bareHost(host: string): string {
  return (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host).toLowerCase();
}

function checkAddresses(entries: readonly string[], at: readonly PathSegment[], report: Report): void {
  entries.forEach((entry, i) => {
    const why = addressProblem(entry);
    if (why) report([...at, i], why, entry);
  });
}

/**
 * Why an entry is not an address or CIDR, or null. Both compilers must take it: trusted proxies
 * compile with signals/cidr.ts, allow and deny lists with node:net BlockList, and an entry one
 * of them refuses would fail at compile instead of here.
 */
export function addressProblem(entry: string): string | null {
  const example = 'for example 10.0.0.0/8, 203.0.113.7 or 2001:db8::/32';
  const parsed = parseCidr(entry);
  if (!parsed.ok) return `${parsed.reason}; ${example}`;
  if (entry !== entry.trim()) return 'expected no spaces around the address';
  const slash = entry.indexOf('/');
  const address = slash === -1 ? entry : entry.slice(0, slash);
  const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  try {
    const list = new BlockList();
    if (slash === -1) list.addAddress(address, type);
    else list.addSubnet(address, Number(entry.slice(slash + 1)), type);
    return null;
  } catch (error) {
    return `node:net cannot use this entry (${(error as Error).message}); ${example}`;
  }
}

function checkFlows(flows: readonly (FlowDocument | undefined)[], report: Report): void {
  const firstByName = new Map<string, number>();
  const kinds: readonly string[] = FLOW_KINDS;
  flows.forEach((flow, i) => {
    if (!flow) return;
    const seen = firstByName.get(flow.name);
    if (seen !== undefined) {
      report(
        ['flows', i, 'name'],
        `another flow is already named "${flow.name}" (flows[${seen}]); give each flow its own name`,
      );
    } else {
      firstByName.set(flow.name, i);
    }
    if (flow.name === RESERVED_FLOW_NAME) {
      report(
        ['flows', i, 'name'],
        `"${RESERVED_FLOW_NAME}" is reserved for requests no flow matches; choose another name`,
      );
    } else if (kinds.includes(flow.name) && flow.name !== flow.kind) {
      report(
        ['flows', i, 'name'],
        `"${flow.name}" is a flow kind, so rules naming it would also mean every ${flow.name} flow; rename this ${flow.kind} flow`,
      );
    }
    checkFields(flow, i, report);
    checkSession(flow, i, report);
  });
  checkRoutes(flows, report);
}

function checkFields(flow: FlowDocument, index: number, report: Report): void {
  const fields = flow.fields ?? {};
  for (const [role, path] of Object.entries(fields)) {
    if (!FIELD_PATH.test(path)) {
      report(
        ['flows', index, 'fields', role],
        'expected a body field name or a dotted path into a JSON body, for example password or user.email',
        path,
      );
    }
  }
  const need = REQUIRED_FIELDS[flow.kind];
  if (!need) return;
  const has = (role: FieldRole): boolean => fields[role] !== undefined;
  if (need.anyOf.some((roles) => roles.every(has))) return;
  // Point at the first missing role of the closest alternative, so the fix is one key away.
  const missing = need.anyOf.flatMap((roles) => roles.filter((r) => !has(r)))[0] as FieldRole;
  const wanted = need.anyOf.map((roles) => roles.map((r) => `fields.${r}`).join(' and ')).join(' or ');
  report(
    flow.fields === undefined ? ['flows', index, 'fields'] : ['flows', index, 'fields', missing],
    `a ${flow.kind} flow needs ${wanted} to know which body fields to read, for example ${need.example}`,
  );
}

/** A session is bound to the account on success, so the flow must say what success looks like. */
function checkSession(flow: FlowDocument, index: number, report: Report): void {
  if (flow.session === undefined) return;
  if (flow.session.json !== undefined && !FIELD_PATH.test(flow.session.json)) {
    report(
      ['flows', index, 'session', 'json'],
      'expected a JSON field name or a dotted path into the answer, for example token or data.accessToken',
      flow.session.json,
    );
  }
  if (flow.outcome?.success === undefined) {
    report(
      ['flows', index, 'session'],
      'a session is bound to the account when the flow succeeds: add outcome.success, for example outcome: { success: { status: [200] } }',
    );
  }
}

/**
 * Each pattern is tried alone (syntax), then on one shared router per method (conflicts):
 * find-my-way refuses a second route with the same method, path shape and host.
 */
function checkRoutes(flows: readonly (FlowDocument | undefined)[], report: Report): void {
  const shared = FindMyWay(FLOW_ROUTER_OPTIONS);
  flows.forEach((flow, i) => {
    if (!flow) return;
    const at = ['flows', i, 'match', 'path'];
    const { path } = flow.match;
    if (/[?#\s]/.test(path)) {
      report(at, 'expected a path pattern without query string, fragment or spaces, for example /api/login', path);
      return;
    }
    if (path.includes('*') && path.indexOf('*') !== path.length - 1) {
      report(at, 'a "*" wildcard may only end the pattern, for example /static/*', path);
      return;
    }
    const syntax = routeError(FindMyWay(FLOW_ROUTER_OPTIONS), flow, 'GET');
    if (syntax) {
      report(at, `the router cannot use this pattern: ${syntax}`, path);
      return;
    }
    flow.match.methods.forEach((method, m) => {
      if (flow.match.methods.indexOf(method) !== m) {
        report(['flows', i, 'match', 'methods', m], `"${method}" is listed twice; list each method once`);
      }
    });
    const clashes = new Map<number, string[]>();
    for (const method of new Set(flowMethods(flow))) {
      if (routeError(shared, flow, method) === null) continue;
      const other = flows.findIndex((earlier, j) => j < i && earlier !== undefined && conflicts(earlier, flow, method));
      clashes.set(other, [...(clashes.get(other) ?? []), method]);
    }
    for (const [other, methods] of clashes) {
      const host = flow.match.host ? ` on host ${flow.match.host}` : '';
      const whom = other === -1 ? 'an earlier flow' : `flows[${other}] ("${flows[other]?.name}")`;
      report(
        ['flows', i, 'match'],
        `matches the same requests as ${whom}: ${methods.join(', ')} ${path}${host}; give one of them a different method, path or host`,
      );
    }
  });
}

function conflicts(earlier: FlowDocument, later: FlowDocument, method: string): boolean {
  if (!flowMethods(earlier).includes(method)) return false;
  const router = FindMyWay(FLOW_ROUTER_OPTIONS);
  return routeError(router, earlier, method) === null && routeError(router, later, method) !== null;
}

/** Registers one method of a flow; the router's complaint, or null when it accepted the route. */
function routeError(
  router: FindMyWay.Instance<FindMyWay.HTTPVersion.V1>,
  flow: FlowDocument,
  method: string,
): string | null {
  const options = flow.match.host ? { constraints: { host: flow.match.host.toLowerCase() } } : {};
  try {
    router.on(method as FindMyWay.HTTPMethod, flow.match.path, options, () => {});
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function checkRules(
  rules: readonly (RuleDocument | undefined)[],
  flows: readonly (FlowDocument | undefined)[] | undefined,
  report: Report,
): void {
  const firstByName = new Map<string, number>();
  // A rule may name any flow or kind there is; the default flow (a page) always exists.
  const complete = flows?.every((f) => f !== undefined) ?? false;
  const declared = (flows ?? []).filter((f): f is FlowDocument => f !== undefined);
  const targets = new Set<string>([RESERVED_FLOW_NAME, 'page', ...declared.flatMap((f) => [f.name, f.kind])]);
  rules.forEach((rule, i) => {
    if (!rule) return;
    const seen = firstByName.get(rule.name);
    if (seen !== undefined) {
      report(
        ['rules', i, 'name'],
        `another rule is already named "${rule.name}" (rules[${seen}]); names must be unique, they appear as rule/<name> in events`,
      );
    } else {
      firstByName.set(rule.name, i);
    }
    if (complete) {
      rule.flows?.forEach((target, j) => {
        if (targets.has(target)) return;
        const names = declared.map((f) => f.name).join(', ') || 'none';
        report(
          ['rules', i, 'flows', j],
          `expected the name or kind of a flow (flows: ${names}; kinds: ${FLOW_KINDS.join(', ')})`,
          target,
        );
      });
    }
    rule.when?.reasons?.forEach((reason, j) => {
      if (!REASON_CODE.test(reason)) {
        report(['rules', i, 'when', 'reasons', j], 'expected a dotted reason code, for example ua.automation', reason);
      }
    });
    const key = rule.ratelimit?.key;
    if (complete && (key === 'username' || key === 'email')) {
      const applies = declared.filter(
        (f) => rule.flows === undefined || rule.flows.includes(f.name) || rule.flows.includes(f.kind),
      );
      if (!applies.some((f) => f.fields?.[key] !== undefined)) {
        report(
          ['rules', i, 'ratelimit', 'key'],
          `counts by ${key}, but none of the flows it applies to declares fields.${key}, so it would never count; add the field or count by ip`,
        );
      }
    }
  });
}
