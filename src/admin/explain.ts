import { reasonInWords, sourceInWords } from '../detectors/reasons.js';
import type { DecisionEvent } from '../events/event.js';
import { classifyThreat, THREAT_WORDS } from '../events/threat.js';

/**
 * One decision in words: what was decided, by whom, whether it was applied, what the request
 * looked like (its signals) and each finding with its score and meaning. The raw event is
 * returned alongside, so the console can show both.
 */
export function explainEvent(event: DecisionEvent) {
  const applied = event.enforced ? 'applied' : 'recorded only (monitor mode)';
  const verdict = classifyThreat(event.findings, event.flowKind);
  return {
    event,
    explanation: {
      summary: `${event.action} (${applied}), score ${event.score}/100 — ${decidedByInWords(event.decidedBy)}`,
      action: event.action,
      enforced: event.enforced,
      decidedBy: { source: event.decidedBy, words: decidedByInWords(event.decidedBy) },
      threat:
        verdict.threat === null
          ? null
          : { name: verdict.threat, words: THREAT_WORDS[verdict.threat], attack: verdict.attack },
      signals: {
        ip: event.ip,
        prefix: event.prefix,
        fingerprint: event.fingerprint,
        userAgent: { class: event.userAgentClass, family: event.userAgentFamily },
        usernameHash: event.usernameHash,
      },
      request: { method: event.method, path: event.path, host: event.host, flow: event.flow, flowKind: event.flowKind },
      response: {
        status: event.status,
        upstreamStatus: event.upstreamStatus,
        upstreamMs: event.upstreamMs,
        outcome: event.outcome,
        decisionMicros: event.decisionMicros,
      },
      findings: event.findings.map((f) => ({
        reason: f.reason,
        source: f.source,
        score: f.score,
        detail: f.detail ?? null,
        words: REASONS_HERE[f.reason] ?? reasonInWords(f.reason),
      })),
    },
  };
}

/** Sources and reasons this folder adds (operators' runtime entries), until detectors/reasons.ts lists them. */
const SOURCES_HERE: Readonly<Record<string, string>> = {
  'list/manual-block': 'An operator blocked this source from the console or the admin API.',
  'list/manual-allow': 'An operator allowed this source from the console or the admin API; detection was skipped.',
};
const REASONS_HERE: Readonly<Record<string, string>> = {
  'list.manual-block': 'The source is on an operator’s runtime block list.',
  'list.manual-allow': 'The source is on an operator’s runtime allow list.',
};

function decidedByInWords(source: string): string {
  return SOURCES_HERE[source] ?? sourceInWords(source);
}
