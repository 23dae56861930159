// The business report for a range: challenges against a challenge-every-login baseline, attack
// attempts stopped by threat, accounts protected and losses avoided, takeovers flagged, what
// monitor mode recorded, attack-mode periods and the worst sources. Definitions at the bottom.

import { ACTION_COLORS, ACTION_WORDS, ACTIONS } from '../actions.js';
import { api } from '../api.js';
import { barList, stackedBars } from '../chart.js';
import { h, replace } from '../dom.js';
import { duration, money, num, percent, plural, short, stamp } from '../format.js';
import { card, emptyState, errorBox, kpi, segmented } from '../widgets.js';

const RANGES = [
  ['24h', 'Last 24 hours'],
  ['7d', 'Last 7 days'],
  ['30d', 'Last 30 days'],
];

const THREAT_COLORS = {
  'account-takeover': '#c92a2a',
  'credential-cracking': '#e8590c',
  'password-spraying': '#f08c00',
  'credential-stuffing': '#e03131',
  'fake-accounts': '#7048e8',
  'comment-spam': '#1c7ed6',
  scraping: '#0c8599',
  'deny-list': '#495057',
  other: '#868e96',
};

export function reportPage() {
  let since = '7d';
  const body = h('div', { class: 'report-body' }, h('p', { class: 'muted' }, 'Loading…'));
  const el = h(
    'div',
    { class: 'page' },
    h(
      'div',
      { class: 'page-head' },
      h(
        'div',
        {},
        h('h1', {}, 'Report'),
        h('p', { class: 'muted' }, 'Results in the business’s terms, computed from the event database.'),
      ),
      h('div', { class: 'spacer' }),
      segmented(RANGES, since, (v) => {
        since = v;
        load();
      }),
      h('button', { type: 'button', onclick: () => window.print(), title: 'Print or save as PDF' }, 'Print'),
    ),
    body,
  );

  async function load() {
    try {
      const report = await api.report({ since });
      replace(body, render(report));
    } catch (error) {
      replace(
        body,
        error.code === 'no_archive'
          ? card(
              {},
              emptyState(
                'The report needs an event database.',
                'Set events.sqlite (the default) or events.postgres in the policy, then restart the gateway.',
              ),
            )
          : errorBox(error),
      );
    }
  }
  load();
  return { el };
}

function render(r) {
  const c = r.challenges;
  const a = r.attacks;
  const period = `${stamp(r.range.from)} – ${stamp(r.range.to)}`;
  if (r.traffic.requests === 0) {
    return card(
      {},
      emptyState(
        'No requests in this period.',
        `Nothing was recorded between ${period}. Pick a longer range, or send traffic through the gateway.`,
      ),
    );
  }
  const chart = stackedBars({
    keys: ACTIONS,
    colors: ACTION_COLORS,
    labels: ACTION_WORDS,
    yLabel: 'requests',
    height: 240,
  });
  chart.update(r.traffic.series);
  const monitorShare = r.monitor.decisions / Math.max(1, r.traffic.requests);

  return h(
    'div',
    { class: 'report-sections' },
    h(
      'p',
      { class: 'muted small' },
      `${period} · ${num(r.traffic.requests)} requests decided · mode now: ${r.mode ?? 'unknown'}`,
    ),
    monitorShare > 0.5
      ? h(
          'div',
          { class: 'note warn' },
          'Most decisions in this period were recorded in monitor mode: nothing was applied. The figures below say what would have happened; see “What monitor mode recorded”.',
        )
      : null,
    h(
      'div',
      { class: 'kpis' },
      kpi(
        'Challenges vs. a CAPTCHA on every login',
        c.reductionPercent === null ? '—' : `−${percent(c.reductionPercent)}`,
        c.logins === 0 ? 'No logins in this period.' : `${num(c.challenged)} challenges instead of ${num(c.baseline)}`,
        c.reductionPercent !== null && c.reductionPercent >= 90 ? 'good' : '',
      ),
      kpi(
        'Real users challenged',
        percent(c.realUsers.challengeRatePercent, 2),
        c.realUsers.logins === 0
          ? 'No logins without attack evidence.'
          : `${num(c.realUsers.challenged)} of ${num(c.realUsers.logins)} logins; ${num(c.realUsers.refused)} refused`,
        c.realUsers.challengeRatePercent !== null && c.realUsers.challengeRatePercent <= 0.5 ? 'good' : '',
      ),
      kpi(
        'Attack attempts stopped',
        short(a.stopped),
        `${percent(a.attempts === 0 ? null : (100 * a.stopped) / a.attempts)} of ${num(a.attempts)} attempts`,
      ),
      kpi(
        'Estimated losses avoided',
        money(r.losses.avoidedUsd),
        `${plural(r.losses.accountsProtected, 'account')} protected × ${money(r.losses.costPerAccountUsd)}`,
        r.losses.avoidedUsd > 0 ? 'good' : '',
      ),
      kpi(
        'Accounts flagged as possibly taken over',
        num(r.accounts.compromisedFlagged),
        `${plural(r.accounts.targeted, 'account')} targeted by login attacks`,
        r.accounts.compromisedFlagged > 0 ? 'bad' : 'good',
      ),
    ),
    card({ title: 'Traffic by decision', sub: 'Every gateway node writing to this event database.' }, chart.el),
    h(
      'div',
      { class: 'grid-2' },
      card(
        { title: 'Attack attempts by threat', sub: 'Requests with strong attack evidence, by what they attempted.' },
        a.byThreat.length === 0
          ? emptyState(
              'No attack attempts in this period.',
              'Requests with strong evidence of an attack are counted here.',
            )
          : [
              barList(a.byThreat.map((t) => ({ label: t.words, value: t.attempts, color: THREAT_COLORS[t.threat] }))),
              h(
                'table',
                { class: 'threat-table' },
                h(
                  'thead',
                  {},
                  h(
                    'tr',
                    {},
                    h('th', {}, 'Threat'),
                    h('th', { class: 'num' }, 'Attempts'),
                    h('th', { class: 'num' }, 'Stopped'),
                    h('th', { class: 'num' }, 'Monitor only'),
                    h('th', { class: 'num' }, 'Reached the app'),
                  ),
                ),
                h(
                  'tbody',
                  {},
                  a.byThreat.map((t) =>
                    h(
                      'tr',
                      {},
                      h('td', {}, t.words),
                      h('td', { class: 'num' }, num(t.attempts)),
                      h('td', { class: 'num' }, num(t.stopped)),
                      h('td', { class: 'num' }, num(t.wouldHaveStopped)),
                      h('td', { class: 'num' }, num(t.reachedApplication)),
                    ),
                  ),
                ),
              ),
              a.stoppedWithoutAttackEvidence > 0
                ? h(
                    'p',
                    { class: 'muted small' },
                    `Also stopped on weak signals only (not counted as attacks): ${num(a.stoppedWithoutAttackEvidence)}.`,
                  )
                : null,
            ],
      ),
      h(
        'div',
        { class: 'stack' },
        card(
          { title: 'Challenges' },
          h(
            'dl',
            { class: 'facts' },
            h('dt', {}, 'Logins decided'),
            h('dd', {}, num(c.logins)),
            h('dt', {}, 'Challenged'),
            h('dd', {}, `${num(c.challenged)} (${num(c.applied)} applied)`),
            h('dt', {}, 'CAPTCHA on every login'),
            h('dd', {}, `${num(c.baseline)} challenges`),
            h('dt', {}, 'Reduction'),
            h('dd', {}, h('b', {}, c.reductionPercent === null ? '—' : percent(c.reductionPercent))),
            h('dt', {}, 'Challenges on every flow'),
            h('dd', {}, num(c.allFlows)),
          ),
        ),
        card(
          { title: 'Accounts and losses' },
          h(
            'dl',
            { class: 'facts' },
            h('dt', {}, 'Targeted by login attacks'),
            h('dd', {}, num(r.accounts.targeted)),
            h('dt', {}, 'Protected'),
            h('dd', {}, num(r.accounts.protected)),
            h('dt', {}, 'Flagged, possibly taken over'),
            h(
              'dd',
              {},
              `${plural(r.accounts.compromisedFlagged, 'account')} (${plural(r.accounts.takeoverEvents, 'alert')})`,
            ),
            h('dt', {}, 'Losses avoided'),
            h(
              'dd',
              {},
              h('b', {}, money(r.losses.avoidedUsd)),
              h('span', { class: 'muted' }, ` at ${money(r.losses.costPerAccountUsd)} an account`),
            ),
          ),
        ),
      ),
    ),
    h(
      'div',
      { class: 'grid-2' },
      card(
        { title: 'What monitor mode recorded', sub: 'Decisions computed in full but not applied (enforced: false).' },
        r.monitor.decisions === 0
          ? emptyState(
              'Every decision in this period was enforced.',
              'In monitor mode, this shows what would have been stopped.',
            )
          : h(
              'dl',
              { class: 'facts' },
              h('dt', {}, 'Decisions recorded only'),
              h('dd', {}, num(r.monitor.decisions)),
              h('dt', {}, 'Would have been stopped'),
              h(
                'dd',
                {},
                `${num(r.monitor.wouldHaveStopped)} requests, ${num(r.monitor.wouldHaveStoppedAttacks)} of them attacks`,
              ),
              h('dt', {}, 'Logins that would have been challenged'),
              h('dd', {}, num(r.monitor.wouldHaveChallengedLogins)),
              h('dt', {}, 'Real users who would have been refused'),
              h('dd', {}, num(r.monitor.wouldHaveRefusedRealUsers)),
              h('dt', {}, 'Losses it would have avoided'),
              h(
                'dd',
                {},
                `${money(r.losses.wouldHaveAvoidedUsd)} (${plural(r.accounts.wouldHaveProtected, 'account')})`,
              ),
            ),
      ),
      card(
        {
          title: 'Attack mode',
          sub: 'Periods when a login flow’s failures or unknown usernames rose far above its baseline.',
        },
        r.attackMode.periods.length === 0
          ? emptyState('No attack mode in this period.', 'Login flows stayed within their learned baseline.')
          : h(
              'table',
              {},
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  h('th', {}, 'Flow'),
                  h('th', {}, 'Started'),
                  h('th', {}, 'Ended'),
                  h('th', { class: 'num' }, 'In range'),
                ),
              ),
              h(
                'tbody',
                {},
                r.attackMode.periods.map((p) =>
                  h(
                    'tr',
                    {},
                    h('td', {}, p.flow, p.detail ? h('span', { class: 'sub' }, p.detail) : null),
                    h('td', {}, stamp(p.startedAt)),
                    h('td', {}, p.endedAt === null ? h('span', { class: 'badge alert' }, 'ongoing') : stamp(p.endedAt)),
                    h('td', { class: 'num' }, duration(p.durationMs)),
                  ),
                ),
              ),
            ),
      ),
    ),
    card(
      { title: 'Worst sources', sub: 'Ranked by attack attempts in the period; block them from Top sources.' },
      h(
        'div',
        { class: 'grid-2' },
        [
          ['ip', 'IP addresses'],
          ['prefix', 'Networks'],
          ['fingerprint', 'Header fingerprints'],
          ['userAgent', 'User-agent families'],
        ].map(([key, title]) =>
          h(
            'div',
            {},
            h('h3', {}, title),
            barList(
              r.topSources[key]
                .filter((s) => s.attacks > 0)
                .map((s) => ({
                  label: h('span', { class: 'mono' }, s.value),
                  value: s.attacks,
                  sub: `of ${short(s.requests)}`,
                  color: '#e03131',
                })),
              { empty: 'No attacks from any source.' },
            ),
          ),
        ),
      ),
    ),
    card(
      { title: 'How these numbers are counted' },
      h(
        'dl',
        { class: 'definitions' },
        Object.entries(r.definitions).map(([k, v]) => [h('dt', {}, DEFINITION_TITLES[k] ?? k), h('dd', {}, v)]),
      ),
    ),
  );
}

const DEFINITION_TITLES = {
  logins: 'Logins',
  baseline: 'Baseline',
  challenged: 'Challenged',
  attack: 'Attack attempt',
  realUsers: 'Real users',
  stopped: 'Stopped',
  accountsProtected: 'Accounts protected',
  lossesAvoided: 'Losses avoided',
  compromised: 'Flagged accounts',
  monitor: 'Monitor mode',
};
