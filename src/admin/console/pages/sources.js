// Top sources by IP, network, header fingerprint or user-agent family over a range, ranked by
// attack attempts or by requests, with one-click block or allow for a chosen duration.

import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { card, emptyState, errorBox, poll, SOURCE_KINDS, segmented, sourcesTable } from '../widgets.js';

const RANGES = [
  ['15m', '15 min'],
  ['1h', '1 hour'],
  ['24h', '24 hours'],
  ['7d', '7 days'],
];

export function sourcesPage({ toast, status }) {
  const state = { by: 'ip', since: '1h', order: 'attacks' };
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const el = h(
    'div',
    { class: 'page' },
    h(
      'div',
      { class: 'page-head' },
      h(
        'div',
        {},
        h('h1', {}, 'Top sources'),
        h(
          'p',
          { class: 'muted' },
          'Who sends the most attacks or requests. Blocks and allows apply from the next request and expire by themselves.',
        ),
      ),
    ),
    card(
      {
        title: h(
          'span',
          {},
          segmented(SOURCE_KINDS, state.by, (v) => set({ by: v })),
        ),
        actions: h(
          'div',
          { class: 'search-bar' },
          segmented(
            [
              ['attacks', 'By attacks'],
              ['requests', 'By requests'],
            ],
            state.order,
            (v) => set({ order: v }),
          ),
          segmented(RANGES, state.since, (v) => set({ since: v })),
        ),
      },
      body,
      h(
        'p',
        { class: 'muted small' },
        'User-agent families are shared by real users and cannot be blocked from here; block their addresses or fingerprints instead.',
      ),
    ),
  );

  function set(change) {
    Object.assign(state, change);
    load();
  }

  async function load() {
    try {
      const result = await api.sources({ ...state, limit: 25 });
      replace(body, sourcesTable(result, { toast, onChanged: load, now: status()?.now ?? Date.now() }));
    } catch (error) {
      replace(
        body,
        error.code === 'no_archive'
          ? emptyState(
              'Top sources need an event database.',
              'Set events.sqlite (the default) or events.postgres in the policy.',
            )
          : errorBox(error),
      );
    }
  }
  const stop = poll(load, 15_000);
  return { el, destroy: stop };
}
