/**
 * `botgate report` as a user runs it: from a SQLite events file (text and JSON), from a running
 * admin listener with its token, and one clear line with exit 2 for each usage mistake.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteEventSink } from '../../src/events/sqlite-sink.js';
import { type Harness, startAdmin, TOKEN } from '../admin/harness.js';
import { scene } from '../events/event-archive-contract.js';
import { runBotgate } from '../support/processes.js';

const T0 = Date.UTC(2026, 0, 10, 9);
const HOUR = 3_600_000;
const RANGE = ['--from', new Date(T0).toISOString(), '--to', new Date(T0 + HOUR).toISOString()];

let dir: string;
let file: string;
let admin: Harness;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'botgate-cli-report-'));
  file = join(dir, 'events.db');
  const sink = new SqliteEventSink(file);
  await sink.write(scene());
  await sink.close();
  admin = await startAdmin();
  await admin.record(scene());
});
afterAll(async () => {
  await admin.close();
  await rm(dir, { recursive: true, force: true });
});

describe('botgate report', () => {
  it('prints the report in words from an events file', async () => {
    const { code, stdout, stderr } = await runBotgate([
      'report',
      '--events',
      file,
      ...RANGE,
      '--cost-per-account',
      '10',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('botgate report · 2026-01-10 09:00 UTC → 2026-01-10 10:00 UTC');
    expect(stdout).toMatch(/Reduction\s+−87\.5 %/);
    expect(stdout).toMatch(/Real users challenged\s+50\.00 %\s+\(1 of 2 logins without attack evidence\)/);
    expect(stdout).toMatch(/Credential stuffing\s+5\s+3\s+1\s+2/);
    expect(stdout).toMatch(/2 accounts protected × \$10\.00\s+\$20\.00/);
    expect(stdout).toMatch(/Flagged as possibly taken over \(ato\.suspected\)\s+2/);
    expect(stdout).toContain('login-form: 2026-01-10 09:50 UTC → ongoing');
  });

  it('prints the same document as the admin API with --json, from the admin listener', async () => {
    const { code, stdout } = await runBotgate(['report', '--admin', admin.url, '--json', ...RANGE], {
      BOTGATE_ADMIN_TOKEN: TOKEN,
    });
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.range).toEqual({ from: T0, to: T0 + HOUR, since: null });
    expect(report.losses).toEqual({
      costPerAccountUsd: 3.6,
      accountsProtected: 2,
      avoidedUsd: 7.2,
      wouldHaveAvoidedUsd: 3.6,
    });
  });

  it.each([
    [['--events', '/no/such/events.db'], /no SQLite event file at "\/no\/such\/events\.db"/],
    [['--since', '7x'], /Cannot read "since"/],
    [['--admin', 'http://127.0.0.1:9', '--events', 'x.db'], /give one of --admin, --events or --config/],
    [['--admin', 'http://127.0.0.1:9', '--cost-per-account', '5', '--token', 'x'], /running gateway applies its own/],
    [['--cost-per-account', 'cheap'], /expected an amount in USD/],
    [['--nonsense'], /Unknown option '--nonsense'/],
  ])('refuses %j with one line and exit 2', async (args, message) => {
    const { code, stderr } = await runBotgate(['report', ...args], { BOTGATE_ADMIN_TOKEN: '' });
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(message);
  });

  it('names a refused token and an unreachable admin listener', async () => {
    const wrong = await runBotgate(['report', '--admin', admin.url, '--token', 'not-the-token']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/refused the admin token/);
    const down = await runBotgate(['report', '--admin', 'http://127.0.0.1:9', '--token', 'x']);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/cannot be reached .*is botgate running\?/);
  });
});
