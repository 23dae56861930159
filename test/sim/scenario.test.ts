import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileScenario, loadScenarioFile, ScenarioError } from '../../sim/scenario.js';
import { BUNDLED_SCENARIOS, bundledScenario } from '../../sim/scenarios/index.js';
import { tempDir } from '../support/temp-dir.js';

async function file(text: string): Promise<string> {
  const path = join(await tempDir('botgate-scenario-'), 'scenario.yaml');
  await writeFile(path, text);
  return path;
}

describe('scenarios', () => {
  it('loads a YAML scenario with defaults filled in', async () => {
    const scenario = await loadScenarioFile(
      await file(`name: small
durationSeconds: 10
personas:
  - persona: desktop-browser
    sessions: 3
  - persona: hydra
    label: hydra-fast
    sessions: 2
    startSeconds: 5
    options: { attempts: 10 }
`),
    );
    expect(scenario.seed).toBe(1);
    expect(scenario.users).toBe(500);
    expect(scenario.maxSeconds).toBe(130);
    expect(scenario.entries.map((e) => [e.label, e.sessions, e.startSeconds, e.durationSeconds])).toEqual([
      ['desktop-browser', 3, 0, 10],
      ['hydra-fast', 2, 5, 10],
    ]);
    expect(scenario.entries[1]?.options).toMatchObject({ attempts: 10, ratePerSecond: 15, realAccountShare: 0.03 });
  });

  it('reports every problem at once, each with its path', async () => {
    const path = await file(`name: Bad Name
durationSeconds: 10
colour: blue
personas:
  - persona: no-such-persona
    sessions: 1
  - persona: hydra
    sessions: 1
    options: { attempts: 0, speed: 3 }
  - persona: scraper
    sessions: 1.5
`);
    const error = await loadScenarioFile(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScenarioError);
    const problems = (error as ScenarioError).problems.join('\n');
    expect(problems).toMatch(/^name: /m);
    expect(problems).toMatch(/colour/);
    expect(problems).toMatch(/^personas\[2\]\.sessions: /m);
  });

  it('checks persona names and options after the shape, with their paths', () => {
    const error = (() => {
      try {
        compileScenario(
          {
            name: 'x',
            durationSeconds: 5,
            personas: [
              { persona: 'no-such-persona', sessions: 1 },
              { persona: 'hydra', sessions: 1, options: { attempts: 0, speed: 3 } },
              { persona: 'scraper', sessions: 1 },
              { persona: 'scraper', sessions: 1 },
            ],
          },
          'test',
        );
      } catch (e) {
        return e as ScenarioError;
      }
      throw new Error('expected a ScenarioError');
    })();
    const problems = error.problems.join('\n');
    expect(problems).toMatch(/^personas\[0\]\.persona: no such persona \(received "no-such-persona"/m);
    expect(problems).toMatch(/^personas\[1\]\.options\.attempts: /m);
    expect(problems).toMatch(/^personas\[1\]\.options: .*speed/m);
    expect(problems).toMatch(/^personas\[3\]\.label: "scraper" is used twice/m);
  });

  it('says so when the file is not YAML or cannot be read', async () => {
    await expect(loadScenarioFile(await file('name: [unclosed'))).rejects.toThrow(/not valid YAML/);
    await expect(loadScenarioFile('/no/such/scenario.yaml')).rejects.toThrow(/cannot be read \(ENOENT\)/);
  });

  it('bundles smoke, login-stuffing, signup-and-comments and scraping, all valid', () => {
    expect([...BUNDLED_SCENARIOS.keys()]).toEqual(
      expect.arrayContaining(['smoke', 'login-stuffing', 'signup-and-comments', 'scraping']),
    );
    for (const name of BUNDLED_SCENARIOS.keys()) expect(bundledScenario(name)?.name).toBe(name);
  });
});
