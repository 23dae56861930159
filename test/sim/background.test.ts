/**
 * The traffic `botgate demo` runs in the background: it reaches the marketplace through the
 * gateway within seconds, and stops when told.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackgroundTraffic } from '../../sim/background.js';
import { type EvalEnvironment, startEvalEnvironment } from '../../sim/environment.js';
import { generateDemoUsers } from '../../src/demo/users.js';

let env: EvalEnvironment;
const users = generateDemoUsers(500);

beforeAll(async () => {
  env = await startEvalEnvironment({ users });
});

afterAll(async () => {
  await env?.close();
});

async function requestsSeen(): Promise<number> {
  const stats = (await (await fetch(`${env.upstreamUrl}/__demo/stats`)).json()) as { requests: number };
  return stats.requests;
}

describe('background traffic', () => {
  it('shows activity within seconds through the gateway, and stops', async () => {
    const traffic = startBackgroundTraffic({ gatewayUrl: env.gatewayUrl.replace('127.0.0.1', '0.0.0.0'), users });
    let seen = 0;
    for (let i = 0; i < 100 && seen < 5; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      seen = await requestsSeen();
    }
    expect(seen).toBeGreaterThanOrEqual(5);
    await traffic.stop();
    const after = await requestsSeen();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await requestsSeen()).toBe(after);
  }, 20_000);
});
