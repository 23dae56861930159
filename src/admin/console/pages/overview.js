// What is happening now: live traffic by decision (this node, every 3 s), today's key numbers,
// the worst sources of the last hour with one-click block, and the latest stopped requests.

import { ACTION_COLORS, ACTION_WORDS, ACTIONS, STOPS } from '../actions.js';
import { api } from '../api.js';
import { stackedBars } from '../chart.js';
import { h, replace } from '../dom.js';
import { ago, money, num, percent, plural, short } from '../format.js';
import { actionBadge, card, emptyState, errorBox, kpi, poll, segmented, sourcesTable } from '../widgets.js';

export function overviewPage({ navigate, toast, status }) {
  const kpis = h(
    'div',
    { class: 'kpis' },
    kpi('Requests, last 15 min', '—'),
    kpi('Stopped', '—'),
    kpi('Real users challenged, 24 h', '—'),
    kpi('Attacks stopped, 24 h', '—'),
    kpi('Losses avoided, 24 h', '—'),
  );
  const chart = stackedBars({
    keys: ACTIONS,
    colors: ACTION_COLORS,
    labels: ACTION_WORDS,
    yLabel: 'requests',
    height: 270,
    emptyText: 'No requests in the last 15 minutes.',
  });
  const chartNote = h('span', { class: 'badge live' }, h('span', { class: 'dot' }), 'Live · every 3 s');
  const sourcesBody = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const recentBody = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  let sourceKind = 'ip';
  let traffic = null;
  let daily = null;

  const el = h(
    'div',
    { class: 'page' },
    h(
      'div',
      { class: 'page-head' },
      h(
        'div',
        {},
        h('h1', {}, 'Overview'),
        h('p', { class: 'muted' }, 'What the gateway is deciding right now, and the last 24 hours in numbers.'),
      ),
    ),
    kpis,
    card(
      {
        title: 'Traffic by decision',
        sub: 'This gateway node, last 15 minutes, in 10-second buckets. Click a legend entry to hide it.',
        actions: chartNote,
      },
      chart.el,
    ),
    h(
      'div',
      { class: 'grid-3-2' },
      card(
        {
          title: 'Top sources, last hour',
          sub: 'Ranked by attack attempts. Block or allow one for a chosen time.',
          actions: segmented(
            [
              ['ip', 'IP'],
              ['prefix', 'Network'],
              ['fingerprint', 'Fingerprint'],
            ],
            sourceKind,
            (v) => {
              sourceKind = v;
              refreshSources();
            },
          ),
        },
        sourcesBody,
      ),
      card({ title: 'Latest stopped requests', sub: 'Click one to see why it was stopped.' }, recentBody),
    ),
  );

  const drawKpis = () => {
    const totals = traffic?.totals;
    const requests = totals ? ACTIONS.reduce((n, a) => n + totals[a], 0) : null;
    const stopped = totals ? ACTIONS.filter((a) => STOPS.has(a)).reduce((n, a) => n + totals[a], 0) : null;
    const r = daily?.report;
    const real = r?.challenges.realUsers;
    const monitor = status()?.mode === 'monitor';
    replace(
      kpis,
      kpi(
        'Requests, last 15 min',
        requests === null ? '—' : short(requests),
        requests === null ? null : `${(requests / 900).toFixed(1)} per second`,
      ),
      kpi(
        'Stopped, last 15 min',
        requests ? percent((100 * stopped) / requests) : '—',
        requests === null
          ? null
          : `${num(stopped)} requests kept from the application${monitor ? ' (monitor mode: recorded only)' : ''}`,
      ),
      kpi(
        'Real users challenged, 24 h',
        real ? percent(real.challengeRatePercent, 2) : '—',
        daily?.error
          ? daily.error
          : real
            ? `${num(real.challenged)} of ${num(real.logins)} logins without attack evidence`
            : null,
        real && real.challengeRatePercent !== null && real.challengeRatePercent <= 0.5 ? 'good' : '',
      ),
      kpi(
        'Attacks stopped, 24 h',
        r ? short(r.attacks.stopped) : '—',
        r
          ? `of ${num(r.attacks.attempts)} attempts; ${plural(r.accounts.compromisedFlagged, 'account')} flagged`
          : null,
      ),
      kpi(
        'Losses avoided, 24 h',
        r ? money(r.losses.avoidedUsd) : '—',
        r ? `${plural(r.losses.accountsProtected, 'account')} × ${money(r.losses.costPerAccountUsd)}` : null,
        r?.losses.avoidedUsd > 0 ? 'good' : '',
      ),
    );
  };

  const refreshTraffic = async () => {
    try {
      traffic = await api.traffic({ window: '15m', bucket: '10s' });
      chart.update(traffic);
      drawKpis();
    } catch (error) {
      replace(chartNote, error.message);
    }
  };

  const refreshDaily = async () => {
    try {
      daily = { report: await api.report({ since: '24h' }) };
    } catch (error) {
      daily = {
        error:
          error.code === 'no_archive' ? 'Needs an event database (events.sqlite or events.postgres).' : error.message,
      };
    }
    drawKpis();
  };

  async function refreshSources() {
    try {
      const result = await api.sources({ by: sourceKind, since: '1h', limit: 8, order: 'attacks' });
      replace(
        sourcesBody,
        sourcesTable(result, { compact: true, toast, onChanged: refreshSources, now: status()?.now ?? Date.now() }),
      );
    } catch (error) {
      replace(
        sourcesBody,
        error.code === 'no_archive'
          ? emptyState(
              'Top sources need an event database.',
              'Set events.sqlite (the default) or events.postgres in the policy.',
            )
          : errorBox(error),
      );
    }
  }

  const refreshRecent = async () => {
    try {
      const { events } = await api.events({ limit: 300 });
      const stopped = events.filter((e) => e.type === 'decision' && e.action !== 'allow').slice(0, 8);
      const now = status()?.now ?? Date.now();
      replace(
        recentBody,
        stopped.length === 0
          ? emptyState(
              'Nothing stopped recently.',
              'Blocked, challenged and deceived requests appear here as they happen.',
            )
          : h(
              'table',
              {},
              h('thead', {}, h('tr', {}, h('th', {}, 'Decision'), h('th', {}, 'Request'), h('th', {}, 'When'))),
              h(
                'tbody',
                {},
                stopped.map((e) =>
                  h(
                    'tr',
                    { class: 'clickable', onclick: () => navigate(`#/events/${e.id}`), title: 'Explain this decision' },
                    h('td', {}, actionBadge(e.action, e.enforced)),
                    h(
                      'td',
                      {},
                      h('div', { class: 'truncate' }, `${e.method} ${e.path}`),
                      h('span', { class: 'sub mono' }, `${e.ip} · ${e.decidedBy}`),
                    ),
                    h('td', { class: 'muted nowrap' }, ago(e.time, now)),
                  ),
                ),
              ),
            ),
      );
    } catch (error) {
      replace(recentBody, errorBox(error));
    }
  };

  const stops = [
    poll(refreshTraffic, 3_000),
    poll(refreshRecent, 5_000),
    poll(refreshSources, 15_000),
    poll(refreshDaily, 30_000),
  ];
  return {
    el,
    destroy: () => {
      for (const stop of stops) stop();
    },
  };
}
