/**
 * `botgate eval` as a user runs it: a real process, a scenario file, the JSON scoreboard on stdout.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killAll, runBotgate } from '../support/processes.js';
import { tempDir } from '../support/temp-dir.js';

afterAll(() => killAll());

const TINY = `name: tiny
durationSeconds: 1
thinkTimeScale: 0.1
users: 50
personas:
  - persona: hydra
    sessions: 1
    options: { attempts: 5, ratePerSecond: 20, realAccountShare: 0.4 }
  - persona: scraper
    sessions: 1
    options: { pagesPerSession: 5, ratePerSecond: 20 }
  - persona: mobile-app
    sessions: 2
    options: { intents: { login: 0, comment: 0, signup: 0, browse: 1 } }
`;

describe('botgate eval', () => {
  it('lists the bundled scenarios and the personas', async () => {
    const { code, stdout } = await runBotgate(['eval', '--list']);
    expect(code).toBe(0);
    for (const name of [
      'smoke',
      'login-stuffing',
      'signup-and-comments',
      'scraping',
      'stuffing-distributed',
      'mobile-app',
    ]) {
      expect(stdout).toContain(name);
    }
  });

  it('prints exactly one JSON object with the scoreboard, progress on stderr only', async () => {
    const dir = await tempDir('botgate-eval-');
    const scenario = join(dir, 'tiny.yaml');
    await writeFile(scenario, TINY);
    const { code, stdout } = await runBotgate([
      'eval',
      '--scenario',
      scenario,
      '--seed',
      '3',
      '--json',
      '--cost-per-account',
      '10',
    ]);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const board = JSON.parse(lines[0] as string);
    expect(board).toMatchObject({ scenario: 'tiny', seed: 3 });
    expect(board.personas.map((p: { name: string; kind: string }) => [p.name, p.kind])).toEqual([
      ['hydra', 'attacker'],
      ['scraper', 'attacker'],
      ['mobile-app', 'human'],
    ]);
    for (const persona of board.personas) {
      for (const key of [
        'requests',
        'allowed',
        'challenged',
        'blocked',
        'deceived',
        'rateLimited',
        'reachedUnchallenged',
      ]) {
        expect(typeof persona[key]).toBe('number');
      }
    }
    for (const key of [
      'humanChallengeRate',
      'humanBlockRate',
      'attackReachRate',
      'challengeReductionPct',
      'atoSuspected',
      'takeovers',
      'estimatedLossAvoidedUsd',
    ]) {
      expect(board.summary).toHaveProperty(key);
    }
    expect(board.summary.costPerAccountUsd).toBe(10);
    expect(board.summary.estimatedLossAvoidedUsd).toBe(board.summary.accountsProtected * 10);
    expect(board.machine.node).toBe(process.version);
  }, 30_000);

  it('refuses bad flags and bad scenarios with one clear message and exit 2', async () => {
    const dir = await tempDir('botgate-eval-');
    const bad = join(dir, 'bad.yaml');
    await writeFile(
      bad,
      'name: bad\ndurationSeconds: 1\npersonas:\n  - persona: hydra\n    sessions: 1\n    options: { attempts: 0 }\n',
    );
    const [unknown, half, remote, invalid] = await Promise.all([
      runBotgate(['eval', '--scenario', 'no-such-scenario']),
      runBotgate(['eval', '--scenario', 'smoke', '--target', 'http://127.0.0.1:8080']),
      runBotgate([
        'eval',
        '--scenario',
        'smoke',
        '--target',
        'http://192.0.2.1:80',
        '--upstream',
        'http://127.0.0.1:3000',
      ]),
      runBotgate(['eval', '--scenario', bad]),
    ]);
    expect([unknown.code, half.code, remote.code, invalid.code]).toEqual([2, 2, 2, 2]);
    expect(unknown.stderr).toMatch(/no bundled scenario "no-such-scenario"/);
    expect(half.stderr).toMatch(/--target without --upstream/);
    expect(remote.stderr).toMatch(/only talks to loopback/);
    expect(invalid.stderr).toMatch(/personas\[0\]\.options\.attempts/);
  }, 30_000);
});
