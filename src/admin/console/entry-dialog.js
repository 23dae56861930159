// The block / allow dialog: what, for how long, and why (the audit trail keeps who and when).

import { api } from './api.js';
import { h } from './dom.js';

const DURATIONS = [
  ['15m', '15 minutes'],
  ['1h', '1 hour'],
  ['24h', '24 hours'],
  ['7d', '7 days'],
  ['30d', '30 days'],
];

const TARGET_WORDS = { ip: 'address', prefix: 'network', fingerprint: 'header fingerprint' };

/** Resolves with the entry added, or null when cancelled. */
export function openEntryDialog({ list, target, value }) {
  return new Promise((resolve) => {
    const duration = h(
      'select',
      { name: 'duration' },
      DURATIONS.map(([v, label]) => h('option', { value: v, selected: v === '1h' }, label)),
    );
    const reason = h('input', {
      name: 'reason',
      required: true,
      maxlength: 200,
      placeholder:
        list === 'block' ? 'e.g. credential stuffing from this network' : 'e.g. partner integration, verified by phone',
    });
    const error = h('div', { class: 'error-box', hidden: true });
    const submit = h(
      'button',
      { type: 'submit', class: list === 'block' ? 'danger' : 'primary' },
      list === 'block' ? 'Block' : 'Allow',
    );
    const dialog = h(
      'dialog',
      { 'aria-label': `${list} ${value}` },
      h(
        'form',
        {
          method: 'dialog',
          onsubmit: async (e) => {
            e.preventDefault();
            submit.disabled = true;
            try {
              const { entry } = await api.addEntry({
                list,
                target,
                value,
                duration: duration.value,
                reason: reason.value,
              });
              dialog.close();
              resolve(entry);
            } catch (err) {
              error.hidden = false;
              error.textContent = err.message;
              submit.disabled = false;
            }
          },
        },
        h('h2', {}, `${list === 'block' ? 'Block' : 'Allow'} this ${TARGET_WORDS[target]}`),
        h('p', { class: 'mono' }, value),
        h(
          'p',
          { class: 'muted small' },
          list === 'block'
            ? 'Its requests are blocked (403 with a reference id) from the next one on, until the entry expires or is removed.'
            : 'Its requests skip detection and reach the application from the next one on, until the entry expires or is removed.',
        ),
        h('label', {}, 'For', duration),
        h('label', {}, 'Why (kept in the audit trail)', reason),
        error,
        h(
          'div',
          { class: 'dialog-actions' },
          h(
            'button',
            {
              type: 'button',
              onclick: () => {
                dialog.close();
                resolve(null);
              },
            },
            'Cancel',
          ),
          submit,
        ),
      ),
    );
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(null);
    });
    document.body.append(dialog);
    dialog.showModal();
    reason.focus();
  });
}

/** Asks why, then removes an entry. Resolves true once removed, false when cancelled. */
export function openRemovalDialog(entry) {
  return new Promise((resolve) => {
    const reason = h('input', { name: 'reason', required: true, maxlength: 200, value: 'no longer needed' });
    const error = h('div', { class: 'error-box', hidden: true });
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Remove');
    let done = false;
    const finish = (value) => {
      if (done) return;
      done = true;
      dialog.close();
      resolve(value);
    };
    const dialog = h(
      'dialog',
      { 'aria-label': `Remove the ${entry.list} entry` },
      h(
        'form',
        {
          method: 'dialog',
          onsubmit: async (e) => {
            e.preventDefault();
            submit.disabled = true;
            try {
              await api.removeEntry(entry.id, reason.value);
              finish(true);
            } catch (err) {
              error.hidden = false;
              error.textContent = err.message;
              submit.disabled = false;
            }
          },
        },
        h('h2', {}, `Remove the ${entry.list} entry`),
        h('p', { class: 'mono' }, entry.value ?? entry.id),
        h(
          'p',
          { class: 'muted small' },
          entry.list === 'block'
            ? 'Its requests are judged by the policy again from the next one on.'
            : 'Its requests go through detection again from the next one on.',
        ),
        h('label', {}, 'Why (kept in the audit trail)', reason),
        error,
        h(
          'div',
          { class: 'dialog-actions' },
          h('button', { type: 'button', onclick: () => finish(false) }, 'Cancel'),
          submit,
        ),
      ),
    );
    dialog.addEventListener('close', () => {
      dialog.remove();
      finish(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    reason.select();
  });
}
