/**
 * One evaluation, start to finish: plan the scenario, start the demo and the gateway (or use a
 * running pair), run, read what reached the application, score. `botgate eval` and the tests
 * call this; the CLI only adds flags and printing.
 */
import type { DemoUser } from '../src/demo/users.js';
import { type EvalEnvironment, startEvalEnvironment } from './environment.js';
import { planScenario } from './plan.js';
import { type Progress, runPlan } from './runner.js';
import type { Scenario } from './scenario.js';
import { type Scoreboard, score } from './scoreboard.js';
import { httpTransport } from './transport.js';
import { readReceived, receivedCursor } from './upstream-log.js';

export const DEFAULT_COST_PER_ACCOUNT_USD = 3.6;

export interface EvaluateOptions {
  readonly scenario: Scenario;
  /** Default: the scenario's seed. */
  readonly seed?: number | undefined;
  /** The marketplace's accounts (default generateDemoUsers(scenario.users) is the caller's job). */
  readonly users: readonly DemoUser[];
  /** A running gateway and the demo marketplace behind it; default: start both here. */
  readonly target?: { readonly gatewayUrl: string; readonly upstreamUrl: string } | undefined;
  /** Policy file for the gateway started here. */
  readonly config?: string | undefined;
  /** Mode for the gateway started here (`monitor` or `enforce`); default the policy's. */
  readonly mode?: string | undefined;
  readonly costPerAccountUsd?: number | undefined;
  /** Most requests in flight (default 32). */
  readonly maxSockets?: number | undefined;
  readonly onProgress?: ((progress: Progress) => void) | undefined;
  readonly signal?: AbortSignal | undefined;
}

export async function evaluate(options: EvaluateOptions): Promise<Scoreboard> {
  const { scenario, users } = options;
  const seed = options.seed ?? scenario.seed;
  const environment: EvalEnvironment = options.target
    ? { ...options.target, close: async () => {} }
    : await startEvalEnvironment({ users, config: options.config, mode: options.mode });
  try {
    const cursor = await receivedCursor(environment.upstreamUrl);
    const plan = planScenario(scenario, seed, users);
    const transport = httpTransport(environment.gatewayUrl, { maxSockets: options.maxSockets ?? 32 });
    const run = await runPlan({
      plan,
      transport,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    await transport.close();
    const received = await readReceived(environment.upstreamUrl, cursor);
    return score({
      scenario: scenario.name,
      seed,
      personas: plan.personas,
      run,
      received,
      costPerAccountUsd: options.costPerAccountUsd ?? DEFAULT_COST_PER_ACCOUNT_USD,
    });
  } finally {
    await environment.close();
  }
}
