/**
 * The scoreboard as a person reads it on a terminal: a table per persona, then the business
 * terms in sentences. `--json` prints the Scoreboard object instead.
 */
import type { Counts, PersonaScore, Scoreboard } from './scoreboard.js';

const COLUMNS: readonly (readonly [string, keyof Counts])[] = [
  ['requests', 'requests'],
  ['allowed', 'allowed'],
  ['challenged', 'challenged'],
  ['blocked', 'blocked'],
  ['deceived', 'deceived'],
  ['rateLimited', 'rateLimited'],
  ['reachedUnchallenged', 'reachedUnchallenged'],
  ['failed', 'failed'],
];

const number = new Intl.NumberFormat('en-US');

export function formatScoreboard(board: Scoreboard): string {
  const { summary: s, run, machine } = board;
  const lines: string[] = [];
  lines.push(
    `botgate eval: scenario ${board.scenario}, seed ${board.seed}: ${number.format(run.requests)} requests in ${run.durationSeconds} s ` +
      `(${machine.cores} cores, ${machine.cpu}, Node ${machine.node})`,
  );
  lines.push('');
  lines.push(...table(board.personas));
  lines.push('');
  lines.push('Real users');
  lines.push(
    `  logins challenged       ${pct(s.humanChallengeRate)} of ${number.format(s.humanLogins)} logins; a CAPTCHA on every login challenges 100 %: ${
      s.challengeReductionPct === null
        ? 'no logins to compare'
        : `${s.challengeReductionPct.toFixed(1)} % fewer challenges`
    }`,
  );
  lines.push(
    `  requests refused        ${pct(s.humanBlockRate)} of ${number.format(s.humanRequests)} (blocked, deceived or rate-limited)`,
  );
  lines.push('Attacks');
  lines.push(
    `  attempts stopped        ${number.format(s.attackAttemptsStopped)} of ${number.format(s.attackAttempts)}; ${pct(s.attackReachRate)} reached the application unchallenged`,
  );
  lines.push(
    `  accounts taken over     ${number.format(s.takeovers)} (flagged ato.suspected: ${number.format(s.atoSuspected)}); ` +
      `${number.format(s.accountsAtRisk)} real accounts had their correct password tried, ${number.format(s.accountsProtected)} of them never reached the application`,
  );
  lines.push(
    `  estimated loss avoided  ${number.format(s.accountsProtected)} accounts × ${s.costPerAccountUsd.toFixed(2)} USD = ${s.estimatedLossAvoidedUsd.toFixed(2)} USD`,
  );
  if (s.atoFlaggedRequests.human > 0)
    lines.push(`  ato.suspected on real users' requests: ${number.format(s.atoFlaggedRequests.human)} (false alarms)`);
  if (run.stoppedBy !== 'completed')
    lines.push(`Note: the run was cut short (${run.stoppedBy}); ${run.sessionsStopped} sessions stopped early.`);
  const failures = Object.entries(run.failures);
  if (failures.length > 0)
    lines.push(`Note: requests without an answer: ${failures.map(([cause, n]) => `${n} ${cause}`).join(', ')}.`);
  if (run.withoutReferenceId > 0)
    lines.push(`Note: ${run.withoutReferenceId} answers carried no x-botgate-id: is the target botgate?`);
  for (const error of run.errors) lines.push(`Persona error: ${error}`);
  return `${lines.join('\n')}\n`;
}

function table(personas: readonly PersonaScore[]): string[] {
  const header = ['persona', 'kind', ...COLUMNS.map(([title]) => title), 'takeovers'];
  const rows = personas.map((p) => [
    p.name,
    p.kind,
    ...COLUMNS.map(([, key]) => number.format(p[key])),
    p.kind === 'attacker' ? number.format(p.takeovers) : '',
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const render = (row: readonly string[]): string =>
    row
      .map((cell, column) => (column < 2 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [render(header), ...rows.map(render)];
}

function pct(value: number | null): string {
  if (value === null) return 'n/a';
  const percent = value * 100;
  return `${percent < 1 && percent > 0 ? percent.toFixed(2) : percent.toFixed(1)} %`;
}
