/**
 * The traffic `botgate demo` runs behind the scenes unless `--no-traffic`: the `background`
 * scenario (people at real-time pace and a slow stuffer, a few requests a second), a new round
 * every scenario duration with the next seed, so the console and metrics always have something
 * recent to show. At most two rounds overlap (one ending, one starting), so the load stays flat.
 *
 * It never writes to stdout or stderr; `stop` ends every session at its next step and waits for
 * requests in flight.
 */
import type { DemoUser } from '../src/demo/users.js';
import { planScenario } from './plan.js';
import { runPlan } from './runner.js';
import { bundledScenario } from './scenarios/index.js';
import { httpTransport } from './transport.js';

export interface BackgroundTraffic {
  stop(): Promise<void>;
}

export interface BackgroundOptions {
  /** The gateway as it listens (a wildcard address is reached through loopback). */
  readonly gatewayUrl: string;
  /** The marketplace's accounts, so that people sign in with their own passwords. */
  readonly users: readonly DemoUser[];
  /** Default 1. */
  readonly seed?: number;
}

const MAX_ROUNDS_AT_ONCE = 2;

export function startBackgroundTraffic(options: BackgroundOptions): BackgroundTraffic {
  const scenario = bundledScenario('background');
  if (scenario === undefined)
    throw new Error('Cannot start background traffic: the bundled "background" scenario is missing');
  const transport = httpTransport(reachable(options.gatewayUrl), { maxSockets: 8 });
  const stopping = new AbortController();
  const running = new Set<Promise<unknown>>();
  let round = 0;

  const startRound = (): void => {
    if (stopping.signal.aborted || running.size >= MAX_ROUNDS_AT_ONCE) return;
    const plan = planScenario(scenario, (options.seed ?? 1) + round++, options.users);
    const run = runPlan({ plan, transport, signal: stopping.signal }).finally(() => running.delete(run));
    running.add(run);
  };
  startRound();
  const timer = setInterval(startRound, scenario.durationSeconds * 1000);

  return {
    async stop() {
      clearInterval(timer);
      stopping.abort();
      await Promise.allSettled([...running]);
      await transport.close();
    },
  };
}

/** `http://0.0.0.0:8080` → `http://127.0.0.1:8080`: the simulator only talks to loopback. */
function reachable(url: string): string {
  const parsed = new URL(url);
  if (parsed.hostname === '0.0.0.0') parsed.hostname = '127.0.0.1';
  if (parsed.hostname === '[::]') parsed.hostname = '[::1]';
  return parsed.origin;
}
