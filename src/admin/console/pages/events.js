// Event search: one box for a reference id, an IP, a network, a fingerprint, a username hash or
// a reason code, plus an action and a range; each result opens its explanation.

import { ACTIONS } from '../actions.js';
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { date, num, time } from '../format.js';
import { actionBadge, card, emptyState, errorBox } from '../widgets.js';

const RANGES = [
  ['', 'Any time'],
  ['1h', 'Last hour'],
  ['24h', 'Last 24 hours'],
  ['7d', 'Last 7 days'],
];

export function eventsPage({ params, navigate }) {
  const initial = new URLSearchParams(params[0] ?? '');
  const q = h('input', {
    type: 'search',
    name: 'q',
    value: initial.get('q') ?? '',
    placeholder: 'Reference id, IP, network (/24), fingerprint, username hash or reason (stuffing.source-failures)',
    'aria-label': 'Search events',
  });
  const action = h(
    'select',
    { name: 'action', 'aria-label': 'Action' },
    h('option', { value: '' }, 'Any decision'),
    ACTIONS.map((a) => h('option', { value: a, selected: initial.get('action') === a }, a)),
  );
  const since = h(
    'select',
    { name: 'since', 'aria-label': 'Range' },
    RANGES.map(([v, label]) => h('option', { value: v, selected: (initial.get('since') ?? '') === v }, label)),
  );
  const results = h('div', {});

  const search = async () => {
    const params = { q: q.value.trim(), action: action.value, since: since.value, limit: 200 };
    const hash = `#/events?${new URLSearchParams(Object.entries(params).filter(([k, v]) => v && k !== 'limit'))}`;
    if (location.hash !== hash) history.replaceState(null, '', hash);
    replace(results, h('p', { class: 'muted' }, 'Searching…'));
    try {
      const { events, source } = await api.events(params);
      replace(results, table(events, source, navigate, Boolean(params.q || params.action || params.since)));
    } catch (error) {
      replace(results, errorBox(error));
    }
  };

  const el = h(
    'div',
    { class: 'page' },
    h(
      'div',
      { class: 'page-head' },
      h(
        'div',
        {},
        h('h1', {}, 'Events'),
        h('p', { class: 'muted' }, 'Every decision is an event. Find one by what you know about it.'),
      ),
    ),
    card(
      {},
      h(
        'form',
        {
          class: 'search-bar',
          onsubmit: (e) => {
            e.preventDefault();
            search();
          },
        },
        q,
        action,
        since,
        h('button', { type: 'submit', class: 'primary' }, 'Search'),
      ),
    ),
    card({}, results),
  );
  search();
  return { el };
}

function table(events, source, navigate, filtered) {
  if (events.length === 0) {
    return filtered
      ? emptyState('No event matches.', 'Check the value, widen the range, or search by another field.')
      : emptyState('No events yet.', 'Events appear as soon as requests reach the gateway.');
  }
  return h(
    'div',
    {},
    h(
      'p',
      { class: 'muted small' },
      `${num(events.length)} events, newest first${source === 'memory' ? ' (from memory: no event database is configured)' : ''}.`,
    ),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, 'Time'),
            h('th', {}, 'Decision'),
            h('th', {}, 'Request'),
            h('th', {}, 'Source'),
            h('th', {}, 'Decided by'),
            h('th', { class: 'num' }, 'Score'),
            h('th', {}, 'Reasons'),
          ),
        ),
        h(
          'tbody',
          {},
          events.map((e) =>
            h(
              'tr',
              { class: 'clickable', onclick: () => navigate(`#/events/${e.id}`), title: 'Explain this decision' },
              h('td', {}, time(e.time), h('span', { class: 'sub' }, date(e.time))),
              h(
                'td',
                {},
                e.type === 'decision' ? actionBadge(e.action, e.enforced) : h('span', { class: 'badge alert' }, e.type),
              ),
              h(
                'td',
                {},
                h('div', { class: 'truncate' }, e.method ? `${e.method} ${e.path}` : e.flow),
                h('span', { class: 'sub mono' }, e.id),
              ),
              h('td', { class: 'mono' }, e.ip || '—', h('span', { class: 'sub' }, e.userAgentFamily || '')),
              h('td', { class: 'mono small' }, e.decidedBy),
              h('td', { class: 'num score' }, num(e.score)),
              h(
                'td',
                { class: 'small' },
                h('div', { class: 'truncate' }, e.findings.map((f) => f.reason).join(', ') || '—'),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}
