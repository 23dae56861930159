/**
 * The business report as text for a terminal or an e-mail: aligned columns, thousands separators,
 * UTC times, and the definitions' short forms where a number needs one.
 */
import type { BusinessReport } from '../events/report.js';

const n = (x: number) => x.toLocaleString('en-US');
const usd = (x: number) =>
  `$${x.toLocaleString('en-US', { minimumFractionDigits: x < 1000 ? 2 : 0, maximumFractionDigits: x < 1000 ? 2 : 0 })}`;
const pct = (x: number | null, digits = 1) => (x === null ? '—' : `${x.toFixed(digits)} %`);
const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const plural = (x: number, one: string) => `${n(x)} ${x === 1 ? one : `${one}s`}`;
const share = (part: number, whole: number) => (whole === 0 ? null : (100 * part) / whole);

function row(label: string, value: string, note = ''): string {
  return `  ${label.padEnd(44)}${value.padStart(14)}${note ? `   ${note}` : ''}\n`;
}

function span(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  return `${Math.round(hours / 24)} days`;
}

export function formatReport(r: BusinessReport): string {
  const c = r.challenges;
  const a = r.attacks;
  let out = `botgate report · ${utc(r.range.from)} → ${utc(r.range.to)} (${r.range.since ?? span(r.range.to - r.range.from)})\n`;
  out += `${n(r.traffic.requests)} requests decided${r.mode ? ` · mode now: ${r.mode}` : ''}\n\n`;

  out += 'Challenges\n';
  out += row('Logins decided', n(c.logins));
  out += row('A CAPTCHA on every login would ask', n(c.baseline));
  out += row(
    'botgate challenged',
    n(c.challenged),
    c.applied === c.challenged ? '' : `(${n(c.applied)} applied, the rest in monitor mode)`,
  );
  out += row('Reduction', c.reductionPercent === null ? '—' : `−${pct(c.reductionPercent)}`);
  out += row(
    'Real users challenged',
    pct(c.realUsers.challengeRatePercent, 2),
    `(${n(c.realUsers.challenged)} of ${n(c.realUsers.logins)} logins without attack evidence)`,
  );
  out += row('Real users refused', pct(c.realUsers.refusalRatePercent, 2), `(${n(c.realUsers.refused)})`);

  out += '\nAttack attempts\n';
  out += row('Attempts (strong evidence of an attack)', n(a.attempts));
  out += row('Stopped', n(a.stopped), a.attempts === 0 ? '' : pct(share(a.stopped, a.attempts)));
  if (a.wouldHaveStopped > 0) out += row('Recorded in monitor mode, would have stopped', n(a.wouldHaveStopped));
  out += row('Reached the application', n(a.reachedApplication));
  if (a.byThreat.length > 0) {
    out += `\n  ${'By threat'.padEnd(32)}${'attempts'.padStart(12)}${'stopped'.padStart(12)}${'monitor'.padStart(10)}${'reached'.padStart(10)}\n`;
    for (const t of a.byThreat) {
      out += `  ${t.words.padEnd(32)}${n(t.attempts).padStart(12)}${n(t.stopped).padStart(12)}${n(t.wouldHaveStopped).padStart(10)}${n(t.reachedApplication).padStart(10)}\n`;
    }
  }
  if (a.stoppedWithoutAttackEvidence > 0)
    out += `  Also stopped on weak signals only, not counted as attacks: ${n(a.stoppedWithoutAttackEvidence)}\n`;

  out += '\nAccounts\n';
  out += row('Targeted by login attacks', n(r.accounts.targeted));
  out += row('Protected', n(r.accounts.protected));
  out += row(
    'Flagged as possibly taken over (ato.suspected)',
    n(r.accounts.compromisedFlagged),
    `(${plural(r.accounts.takeoverEvents, 'alert')})`,
  );

  out += '\nEstimated losses avoided\n';
  out += row(
    `${plural(r.losses.accountsProtected, 'account')} protected × ${usd(r.losses.costPerAccountUsd)}`,
    usd(r.losses.avoidedUsd),
  );

  out += '\nMonitor mode\n';
  if (r.monitor.decisions === 0) out += '  Every decision in the range was enforced.\n';
  else {
    out += row('Decisions recorded, not applied', n(r.monitor.decisions));
    out += row(
      'Would have been stopped',
      n(r.monitor.wouldHaveStopped),
      `(${n(r.monitor.wouldHaveStoppedAttacks)} attack attempts)`,
    );
    out += row('Logins that would have been challenged', n(r.monitor.wouldHaveChallengedLogins));
    out += row('Real users who would have been refused', n(r.monitor.wouldHaveRefusedRealUsers));
    out += row(
      'Losses it would have avoided',
      usd(r.losses.wouldHaveAvoidedUsd),
      `(${plural(r.accounts.wouldHaveProtected, 'account')})`,
    );
  }

  out += '\nAttack mode\n';
  if (r.attackMode.periods.length === 0) out += '  No login flow was in attack mode.\n';
  for (const p of r.attackMode.periods) {
    out += `  ${p.flow}: ${utc(p.startedAt)} → ${p.endedAt === null ? 'ongoing' : utc(p.endedAt)} (${span(p.durationMs)} in range)\n`;
  }

  out += '\nTop sources by attack attempts\n';
  const keys = [
    ['ip', 'IP'],
    ['prefix', 'Network'],
    ['fingerprint', 'Fingerprint'],
    ['userAgent', 'User agent'],
  ] as const;
  let any = false;
  for (const [key, label] of keys) {
    for (const s of r.topSources[key].filter((x) => x.attacks > 0).slice(0, 3)) {
      any = true;
      out += `  ${label.padEnd(12)}${s.value.padEnd(34)}${n(s.attacks).padStart(10)} of ${n(s.requests)} requests\n`;
    }
  }
  if (!any) out += '  No source sent attack attempts.\n';
  out += '\nDefinitions: docs/console.md, or "definitions" in botgate report --json.\n';
  return out;
}
