/**
 * Attack mode: the distributed, low-and-slow case. A campaign over thousands of residential
 * IPs with one or two tries each leaves no per-source trace, but it moves the whole flow: the
 * share of failed logins and of never-seen usernames jumps against the flow's own baseline.
 *
 * `AttackModeMonitor` re-evaluates each login flow every few seconds from flow-wide counters
 * (shared by every node through the store), keeps a slowly learned baseline of normal minutes,
 * and turns attack mode on and off by itself, each transition an event. The share of
 * never-seen usernames only counts once botgate knows most of the flow's users: while fewer
 * than `minKnownCoverage` of recent successful logins were by known usernames (a new
 * deployment, before `botgate users import` or learning), every real user is "never seen" too. While it is on, the
 * detector asks every login for positive evidence — this device logged this user in before,
 * this user logged in from this network before, the device has a clean history of more than a
 * day — and a login without any gets `attack-mode.no-evidence`, which the policy maps to a
 * challenge (browsers) or a deceptive failure (API clients). Known devices and users pass
 * untouched.
 */
import type { AttackModeSettings } from '../config/schema.js';
import type { Clock } from '../state/clock.js';
import type { Store, StoreOp } from '../state/store.js';
import type { Detector, DetectorInput, Finding } from './detector.js';
import { DAY_MS, loginKeys as k } from './login-keys.js';

const NONE: readonly never[] = [];
export const NO_EVIDENCE_SCORE = 60;

export interface AttackModeTransition {
  readonly flow: string;
  readonly state: 'started' | 'ended';
  readonly at: number;
  readonly detail: string;
}

interface FlowState {
  active: boolean;
  since: number;
  /** Last time the window looked anomalous. */
  lastAnomaly: number;
  baselineFailure: number;
  baselineUnknown: number;
}

/** Before anything is learnt: a login flow where a quarter fail and a tenth are unknown users. */
const INITIAL_FAILURE = 0.25;
const INITIAL_UNKNOWN = 0.1;
const OPS_PER_FLOW = 6;
/** Baseline learning rate per evaluation of a normal window. */
const ALPHA = 0.02;

export class AttackModeMonitor {
  private readonly states = new Map<string, FlowState>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly flows: readonly string[],
    private readonly settings: AttackModeSettings,
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly onTransition: (t: AttackModeTransition) => void,
  ) {
    for (const flow of flows) {
      this.states.set(flow, {
        active: false,
        since: 0,
        lastAnomaly: 0,
        baselineFailure: INITIAL_FAILURE,
        baselineUnknown: INITIAL_UNKNOWN,
      });
    }
  }

  start(): void {
    if (this.timer !== null || this.flows.length === 0) return;
    this.timer = setInterval(() => void this.evaluate(), this.settings.evaluateEverySeconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  isActive(flow: string): boolean {
    return this.states.get(flow)?.active ?? false;
  }

  /** One evaluation of every flow; called by the timer, and directly by tests. */
  async evaluate(): Promise<void> {
    const windowMs = this.settings.windowSeconds * 1000;
    const ops: StoreOp[] = [];
    const coverageMs = this.settings.coverageWindowSeconds * 1000;
    for (const flow of this.flows) {
      ops.push(
        { kind: 'peek', key: k.flowAttempts(flow), windowMs },
        { kind: 'peek', key: k.flowFailures(flow), windowMs },
        { kind: 'peek', key: k.flowUnknown(flow), windowMs },
        { kind: 'flagGet', key: k.attackMode(flow) },
        { kind: 'peek', key: k.flowSuccesses(flow), windowMs: coverageMs },
        { kind: 'peek', key: k.flowKnownSuccesses(flow), windowMs: coverageMs },
      );
    }
    const results = await this.store.exec(ops);
    const now = this.clock.now();
    const writes: StoreOp[] = [];
    this.flows.forEach((flow, i) => {
      const state = this.states.get(flow)!;
      const at = i * OPS_PER_FLOW;
      const attempts = results[at] as number;
      const failure = attempts > 0 ? (results[at + 1] as number) / attempts : 0;
      const unknown = attempts > 0 ? (results[at + 2] as number) / attempts : 0;
      const shared = results[at + 3];
      const successes = results[at + 4] as number;
      const coverage = successes > 0 ? (results[at + 5] as number) / successes : 0;
      const s = this.settings;
      const failureBar = Math.max(s.failureRatio, state.baselineFailure * s.baselineFactor);
      const unknownBar = Math.max(s.unknownRatio, state.baselineUnknown * s.baselineFactor);
      const knowsUsers = coverage >= s.minKnownCoverage;
      const anomalous = attempts >= s.minAttempts && (failure >= failureBar || (knowsUsers && unknown >= unknownBar));
      const detail =
        `${attempts} logins in ${s.windowSeconds} s, ${pct(failure)} failed (baseline ${pct(state.baselineFailure)}), ` +
        `${pct(unknown)} unknown usernames (baseline ${pct(state.baselineUnknown)}${knowsUsers ? '' : `; not counted: only ${pct(coverage)} of recent successful logins were by known usernames`})`;

      if (anomalous) state.lastAnomaly = now;
      else if (!state.active && attempts >= s.minAttempts) {
        // Learn only from normal windows, so an attack cannot teach botgate that it is normal.
        state.baselineFailure += ALPHA * (failure - state.baselineFailure);
        if (knowsUsers) state.baselineUnknown += ALPHA * (unknown - state.baselineUnknown);
      }
      // Another node may have seen the anomaly first: its shared flag turns attack mode on here.
      const sharedOn = typeof shared === 'string';
      const shouldBeOn = anomalous || sharedOn || (state.active && now - state.lastAnomaly < s.coolDownSeconds * 1000);
      if (anomalous)
        writes.push({ kind: 'flagSet', key: k.attackMode(flow), value: String(now), ttlMs: s.coolDownSeconds * 1000 });
      if (shouldBeOn && !state.active) {
        state.active = true;
        state.since = now;
        if (!anomalous) state.lastAnomaly = now;
        this.onTransition({ flow, state: 'started', at: now, detail });
      } else if (!shouldBeOn && state.active) {
        state.active = false;
        this.onTransition({
          flow,
          state: 'ended',
          at: now,
          detail: `lasted ${Math.round((now - state.since) / 1000)} s; ${detail}`,
        });
      }
    });
    if (writes.length > 0) this.store.write(writes);
  }
}

export function createAttackModeDetector(monitor: AttackModeMonitor, settings: AttackModeSettings): Detector {
  // The learnt counters must use the monitor's windows: a counter's window is part of its key.
  const windowMs = settings.windowSeconds * 1000;
  const coverageMs = settings.coverageWindowSeconds * 1000;
  return {
    name: 'attack-mode',
    appliesTo: (flow) => flow.kind === 'login',
    plan(input) {
      const user = input.fields?.usernameHash;
      if (!monitor.isActive(input.flow.name) || user === undefined) return NONE;
      const ops: StoreOp[] = [{ kind: 'flagGet', key: k.knownNetwork(user, input.signals.prefix) }];
      if (input.device) ops.push({ kind: 'flagGet', key: k.knownDevice(input.device.id, user) });
      return ops;
    },
    judge(input, results): readonly Finding[] {
      if (results.length === 0) return NONE;
      if (hasPositiveEvidence(input, results)) return NONE;
      return [
        {
          source: 'detector/attack-mode',
          reason: 'attack-mode.no-evidence',
          score: NO_EVIDENCE_SCORE,
          detail:
            'the login flow is under attack and this login carries no positive evidence (known device, known network, established device)',
        },
      ];
    },
    learn(input, outcome, decision) {
      if (outcome.result === 'unknown') return NONE;
      const flow = input.flow.name;
      const ops: StoreOp[] = [{ kind: 'hit', key: k.flowAttempts(flow), windowMs }];
      if (outcome.result === 'failure') ops.push({ kind: 'hit', key: k.flowFailures(flow), windowMs });
      const unknown = decision.findings.some((f) => f.reason === 'login.unknown-username');
      if (unknown) ops.push({ kind: 'hit', key: k.flowUnknown(flow), windowMs });
      if (outcome.result === 'success') {
        ops.push({ kind: 'hit', key: k.flowSuccesses(flow), windowMs: coverageMs });
        if (!unknown) ops.push({ kind: 'hit', key: k.flowKnownSuccesses(flow), windowMs: coverageMs });
      }
      return ops;
    },
  };
}

function hasPositiveEvidence(input: DetectorInput, results: readonly unknown[]): boolean {
  if (results[0] !== null && results[0] !== undefined) return true; // known user from this network
  if (input.device) {
    if (results[1] !== null && results[1] !== undefined) return true; // this device logged this user in
    if (input.now - input.device.issuedAt > DAY_MS) return true; // an established device
  }
  return false;
}

function pct(ratio: number): string {
  return `${Math.round(ratio * 100)} %`;
}
