// One decision explained: what was decided and by which rule, whether it was applied, each
// finding with its score and meaning, the request's signals (each a search, most a block).

import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { openEntryDialog } from '../entry-dialog.js';
import { num, stamp } from '../format.js';
import { actionBadge, card, emptyState, errorBox } from '../widgets.js';

export function explainPage({ params, toast }) {
  const id = params[0];
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
        h('a', { href: '#/events', class: 'small' }, '← Events'),
        h('h1', {}, 'Why this decision'),
        h('p', { class: 'muted mono' }, id),
      ),
    ),
    body,
  );
  api
    .explain(id)
    .then((data) => replace(body, render(data, toast)))
    .catch((error) =>
      replace(
        body,
        error.status === 404
          ? card(
              {},
              emptyState(
                'No event with this reference id.',
                'It may be older than what the gateway keeps, or from another node without a shared event database.',
              ),
            )
          : errorBox(error),
      ),
    );
  return { el };
}

function render({ event, explanation: x }, toast) {
  const block = (target, value) => async () => {
    const entry = await openEntryDialog({ list: 'block', target, value });
    if (entry) toast(`Blocked ${entry.value} until ${stamp(entry.expiresAt)}. It applies from the next request.`);
  };
  const signal = (label, value, target) =>
    value
      ? [
          h('dt', {}, label),
          h(
            'dd',
            {},
            h(
              'a',
              { href: `#/events?${new URLSearchParams({ q: value })}`, class: 'mono', title: 'Search its events' },
              value,
            ),
            target
              ? [' ', h('button', { type: 'button', class: 'small', onclick: block(target, value) }, 'Block')]
              : null,
          ),
        ]
      : null;

  return h(
    'div',
    { class: 'report-sections' },
    card(
      {},
      h(
        'div',
        { class: 'verdict' },
        actionBadge(x.action, x.enforced),
        h(
          'div',
          {},
          h('h2', {}, x.decidedBy.words),
          h(
            'p',
            { class: 'muted' },
            `${x.enforced ? 'Applied' : 'Recorded only — monitor mode'} · score ${num(x.score ?? event.score)}/100 · ${stamp(event.time)}`,
          ),
        ),
        x.threat
          ? h(
              'span',
              {
                class: `badge ${x.threat.attack ? 'alert' : ''}`,
                title: x.threat.attack ? 'Strong evidence of an attack' : 'Weak signals only',
              },
              x.threat.words,
              x.threat.attack ? '' : ' (weak signals)',
            )
          : null,
      ),
    ),
    h(
      'div',
      { class: 'grid-2' },
      card(
        { title: 'Decision' },
        h(
          'dl',
          { class: 'facts' },
          h('dt', {}, 'Action'),
          h('dd', {}, actionBadge(x.action, x.enforced), ' ', x.enforced ? 'applied' : 'not applied (monitor mode)'),
          h('dt', {}, 'Decided by'),
          h('dd', {}, h('code', {}, x.decidedBy.source)),
          h('dt', {}, 'Score'),
          h('dd', { class: 'score' }, `${num(event.score)} / 100`),
          h('dt', {}, 'Type'),
          h('dd', {}, event.type),
          h('dt', {}, 'Time to decide'),
          h('dd', {}, `${num(x.response.decisionMicros)} µs`),
        ),
      ),
      card(
        { title: 'Request' },
        h(
          'dl',
          { class: 'facts' },
          h('dt', {}, 'Request'),
          h('dd', { class: 'mono' }, x.request.method ? `${x.request.method} ${x.request.path}` : '—'),
          h('dt', {}, 'Host'),
          h('dd', {}, x.request.host ?? '—'),
          h('dt', {}, 'Flow'),
          h('dd', {}, `${x.request.flow} (${x.request.flowKind})`),
          h('dt', {}, 'Answer'),
          h(
            'dd',
            {},
            x.response.status === 0
              ? 'none (client went away)'
              : `${x.response.status}${x.response.upstreamStatus === null ? ' from botgate' : ` from the application in ${num(x.response.upstreamMs)} ms`}`,
          ),
          h('dt', {}, 'Outcome'),
          h('dd', {}, x.response.outcome ?? '—'),
        ),
      ),
    ),
    card(
      {
        title: 'Findings',
        sub: 'What the detectors and rules found, with their scores. The policy’s rules turn them into the action.',
      },
      x.findings.length === 0
        ? emptyState('No findings.', 'Nothing looked wrong; the request was decided by the default or a list.')
        : h(
            'table',
            {},
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', {}, 'Reason'),
                h('th', {}, 'Meaning and measure'),
                h('th', {}, 'Source'),
                h('th', { class: 'num' }, 'Score'),
              ),
            ),
            h(
              'tbody',
              {},
              x.findings.map((f) =>
                h(
                  'tr',
                  {},
                  h(
                    'td',
                    { class: 'nowrap' },
                    h('a', { href: `#/events?${new URLSearchParams({ q: f.reason })}`, class: 'mono' }, f.reason),
                  ),
                  h('td', { class: 'finding-words' }, f.words, f.detail ? h('span', { class: 'sub' }, f.detail) : null),
                  h('td', { class: 'mono small nowrap' }, f.source),
                  h(
                    'td',
                    { class: 'num nowrap' },
                    h('span', { class: 'meter' }, h('span', { style: { width: `${Math.min(100, f.score)}%` } })),
                    h('span', { class: 'score' }, num(f.score)),
                  ),
                ),
              ),
            ),
          ),
    ),
    card(
      { title: 'Signals', sub: 'What the gateway saw. Click a value to search its events.' },
      h(
        'dl',
        { class: 'facts' },
        signal('Client IP', x.signals.ip, 'ip'),
        signal('Network', x.signals.prefix, 'prefix'),
        signal('Header fingerprint', x.signals.fingerprint, 'fingerprint'),
        h('dt', {}, 'User agent'),
        h('dd', {}, `${x.signals.userAgent.family || 'unknown'} (${x.signals.userAgent.class})`),
        signal('Username hash', x.signals.usernameHash, null),
      ),
    ),
  );
}
