import { afterEach, describe, expect, it, vi } from 'vitest';
import { planScenario } from '../../sim/plan.js';
import { plannedRequests } from '../../sim/planned-requests.js';
import { compileScenario } from '../../sim/scenario.js';
import { bundledScenario } from '../../sim/scenarios/index.js';
import { generateDemoUsers } from '../../src/demo/users.js';
import { ALL_PERSONA_NAMES, EVERY_PERSONA } from './every-persona.js';

const users = generateDemoUsers(200);
const scenario = compileScenario(EVERY_PERSONA, 'test');

async function sequence(seed: number): Promise<string[]> {
  const requests = await plannedRequests(planScenario(scenario, seed, users), users);
  return requests.map((r) => `${r.at} ${r.persona} ${r.method} ${r.path} ${r.ip} ${r.username ?? '-'}`);
}

afterEach(() => vi.restoreAllMocks());

describe('the same seed gives the same request sequence', () => {
  it('lists the same method, path, address and username in the same order, twice', async () => {
    const first = await sequence(42);
    const second = await sequence(42);
    expect(first.length).toBeGreaterThan(300);
    expect(second).toEqual(first);
  });

  it('acts a plan out identically a second time (a run forks the session streams, never consumes them)', async () => {
    const plan = planScenario(scenario, 42, users);
    expect(await plannedRequests(plan, users)).toEqual(await plannedRequests(plan, users));
  });

  it('gives another sequence for another seed', async () => {
    expect(await sequence(43)).not.toEqual(await sequence(42));
  });

  it('never touches Math.random', async () => {
    const spy = vi.spyOn(Math, 'random').mockImplementation(() => {
      throw new Error('Math.random used');
    });
    await sequence(1);
    expect(spy).not.toHaveBeenCalled();
  });

  it('keeps one persona’s requests unchanged when another persona is added', async () => {
    const without = compileScenario(
      { ...EVERY_PERSONA, personas: EVERY_PERSONA.personas.filter((p) => p.persona !== 'scraper') },
      'test',
    );
    const only = (list: Awaited<ReturnType<typeof plannedRequests>>) =>
      list.filter((r) => r.persona === 'hydra').map((r) => `${r.method} ${r.path} ${r.ip} ${r.username}`);
    const a = await plannedRequests(planScenario(without, 5, users), users);
    const b = await plannedRequests(planScenario(scenario, 5, users), users);
    expect(only(a)).toEqual(only(b));
  });
});

describe('the bundled scenarios', () => {
  it('smoke runs every persona', async () => {
    const smoke = bundledScenario('smoke');
    if (smoke === undefined) throw new Error('no bundled smoke scenario');
    const population = generateDemoUsers(smoke.users);
    const seen = new Set(
      (await plannedRequests(planScenario(smoke, smoke.seed, population), population)).map((r) => r.persona),
    );
    expect([...seen].sort()).toEqual([...ALL_PERSONA_NAMES].sort());
  });

  it('smoke plans its last request well within the minute', async () => {
    const smoke = bundledScenario('smoke');
    if (smoke === undefined) throw new Error('no bundled smoke scenario');
    const population = generateDemoUsers(smoke.users);
    const requests = await plannedRequests(planScenario(smoke, smoke.seed, population), population);
    expect(requests.at(-1)?.at).toBeLessThan(45_000);
  });

  it('login-stuffing spreads the distributed run over 2 000+ addresses in many networks, one or two tries each', async () => {
    const scenario = bundledScenario('login-stuffing');
    if (scenario === undefined) throw new Error('no bundled login-stuffing scenario');
    const plan = planScenario(scenario, 1, generateDemoUsers(500));
    const distributed = plan.sessions.filter((s) => s.label === 'stuffing-distributed');
    const ips = new Set(distributed.map((s) => s.ip));
    const networks = new Set([...ips].map((ip) => ip.slice(0, ip.lastIndexOf('.'))));
    expect(ips.size).toBeGreaterThanOrEqual(2000);
    expect(networks.size).toBeGreaterThan(1000);
    const shared = plan.sessions.filter((s) => s.kind === 'human').map((s) => s.ip);
    const perAddress = new Map<string, number>();
    for (const ip of shared) perAddress.set(ip, (perAddress.get(ip) ?? 0) + 1);
    expect(Math.max(...perAddress.values())).toBeGreaterThanOrEqual(80);
  });
});
