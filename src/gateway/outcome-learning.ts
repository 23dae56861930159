/**
 * What happens once the application has answered a request of a flow with outcomes: every
 * detector learns (one coalesced store write), a real login failure refreshes the deceive
 * template, and a login success with attack evidence becomes a suspected takeover: an
 * `ato.suspected` event, the device flagged so later requests carry `x-botgate-ato`, and the
 * optional webhook.
 */

import type { DeceptionTemplates } from '../actions/deceive.js';
import type { TakeoverSettings } from '../config/schema.js';
import { isSuspectedTakeover } from '../detectors/account-takeover.js';
import type { Detector, Outcome } from '../detectors/detector.js';
import { loginKeys } from '../detectors/login-keys.js';
import type { DecisionEvent } from '../events/event.js';
import type { Webhook } from '../events/webhook.js';
import type { Store, StoreOp } from '../state/store.js';
import { type Exchange, toEvent } from './exchange.js';
import type { UpstreamAnswer } from './gateway-context.js';
import { referenceId } from './reference-id.js';

export interface OutcomeLearningOptions {
  readonly store: Store;
  readonly templates: DeceptionTemplates;
  readonly takeover: TakeoverSettings;
  readonly webhook: Webhook | null;
  readonly record: (event: DecisionEvent) => void;
  readonly mode: () => DecisionEvent['mode'];
}

export function createOutcomeLearning(options: OutcomeLearningOptions) {
  const { store, templates, takeover } = options;
  const flagTtl = takeover.flagHours * 3_600_000;

  return {
    learn(x: Exchange, outcome: Outcome, answer: UpstreamAnswer): void {
      const input = x.input;
      const decision = x.decision;
      if (input === null || decision === null) return;
      let writes = gather(x.flow.learners, (detector) => detector.learn!(input, outcome, decision));

      if (x.flow.kind === 'login' && outcome.result === 'failure' && answer.body !== null) {
        templates.capture(x.flow.name, answer.status, answer.headers, answer.body, x.rawUsername, x.upstreamMs ?? 0);
      }
      if (x.flow.kind === 'login' && outcome.result === 'success') {
        const evidence = isSuspectedTakeover(decision);
        if (evidence !== null) {
          const device = x.device ?? x.issuedDevice;
          if (device !== null) {
            writes ??= [];
            writes.push({ kind: 'flagSet', key: loginKeys.takeoverDevice(device.id), value: x.id, ttlMs: flagTtl });
          }
          const event: DecisionEvent = {
            ...toEvent(x, answer.status, options.mode()),
            id: referenceId(),
            type: 'ato.suspected',
            findings: [
              {
                source: 'detector/account-takeover',
                reason: 'ato.suspected',
                score: 100,
                detail: `login ${x.id} succeeded with attack evidence: ${evidence.reason} (${evidence.detail ?? ''})`,
              },
            ],
          };
          options.record(event);
          options.webhook?.send({
            type: 'ato.suspected',
            referenceId: x.id,
            eventId: event.id,
            time: new Date(x.time).toISOString(),
            flow: x.flow.name,
            usernameHash: x.fields?.usernameHash ?? null,
            ip: x.signals.ip,
            evidence: evidence.reason,
          });
        }
      }
      if (writes !== null) store.write(writes);
    },

    /**
     * A request botgate blocked or deceived itself: detectors with a `withheld` phase record what
     * it still says about its account or source (one coalesced write).
     */
    withheld(x: Exchange): void {
      const input = x.input;
      const decision = x.decision;
      if (input === null || decision === null) return;
      const writes = gather(x.flow.withholders, (detector) => detector.withheld!(input, decision));
      if (writes !== null) store.write(writes);
    },

    /** Whether the upstream is told `x-botgate-ato: suspected` for this request. */
    atoHeader(x: Exchange): boolean {
      const decision = x.decision;
      if (decision === null || decision.findings.length === 0) return false;
      for (const f of decision.findings) if (f.reason === 'ato.device-flagged') return true;
      // A login with attack evidence: if the password turns out right, it is a takeover, and
      // the application should know before it answers (step-up, notification).
      return x.flow.kind === 'login' && isSuspectedTakeover(decision) !== null;
    },
  };
}

/** Every store write the detectors' phase returns, as one batch; null when there is none. */
function gather(detectors: readonly Detector[], phase: (detector: Detector) => readonly StoreOp[]): StoreOp[] | null {
  let writes: StoreOp[] | null = null;
  for (const detector of detectors) {
    const ops = phase(detector);
    if (ops.length > 0) {
      writes ??= [];
      writes.push(...ops);
    }
  }
  return writes;
}
