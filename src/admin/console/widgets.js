// Pieces several pages share: cards, KPI tiles, action badges, empty and error states, the
// sources table with its one-click block / allow.

import { ACTION_WORDS } from './actions.js';
import { h, replace } from './dom.js';
import { openEntryDialog, openRemovalDialog } from './entry-dialog.js';
import { ago, num, percent, stamp } from './format.js';

export function card({ title, sub, actions, className = '' }, ...children) {
  return h(
    'section',
    { class: `card ${className}` },
    title
      ? h(
          'div',
          { class: 'card-head' },
          h('div', {}, h('h2', {}, title), sub ? h('p', { class: 'muted small' }, sub) : null),
          h('div', { class: 'spacer' }),
          actions ?? null,
        )
      : null,
    ...children,
  );
}

export function kpi(label, value, sub, tone = '') {
  return h(
    'div',
    { class: 'card kpi' },
    h('div', { class: 'kpi-label' }, label),
    h('div', { class: `kpi-value ${tone}` }, value),
    sub ? h('div', { class: 'kpi-sub' }, sub) : null,
  );
}

export function actionBadge(action, enforced = true) {
  return h(
    'span',
    {
      class: `action ${action}${enforced ? '' : ' unapplied'}`,
      title: enforced ? ACTION_WORDS[action] : `${ACTION_WORDS[action]} — recorded in monitor mode, not applied`,
    },
    action,
  );
}

export function emptyState(title, text) {
  return h('div', { class: 'empty' }, h('strong', {}, title), text);
}

export function errorBox(error) {
  return h('div', { class: 'error-box', role: 'alert' }, error?.message ?? String(error));
}

/** Segmented control: options [[value, label]], calls onChange(value). */
export function segmented(options, value, onChange) {
  const el = h('div', { class: 'segmented', role: 'group' });
  const draw = (current) =>
    replace(
      el,
      options.map(([v, label]) =>
        h(
          'button',
          {
            type: 'button',
            class: v === current ? 'on' : '',
            'aria-pressed': v === current ? 'true' : 'false',
            onclick: () => {
              draw(v);
              onChange(v);
            },
          },
          label,
        ),
      ),
    );
  draw(value);
  return el;
}

/** Runs `tick` now and every `ms`, never two at once; returns the stop function. */
export function poll(tick, ms) {
  let running = false;
  let stopped = false;
  const run = async () => {
    if (running || stopped) return;
    running = true;
    try {
      await tick();
    } finally {
      running = false;
    }
  };
  run();
  const timer = setInterval(run, ms);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

export const SOURCE_KINDS = [
  ['ip', 'IP address'],
  ['prefix', 'Network'],
  ['fingerprint', 'Fingerprint'],
  ['userAgent', 'User agent'],
];

/**
 * The ranked sources table. Rows of IPs, networks and fingerprints carry Block / Allow buttons
 * (or the active entry, with Remove); user-agent families are shared by real users and cannot be
 * blocked from here.
 */
export function sourcesTable(result, { compact = false, onChanged, toast, now = Date.now() }) {
  const { sources, by } = result;
  if (sources.length === 0) {
    return emptyState(
      'No traffic from any source in this period.',
      'Sources appear here as soon as requests reach the gateway.',
    );
  }
  const target = by === 'userAgent' ? null : by;
  const act = async (list, value) => {
    const entry = await openEntryDialog({ list, target, value });
    if (!entry) return;
    toast(
      `${entry.list === 'block' ? 'Blocked' : 'Allowed'} ${entry.value} until ${stamp(entry.expiresAt)}. It applies from the next request.`,
    );
    onChanged?.();
  };
  const remove = async (entry, value) => {
    if (!(await openRemovalDialog({ ...entry, value }))) return;
    toast(`Removed the ${entry.list} entry for ${value}.`);
    onChanged?.();
  };
  return h(
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
          h('th', {}, SOURCE_KINDS.find(([k]) => k === by)?.[1] ?? 'Source'),
          h('th', { class: 'num' }, 'Requests'),
          h('th', { class: 'num' }, 'Attacks'),
          compact ? null : h('th', { class: 'num' }, 'Stopped'),
          compact ? null : h('th', {}, 'Last seen'),
          target ? h('th', { class: 'num' }, '') : null,
        ),
      ),
      h(
        'tbody',
        {},
        sources.map((s) => {
          const share = s.requests === 0 ? 0 : (100 * s.attacks) / s.requests;
          return h(
            'tr',
            {},
            h(
              'td',
              {},
              h(
                'a',
                {
                  href: `#/events?${new URLSearchParams({ q: searchValue(by, s.value) })}`,
                  class: 'mono',
                  title: 'Show its events',
                },
                s.value || '(none)',
              ),
            ),
            h('td', { class: 'num' }, num(s.requests)),
            h(
              'td',
              { class: 'num' },
              h(
                'span',
                { class: 'meter', title: `${percent(share)} of its requests` },
                h('span', { style: { width: `${share}%` } }),
              ),
              num(s.attacks),
            ),
            compact ? null : h('td', { class: 'num' }, num(s.stopped)),
            compact ? null : h('td', { class: 'muted' }, ago(s.lastSeen, now)),
            target
              ? h(
                  'td',
                  { class: 'num' },
                  s.entry
                    ? h(
                        'div',
                        { class: 'inline-actions' },
                        h(
                          'span',
                          {
                            class: `badge ${s.entry.list === 'block' ? 'alert' : 'enforce'}`,
                            title: `until ${stamp(s.entry.expiresAt)}`,
                          },
                          s.entry.list === 'block' ? 'Blocked' : 'Allowed',
                        ),
                        h(
                          'button',
                          { type: 'button', class: 'small', onclick: () => remove(s.entry, s.value) },
                          'Remove',
                        ),
                      )
                    : h(
                        'div',
                        { class: 'inline-actions' },
                        h(
                          'button',
                          {
                            type: 'button',
                            class: 'small danger',
                            onclick: () => act('block', s.value),
                            'data-block': s.value,
                          },
                          'Block',
                        ),
                        h('button', { type: 'button', class: 'small', onclick: () => act('allow', s.value) }, 'Allow'),
                      ),
                )
              : null,
          );
        }),
      ),
    ),
  );
}

/** What to type in the events search to find a source's events (user agents are not searchable). */
function searchValue(by, value) {
  return by === 'userAgent' ? '' : value;
}
