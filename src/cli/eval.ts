/**
 * `botgate eval`: runs a simulator scenario against botgate and prints the scoreboard. The
 * simulator itself lives in sim/ (personas, scenarios, runner, scoreboard); this file is flags
 * and printing.
 */

import { DEFAULT_COST_PER_ACCOUNT_USD, evaluate } from '../../sim/evaluate.js';
import { PERSONAS } from '../../sim/personas/index.js';
import { progressReporter } from '../../sim/progress.js';
import { formatScoreboard } from '../../sim/report.js';
import { loadScenarioFile, type Scenario, ScenarioError } from '../../sim/scenario.js';
import { BUNDLED_SCENARIOS, bundledScenario } from '../../sim/scenarios/index.js';
import { loopbackUrl } from '../../sim/transport.js';
import { generateDemoUsers, loadUsersCsv } from '../demo/users.js';
import { parseCommand } from './parse.js';
import { UsageError } from './usage-error.js';

export const EVAL_HELP = `Usage: botgate eval --scenario NAME|FILE [--seed N] [--json] [--cost-per-account USD]
                    [--config FILE] [--mode monitor|enforce] [--target URL --upstream URL] [--users FILE]
       botgate eval --list

Runs a traffic scenario (real users and attackers, see docs/evaluation.md) against botgate and
prints the scoreboard: per persona how many requests were allowed, challenged, blocked,
deceived, rate-limited or reached the application unchallenged, accounts taken over, and the
business terms (real users' challenge rate against a CAPTCHA on every login, attack attempts
stopped, estimated losses avoided). By default it starts the demo marketplace and a gateway with
the bundled policy in this process; the same seed sends the same requests.

  --scenario NAME|FILE     a bundled scenario (see --list) or a YAML/JSON scenario file
  --seed N                 override the scenario's seed (0 to 4294967295)
  --json                   print the scoreboard as one JSON object on stdout
  --list                   list the bundled scenarios and the personas
  --config FILE            policy for the gateway started here (default: the bundled policy)
  --mode MODE              monitor or enforce, for the gateway started here: monitor forwards
                           everything, so the scoreboard shows what reaches the application unprotected
  --target URL             a running botgate instead (loopback only), e.g. http://127.0.0.1:8080;
                           needs --upstream, the demo marketplace behind it (botgate demo prints both)
  --upstream URL           the demo marketplace behind --target, read to see what reached it
  --users FILE             the marketplace's accounts as a CSV (username,email,password), as given
                           to "botgate demo --users"; default the 500 generated demo users
  --cost-per-account USD   loss per account taken over (default ${DEFAULT_COST_PER_ACCOUNT_USD.toFixed(2)})
  --concurrency N          most requests in flight (default 32)
  --quiet                  no progress on stderr
  -h, --help               this help

Progress goes to stderr (a bar on a terminal); the scoreboard to stdout. Exit 1 if a persona
failed unexpectedly (a simulator bug), 2 on a usage error.`;

export async function evalCommand(args: readonly string[]): Promise<number> {
  const { values } = parseCommand('eval', args, {
    scenario: { type: 'string' },
    seed: { type: 'string' },
    json: { type: 'boolean', default: false },
    list: { type: 'boolean', default: false },
    config: { type: 'string' },
    mode: { type: 'string' },
    target: { type: 'string' },
    upstream: { type: 'string' },
    users: { type: 'string' },
    'cost-per-account': { type: 'string' },
    concurrency: { type: 'string' },
    quiet: { type: 'boolean', default: false },
  });
  if (values.help) {
    console.log(EVAL_HELP);
    return 0;
  }
  if (values.list) {
    process.stdout.write(listing());
    return 0;
  }
  if (values.scenario === undefined)
    throw new UsageError('Cannot run "botgate eval": --scenario NAME|FILE is required (see botgate eval --list)');
  if ((values.target === undefined) !== (values.upstream === undefined)) {
    throw new UsageError(
      'Cannot use --target without --upstream (or the reverse): the scoreboard reads what reached the demo marketplace behind botgate',
    );
  }
  if (values.target !== undefined && (values.config !== undefined || values.mode !== undefined)) {
    throw new UsageError('Cannot use --config or --mode with --target: the running gateway already has its policy');
  }
  const target =
    values.target === undefined || values.upstream === undefined
      ? undefined
      : { gatewayUrl: checkedUrl('--target', values.target), upstreamUrl: checkedUrl('--upstream', values.upstream) };
  const seed = values.seed === undefined ? undefined : wholeNumber('--seed', values.seed, 0xffff_ffff);
  const cost =
    values['cost-per-account'] === undefined ? DEFAULT_COST_PER_ACCOUNT_USD : amount(values['cost-per-account']);
  const concurrency =
    values.concurrency === undefined ? 32 : Math.max(1, wholeNumber('--concurrency', values.concurrency, 1024));

  const scenario = await resolveScenario(values.scenario);
  const users = values.users ? await loadUsersCsv(values.users) : generateDemoUsers(scenario.users);
  const progress = values.quiet ? undefined : progressReporter(process.stderr);
  const interrupt = new AbortController();
  const onSigint = (): void => interrupt.abort();
  process.once('SIGINT', onSigint);
  try {
    const board = await evaluate({
      scenario,
      seed,
      users,
      target,
      config: values.config,
      mode: values.mode,
      costPerAccountUsd: cost,
      maxSockets: concurrency,
      signal: interrupt.signal,
      onProgress: progress ? (p) => progress.update(p) : undefined,
    });
    progress?.done();
    process.stdout.write(values.json ? `${JSON.stringify(board)}\n` : formatScoreboard(board));
    return board.run.errors.length > 0 ? 1 : 0;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

async function resolveScenario(value: string): Promise<Scenario> {
  try {
    const bundled = bundledScenario(value);
    if (bundled !== undefined) return bundled;
    if (!/[./\\]/.test(value)) {
      throw new UsageError(
        `Cannot use --scenario: no bundled scenario "${value}" (expected one of ${[...BUNDLED_SCENARIOS.keys()].join(', ')}, or a YAML file)`,
      );
    }
    return await loadScenarioFile(value);
  } catch (err) {
    if (err instanceof ScenarioError) throw new UsageError(err.message);
    throw err;
  }
}

function listing(): string {
  const lines = ['Bundled scenarios (botgate eval --scenario NAME):'];
  const width = Math.max(...[...BUNDLED_SCENARIOS.keys()].map((name) => name.length));
  for (const [name, doc] of BUNDLED_SCENARIOS) lines.push(`  ${name.padEnd(width)}  ${doc.description ?? ''}`);
  lines.push('', 'Personas (used in scenario files):');
  const personaWidth = Math.max(...[...PERSONAS.keys()].map((name) => name.length));
  for (const persona of PERSONAS.values()) {
    lines.push(
      `  ${persona.name.padEnd(personaWidth)}  ${persona.kind === 'human' ? 'human   ' : 'attacker'}  ${persona.summary}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function checkedUrl(flag: string, value: string): string {
  try {
    return loopbackUrl(value, flag).origin;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function wholeNumber(flag: string, value: string, max: number): number {
  if (!/^\d{1,10}$/.test(value) || Number(value) > max) {
    throw new UsageError(`Cannot use ${flag}: expected a whole number from 0 to ${max} (received "${value}")`);
  }
  return Number(value);
}

function amount(value: string): number {
  const parsed = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(parsed)) {
    throw new UsageError(`Cannot use --cost-per-account: expected an amount in USD such as 3.60 (received "${value}")`);
  }
  return parsed;
}
