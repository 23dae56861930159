/**
 * Findings → one decision. Every rule of the flow that matches proposes its action; the most
 * severe proposal wins and names the decision's source (`rule/<name>`). With no proposal the
 * request is allowed by `default/allow`. Lists are decided before any of this (see engine).
 *
 * In monitor mode the decision is computed exactly the same way and recorded with
 * `enforced: false`; the gateway forwards the request with the decision in its tag headers.
 */
import type { CompiledFlow } from '../config/compile.js';
import type { Action, Mode } from '../config/schema.js';
import { combinedScore } from '../detectors/combined-score.js';
import type { ClientKind, Finding } from '../detectors/detector.js';
import { severity } from './severity.js';

export interface Decision {
  readonly action: Action;
  readonly decidedBy: string;
  readonly score: number;
  readonly findings: readonly Finding[];
  readonly enforced: boolean;
  /** For `ratelimit`: seconds until the window that tripped has room again. */
  readonly retryAfterSeconds: number | null;
}

/** Score of a rate-limit finding: excess volume is evidence, not proof (shared NAT, busy office). */
const RATE_EXCEEDED_SCORE = 50;

export function decide(
  flow: CompiledFlow,
  detectorFindings: readonly Finding[],
  rateCounts: readonly number[],
  mode: Mode,
  client: ClientKind,
): Decision {
  let findings = detectorFindings;
  let action: Action = 'allow';
  let decidedBy = 'default/allow';
  let retryAfterSeconds: number | null = null;

  const rateRules = flow.rateRules;
  for (let i = 0; i < rateRules.length; i++) {
    const rule = rateRules[i]!;
    const count = rateCounts[i] ?? 0;
    if (count <= rule.limit) continue;
    if (findings === detectorFindings) findings = [...detectorFindings];
    (findings as Finding[]).push({
      source: rule.source,
      reason: 'rate.exceeded',
      score: RATE_EXCEEDED_SCORE,
      detail: `${count} requests by ${rule.key} within ${rule.windowMs / 1000} s (limit ${rule.limit})`,
    });
    if (severity(rule.action) > severity(action)) {
      action = rule.action;
      decidedBy = rule.source;
      retryAfterSeconds = Math.ceil(rule.windowMs / 1000);
    }
  }

  const score = combinedScore(findings);
  if (findings.length > 0) {
    for (const rule of flow.findingRules) {
      if (severity(rule.action) <= severity(action)) continue;
      if (rule.client !== null && rule.client !== client) continue;
      if (matchesFindingRule(rule.reasons, rule.score, findings, score)) {
        action = rule.action;
        decidedBy = rule.source;
        retryAfterSeconds = null;
      }
    }
  }

  return {
    action,
    decidedBy,
    score,
    findings,
    enforced: mode === 'enforce',
    retryAfterSeconds: action === 'ratelimit' ? (retryAfterSeconds ?? 60) : null,
  };
}

function matchesFindingRule(
  reasons: ReadonlySet<string> | null,
  minScore: number | null,
  findings: readonly Finding[],
  score: number,
): boolean {
  if (minScore !== null && score >= minScore) return true;
  if (reasons === null) return false;
  for (const f of findings) if (reasons.has(f.reason)) return true;
  return false;
}
