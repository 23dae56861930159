// Log in with the admin token; the name goes into the audit trail of every block or allow.

import { api } from '../api.js';
import { h } from '../dom.js';

export function loginPage({ message, onLoggedIn }) {
  const token = h('input', {
    type: 'password',
    name: 'token',
    autocomplete: 'current-password',
    required: true,
    placeholder: 'admin.token or BOTGATE_ADMIN_TOKEN',
  });
  const name = h('input', {
    type: 'text',
    name: 'name',
    autocomplete: 'name',
    required: true,
    maxlength: 80,
    placeholder: 'e.g. Dana, security on call',
  });
  const error = h('div', { class: message ? 'note' : 'error-box', hidden: !message, role: 'alert' }, message ?? '');
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Log in');
  const form = h(
    'form',
    {
      class: 'card login-card',
      onsubmit: async (e) => {
        e.preventDefault();
        submit.disabled = true;
        try {
          const session = await api.login(token.value, name.value);
          onLoggedIn(session);
        } catch (err) {
          error.className = 'error-box';
          error.hidden = false;
          error.textContent = err.message;
          submit.disabled = false;
          token.select();
        }
      },
    },
    h(
      'div',
      { class: 'brand' },
      h('img', { src: 'favicon.svg', alt: '' }),
      h('div', {}, 'botgate', h('small', { class: 'muted' }, 'security console')),
    ),
    h('p', { class: 'muted' }, 'Live traffic, the business report, top sources and every decision explained.'),
    h('label', {}, 'Admin token', token),
    h('label', {}, 'Your name (recorded with each block or allow)', name),
    error,
    submit,
  );
  queueMicrotask(() => token.focus());
  return { el: h('div', { class: 'login-wrap' }, form) };
}
