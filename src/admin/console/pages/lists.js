// Runtime block and allow entries: what is active, until when, added by whom and why, and the
// audit trail of every change. Add one by hand for a source not in the top lists.

import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { openEntryDialog, openRemovalDialog } from '../entry-dialog.js';
import { ago, duration, stamp } from '../format.js';
import { card, emptyState, errorBox } from '../widgets.js';

export function listsPage({ toast, status }) {
  const active = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const trail = h('div', {});
  const target = h(
    'select',
    { 'aria-label': 'What' },
    h('option', { value: 'ip' }, 'IP address'),
    h('option', { value: 'prefix' }, 'Network (/24 or /48)'),
    h('option', { value: 'fingerprint' }, 'Header fingerprint'),
  );
  const value = h('input', {
    class: 'grow',
    placeholder: '203.0.113.7, 203.0.113.0/24 or a 12-hex fingerprint',
    'aria-label': 'Value',
  });
  const add = (list) => async () => {
    if (!value.value.trim()) return value.focus();
    const entry = await openEntryDialog({ list, target: target.value, value: value.value.trim() });
    if (entry) {
      toast(`${list === 'block' ? 'Blocked' : 'Allowed'} ${entry.value} until ${stamp(entry.expiresAt)}.`);
      value.value = '';
      load();
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
        h('h1', {}, 'Block & allow'),
        h(
          'p',
          { class: 'muted' },
          'Entries added from the console or the admin API. They apply from the next request, expire by themselves, and live on this node until a restart; permanent lists belong in the policy.',
        ),
      ),
    ),
    status()?.mode === 'monitor'
      ? h('div', { class: 'note warn' }, 'Monitor mode: blocks are recorded as decisions but not applied.')
      : null,
    card(
      { title: 'Add an entry' },
      h(
        'div',
        { class: 'search-bar' },
        target,
        value,
        h('button', { type: 'button', class: 'danger', onclick: add('block') }, 'Block…'),
        h('button', { type: 'button', onclick: add('allow') }, 'Allow…'),
      ),
    ),
    card({ title: 'Active entries' }, active),
    card({ title: 'Audit trail', sub: 'Every change, newest first: who, when, what and why.' }, trail),
  );

  async function load() {
    try {
      const { entries, audit } = await api.lists();
      const now = status()?.now ?? Date.now();
      replace(
        active,
        entries.length === 0
          ? emptyState(
              'No active entries.',
              'Block or allow a source from Top sources, an explained event, or the form above.',
            )
          : h(
              'table',
              {},
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  h('th', {}, 'List'),
                  h('th', {}, 'Source'),
                  h('th', {}, 'Why'),
                  h('th', {}, 'Added'),
                  h('th', {}, 'Expires'),
                  h('th', {}),
                ),
              ),
              h(
                'tbody',
                {},
                entries.map((e) =>
                  h(
                    'tr',
                    {},
                    h('td', {}, h('span', { class: `badge ${e.list === 'block' ? 'alert' : 'enforce'}` }, e.list)),
                    h('td', { class: 'mono' }, e.value, h('span', { class: 'sub' }, e.target)),
                    h('td', {}, e.reason),
                    h('td', {}, e.createdBy, h('span', { class: 'sub' }, ago(e.createdAt, now))),
                    h('td', {}, `in ${duration(e.expiresAt - now)}`, h('span', { class: 'sub' }, stamp(e.expiresAt))),
                    h(
                      'td',
                      { class: 'num' },
                      h(
                        'button',
                        {
                          type: 'button',
                          class: 'small',
                          onclick: async () => {
                            if (!(await openRemovalDialog(e))) return;
                            toast(`Removed the ${e.list} entry for ${e.value}.`);
                            load();
                          },
                        },
                        'Remove',
                      ),
                    ),
                  ),
                ),
              ),
            ),
      );
      replace(
        trail,
        audit.length === 0
          ? emptyState('No changes yet.', 'Each block, allow, removal and expiry is recorded here.')
          : h(
              'table',
              {},
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  h('th', {}, 'When'),
                  h('th', {}, 'Who'),
                  h('th', {}, 'Change'),
                  h('th', {}, 'Source'),
                  h('th', {}, 'Why'),
                ),
              ),
              h(
                'tbody',
                {},
                audit.map((r) =>
                  h(
                    'tr',
                    {},
                    h('td', {}, stamp(r.at)),
                    h('td', {}, r.who),
                    h('td', {}, `${r.change} ${r.entry.list}`),
                    h('td', { class: 'mono' }, r.entry.value),
                    h('td', {}, r.why ?? r.entry.reason),
                  ),
                ),
              ),
            ),
      );
    } catch (error) {
      replace(active, errorBox(error));
    }
  }
  load();
  return { el };
}
