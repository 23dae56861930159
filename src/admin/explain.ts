import { reasonInWords, sourceInWords } from '../detectors/reasons.js';
import type { DecisionEvent } from '../events/event.js';

/** One decision in words: what was decided, by whom, and each finding with its meaning. */
export function explainEvent(event: DecisionEvent) {
  const applied = event.enforced ? 'applied' : 'recorded only (monitor mode)';
  return {
    event,
    explanation: {
      summary: `${event.action} (${applied}), score ${event.score}/100 — ${sourceInWords(event.decidedBy)}`,
      decidedBy: { source: event.decidedBy, words: sourceInWords(event.decidedBy) },
      findings: event.findings.map((f) => ({
        reason: f.reason,
        source: f.source,
        score: f.score,
        detail: f.detail ?? null,
        words: reasonInWords(f.reason),
      })),
    },
  };
}
