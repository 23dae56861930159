/**
 * One request's judgement: lists, then every applicable detector's plan and every rate rule's
 * counter in ONE store batch, then the detectors' judgements, then the policy's decision.
 */
import type { CompiledFlow, CompiledPolicy, CompiledRateRule } from '../config/compile.js';
import type { DetectorInput, Finding } from '../detectors/detector.js';
import { type Decision, decide } from '../policy/decide.js';
import { severity } from '../policy/severity.js';
import { DEGRADED_SOURCE, failsClosed } from '../state/degraded-mode.js';
import type { Store, StoreOp, StoreValue } from '../state/store.js';

const NO_FINDINGS: readonly Finding[] = [];

export async function evaluate(
  policy: CompiledPolicy,
  flow: CompiledFlow,
  input: DetectorInput,
  store: Store,
): Promise<Decision> {
  const enforced = policy.mode === 'enforce';
  const { ip, fingerprint } = input.signals;
  // Operators' runtime entries (console, admin API) first: the newest, most explicit word.
  const manual = policy.manual?.decision(ip, fingerprint, input.signals.prefix, enforced) ?? null;
  if (manual !== null) return manual;
  const denied = policy.deny.match(ip, fingerprint);
  if (denied !== null) {
    return listDecision('block', 'list/deny', `${denied} on the deny list`, 100, enforced);
  }
  if (policy.allow.match(ip, fingerprint) !== null) {
    return {
      action: 'allow',
      decidedBy: 'list/allow',
      score: 0,
      findings: NO_FINDINGS,
      enforced,
      retryAfterSeconds: null,
    };
  }

  const detectors = flow.detectors;
  const rateRules = flow.rateRules;
  let ops: StoreOp[] | null = null;
  // offsets[i] is where detector i's operations start in the batch; the rate rules follow them.
  const offsets = new Array<number>(detectors.length + 1);
  for (let i = 0; i < detectors.length; i++) {
    offsets[i] = ops === null ? 0 : ops.length;
    const planned = detectors[i]!.plan(input);
    if (planned.length > 0) {
      ops ??= [];
      ops.push(...planned);
    }
  }
  const rateStart = ops === null ? 0 : ops.length;
  offsets[detectors.length] = rateStart;
  const rateKeys = new Array<string | null>(rateRules.length);
  for (let i = 0; i < rateRules.length; i++) {
    const rule = rateRules[i]!;
    const value = rateKeyValue(rule, input);
    rateKeys[i] = value;
    if (value !== null) {
      ops ??= [];
      ops.push({ kind: 'hit', key: rule.keyPrefix + value, windowMs: rule.windowMs });
    }
  }

  const results: readonly StoreValue[] = ops === null ? [] : await store.exec(ops);

  let findings: Finding[] | null = null;
  for (let i = 0; i < detectors.length; i++) {
    const start = offsets[i]!;
    const end = offsets[i + 1]!;
    const found = detectors[i]!.judge(input, start === end ? [] : results.slice(start, end));
    if (found.length > 0) {
      findings ??= [];
      findings.push(...found);
    }
  }

  const rateCounts = new Array<number>(rateRules.length);
  let next = rateStart;
  for (let i = 0; i < rateRules.length; i++) {
    rateCounts[i] = rateKeys[i] === null ? 0 : (results[next++] as number);
  }
  const decision = decide(flow, findings ?? NO_FINDINGS, rateCounts, policy.mode, input.client);
  return failsClosed(store) ? challengeWhileDegraded(decision, flow, store) : decision;
}

function rateKeyValue(rule: CompiledRateRule, input: DetectorInput): string | null {
  switch (rule.key) {
    case 'client':
      return input.device === null ? `ip:${input.signals.ip}` : `dev:${input.device.id}`;
    case 'ip':
      return input.signals.ip;
    case 'prefix':
      return input.signals.prefix;
    case 'fingerprint':
      return input.signals.fingerprint;
    case 'username':
      return input.fields?.usernameHash ?? null;
    case 'email':
      return input.fields?.email ?? null;
    case 'device':
      return input.device?.id ?? null;
    case 'flow':
      return input.flow.name;
  }
}

function listDecision(action: 'block', decidedBy: string, detail: string, score: number, enforced: boolean): Decision {
  return {
    action,
    decidedBy,
    score,
    findings: [{ source: decidedBy, reason: 'list.deny', score, detail }],
    enforced,
    retryAfterSeconds: null,
  };
}

// ---- failMode: closed (state/degraded-mode.ts) ------------------------------------------------

/** Flows whose abuse a blind store would let through: challenged while a fail-closed store is degraded. */
const PROTECTED_WHEN_DEGRADED: ReadonlySet<string> = new Set(['login', 'signup', 'comment']);
const CHALLENGE = severity('challenge');
const DEGRADED_FINDING: Finding = {
  source: DEGRADED_SOURCE,
  reason: 'store.degraded',
  score: 0,
  detail: 'the shared store is unreachable and failMode is closed: login, signup and comment requests are challenged',
};

/**
 * A request on a protected flow decided while the store is degraded is at least challenged,
 * decided by `store/degraded` (a block or deception found anyway stands). Other flows keep the
 * decision made on the local answers.
 */
function challengeWhileDegraded(decision: Decision, flow: CompiledFlow, store: Store): Decision {
  if (!PROTECTED_WHEN_DEGRADED.has(flow.kind) || !store.health().degraded) return decision;
  if (severity(decision.action) >= CHALLENGE) return decision;
  return {
    ...decision,
    action: 'challenge',
    decidedBy: DEGRADED_SOURCE,
    findings: [...decision.findings, DEGRADED_FINDING],
    retryAfterSeconds: null,
  };
}
