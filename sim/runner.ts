/**
 * Runs a plan against a real gateway: every session starts at its planned time on the real
 * clock, as its own async task (sessions mostly wait, so hundreds cost nothing), and sends through
 * the shared transport, whose connection pool bounds requests in flight.
 *
 * The run always ends by itself: when every session is done, when the scenario's request budget
 * is spent, at its time limit, or when `signal` fires; sessions still waiting then stop at their
 * next request. Errors inside a persona (a bug, not a refusal) end that session and are reported,
 * never thrown past the run.
 */
import { setMaxListeners } from 'node:events';
import { realClock } from './clock.js';
import { cookieJars } from './cookie-jar.js';
import type { ScenarioPlan } from './plan.js';
import type { SentRequest } from './record.js';
import { Session, type SessionEnv, SessionStopped } from './session.js';
import type { Transport } from './transport.js';

export interface Progress {
  readonly elapsedMs: number;
  /** When the last session is planned to start. */
  readonly lastStartMs: number;
  readonly sessionsDone: number;
  readonly sessionsTotal: number;
  readonly requests: number;
}

export type StopReason = 'completed' | 'time-limit' | 'request-budget' | 'signal';

export interface RunResult {
  readonly requests: readonly SentRequest[];
  readonly durationMs: number;
  readonly sessionsPlanned: number;
  readonly sessionsStopped: number;
  readonly stoppedBy: StopReason;
  /** Unexpected errors inside personas, one line each (at most 20 kept). */
  readonly errors: readonly string[];
}

export interface RunOptions {
  readonly plan: ScenarioPlan;
  readonly transport: Transport;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
  /** Default 250 ms. */
  readonly progressEveryMs?: number;
}

export async function runPlan(options: RunOptions): Promise<RunResult> {
  const { plan, transport } = options;
  const { scenario } = plan;
  const stop = new AbortController();
  // Every waiting session listens for the stop: thousands of listeners on one signal is the design.
  setMaxListeners(0, stop.signal);
  let stoppedBy: StopReason = 'completed';
  const halt = (reason: StopReason): void => {
    if (stop.signal.aborted) return;
    stoppedBy = reason;
    stop.abort();
  };
  const onSignal = (): void => halt('signal');
  options.signal?.addEventListener('abort', onSignal, { once: true });
  if (options.signal?.aborted) halt('signal');
  const limit = setTimeout(() => halt('time-limit'), scenario.maxSeconds * 1000);

  const startedAt = performance.now();
  const clock = realClock(startedAt, stop.signal);
  const requests: SentRequest[] = [];
  const errors: string[] = [];
  let admitted = 0;
  let done = 0;
  let stopped = 0;
  const env: SessionEnv = {
    transport,
    clock,
    pace: plan.pace,
    admit() {
      if (stop.signal.aborted) return false;
      if (admitted >= scenario.maxRequests) {
        halt('request-budget');
        return false;
      }
      admitted++;
      return true;
    },
    record: (request) => requests.push(request),
  };
  const jarFor = cookieJars();
  const lastStartMs = plan.sessions.reduce((max, s) => Math.max(max, s.startMs), 0);
  const report = (): void =>
    options.onProgress?.({
      elapsedMs: clock.now(),
      lastStartMs,
      sessionsDone: done,
      sessionsTotal: plan.sessions.length,
      requests: requests.length,
    });
  const ticker = options.onProgress ? setInterval(report, options.progressEveryMs ?? 250) : undefined;

  await Promise.all(
    plan.sessions.map(async (planned) => {
      await clock.sleep(planned.startMs);
      try {
        if (stop.signal.aborted) throw new SessionStopped();
        const session = new Session(
          {
            persona: planned.label,
            kind: planned.kind,
            index: planned.index,
            ip: planned.ip,
            identity: planned.identity,
            keepsCookies: planned.keepsCookies,
            jar: jarFor(planned.client),
            random: planned.random.fork('run'),
          },
          env,
        );
        await planned.run(session);
      } catch (err) {
        if (err instanceof SessionStopped) stopped++;
        else if (errors.length < 20)
          errors.push(`${planned.label} session ${planned.index}: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        done++;
      }
    }),
  );

  clearTimeout(limit);
  if (ticker !== undefined) clearInterval(ticker);
  options.signal?.removeEventListener('abort', onSignal);
  report();
  return {
    requests,
    durationMs: clock.now(),
    sessionsPlanned: plan.sessions.length,
    sessionsStopped: stopped,
    stoppedBy,
    errors,
  };
}
