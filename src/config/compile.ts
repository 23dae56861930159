/**
 * The compiled policy: what the hot path runs. Built once from a validated PolicyDocument and
 * never changed; a reload builds a new one and swaps it whole. Routers, address lists, rule
 * tables and per-flow detector lists are made here so that evaluating a request never parses
 * or looks config up by name.
 */
import FindMyWay from 'find-my-way';
import type { Detector, FlowRef } from '../detectors/detector.js';
import { builtinDetectors } from '../detectors/registry.js';
import { AddressList } from '../policy/address-list.js';
import type { ManualLists } from '../policy/manual-lists.js';
import type { DuplicateFields } from '../signals/body-fields.js';
import { compileOutcome, type OutcomeRule } from '../signals/outcome.js';
import type { SessionSource } from '../signals/session-credential.js';
import type {
  Action,
  FieldRole,
  FlowDocument,
  FlowKind,
  Mode,
  PolicyDocument,
  RateKey,
  RuleDocument,
} from './schema.js';
import { ALL_FLOW_METHODS, FLOW_ROUTER_OPTIONS, flowMethods } from './validate.js';

export interface CompiledRateRule {
  readonly name: string;
  readonly source: string;
  readonly action: Action;
  readonly key: RateKey;
  readonly limit: number;
  readonly windowMs: number;
  /** Store key prefix, unique per rule: `rl:<rule>:`. */
  readonly keyPrefix: string;
}

export interface CompiledFindingRule {
  readonly name: string;
  readonly source: string;
  readonly action: Action;
  /** Matches when any of these reasons was found; null when the rule has no reasons. */
  readonly reasons: ReadonlySet<string> | null;
  /** Matches when the combined score reaches this; null when the rule has no score. */
  readonly score: number | null;
  /** Only for this kind of client; null for both. */
  readonly client: 'browser' | 'api' | null;
}

export interface CompiledFlow extends FlowRef {
  readonly fields: Readonly<Partial<Record<FieldRole, string>>> | null;
  /** How a declared field sent more than once is read (`bodyParser.duplicates`, default reject). */
  readonly duplicates: DuplicateFields;
  /** How the upstream's answer tells success from failure; null when the flow does not learn. */
  readonly outcome: OutcomeRule | null;
  /** Where the application puts the session it opens on success; null when not declared. */
  readonly session: SessionSource | null;
  /** Where the acting account is found (lower-case header name, or cookie name). */
  readonly account: { readonly header: string | null; readonly cookie: string | null } | null;
  readonly detectors: readonly Detector[];
  /** The detectors with a `learn` phase, for flows with outcomes. */
  readonly learners: readonly Detector[];
  /** The detectors with a `withheld` phase, for requests botgate blocked or deceived itself. */
  readonly withholders: readonly Detector[];
  readonly rateRules: readonly CompiledRateRule[];
  readonly findingRules: readonly CompiledFindingRule[];
}

export interface CompiledPolicy {
  readonly document: PolicyDocument;
  readonly mode: Mode;
  readonly flows: readonly CompiledFlow[];
  /** Names of every flow, for bounding metric labels. */
  readonly flowNames: ReadonlySet<string>;
  readonly allow: AddressList;
  readonly deny: AddressList;
  /** Operators' runtime block/allow entries, consulted before `deny` and `allow`; null when none are kept. */
  readonly manual: ManualLists | null;
  /** The flow a request belongs to; `default` (a page flow) when no route matches. */
  matchFlow(method: string, url: string, host: string | undefined): CompiledFlow;
}

export const DEFAULT_FLOW_NAME = 'default';

export interface CompileOptions {
  readonly detectors?: readonly Detector[];
  /** Runtime entries (the console's block/allow); the same instance is passed to every recompile, so entries outlive a reload. */
  readonly manualLists?: ManualLists;
}

export function compilePolicy(doc: PolicyDocument, options: CompileOptions = {}): CompiledPolicy {
  const detectors = options.detectors ?? builtinDetectors(doc);
  const rules = doc.rules;
  const buildFlow = (name: string, kind: FlowKind, flow: FlowDocument | null): CompiledFlow => {
    const ref: FlowRef = { name, kind, opensSession: flow?.session !== undefined };
    const applicable = rules.filter((r) => appliesToFlow(r, ref));
    const own = detectors.filter((d) => d.appliesTo(ref));
    return Object.freeze({
      name,
      kind,
      fields: flow?.fields ? Object.freeze({ ...flow.fields }) : null,
      duplicates: flow?.bodyParser?.duplicates ?? 'reject',
      outcome: compileOutcome(flow?.outcome),
      session: flow?.session
        ? Object.freeze({ cookie: flow.session.cookie ?? null, json: flow.session.json?.split('.') ?? null })
        : null,
      account: flow?.account
        ? Object.freeze({ header: flow.account.header?.toLowerCase() ?? null, cookie: flow.account.cookie ?? null })
        : null,
      detectors: Object.freeze(own),
      learners: Object.freeze(own.filter((d) => d.learn !== undefined)),
      withholders: Object.freeze(own.filter((d) => d.withheld !== undefined)),
      rateRules: Object.freeze(applicable.flatMap(compileRateRule)),
      findingRules: Object.freeze(applicable.flatMap(compileFindingRule)),
    });
  };

  const flows = doc.flows.map((f) => buildFlow(f.name, f.kind, f));
  const defaultFlow = buildFlow(DEFAULT_FLOW_NAME, 'page', null);

  // Matching ignores case, duplicate and trailing slashes (see FLOW_ROUTER_OPTIONS for why).
  const router = FindMyWay(FLOW_ROUTER_OPTIONS);
  const noop = (): void => {};
  doc.flows.forEach((f, i) => {
    const methods = flowMethods(f);
    const opts = f.match.host ? { constraints: { host: f.match.host.toLowerCase() } } : {};
    router.on(methods as FindMyWay.HTTPMethod[], f.match.path, opts, noop, flows[i]);
  });

  const usesHost = doc.flows.some((f) => f.match.host !== undefined);
  return Object.freeze({
    document: doc,
    mode: doc.mode,
    flows: Object.freeze([...flows, defaultFlow]),
    flowNames: new Set([...flows.map((f) => f.name), DEFAULT_FLOW_NAME]),
    allow: new AddressList(doc.lists.allow.ips, doc.lists.allow.fingerprints),
    deny: new AddressList(doc.lists.deny.ips, doc.lists.deny.fingerprints),
    manual: options.manualLists ?? null,
    matchFlow(method: string, url: string, host: string | undefined): CompiledFlow {
      // Deriving the host constraint costs a lookup per request; only pay it when a flow uses it.
      const constraints = host === undefined || !usesHost ? undefined : { host: stripPort(host) };
      const found = KNOWN_METHODS.has(method) ? router.find(method as FindMyWay.HTTPMethod, url, constraints) : null;
      return found ? (found.store as CompiledFlow) : defaultFlow;
    },
  });
}

const KNOWN_METHODS: ReadonlySet<string> = new Set(ALL_FLOW_METHODS);

function appliesToFlow(rule: RuleDocument, flow: FlowRef): boolean {
  return rule.flows === undefined || rule.flows.includes(flow.name) || rule.flows.includes(flow.kind);
}

function compileRateRule(rule: RuleDocument): CompiledRateRule[] {
  if (!rule.ratelimit) return [];
  const { key, limit, windowSeconds } = rule.ratelimit;
  return [
    Object.freeze({
      name: rule.name,
      source: `rule/${rule.name}`,
      action: rule.action,
      key,
      limit,
      windowMs: windowSeconds * 1000,
      keyPrefix: `rl:${rule.name}:`,
    }),
  ];
}

function compileFindingRule(rule: RuleDocument): CompiledFindingRule[] {
  if (!rule.when) return [];
  return [
    Object.freeze({
      name: rule.name,
      source: `rule/${rule.name}`,
      action: rule.action,
      reasons: rule.when.reasons ? new Set(rule.when.reasons) : null,
      score: rule.when.score ?? null,
      client: rule.when.client ?? null,
    }),
  ];
}

function stripPort(host: string): string {
  // `[::1]:8080` keeps its brackets; `example.com:8080` loses the port.
  const end = host.startsWith('[') ? host.indexOf(']') + 1 : host.lastIndexOf(':');
  return (end > 0 && end < host.length && host[end] === ':' ? host.slice(0, end) : host).toLowerCase();
}
