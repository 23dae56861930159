// The console's shell: log in, then a sidebar, a status bar (mode, attack mode, who is logged in)
// and one page at a time, chosen by the URL hash. Pages are functions returning { el, destroy };
// `destroy` stops their polling when another page is shown.

import { api, setSession, whenUnauthorised } from './api.js';
import { h, replace } from './dom.js';
import { icon } from './icons.js';
import { eventsPage } from './pages/events.js';
import { explainPage } from './pages/explain.js';
import { listsPage } from './pages/lists.js';
import { loginPage } from './pages/login.js';
import { overviewPage } from './pages/overview.js';
import { reportPage } from './pages/report.js';
import { sourcesPage } from './pages/sources.js';

const ROUTES = [
  { pattern: /^#\/overview$/, page: overviewPage, nav: 'overview' },
  { pattern: /^#\/report$/, page: reportPage, nav: 'report' },
  { pattern: /^#\/sources$/, page: sourcesPage, nav: 'sources' },
  { pattern: /^#\/events(?:\?(.*))?$/, page: eventsPage, nav: 'events' },
  { pattern: /^#\/events\/([0-9a-f]{16})$/, page: explainPage, nav: 'events' },
  { pattern: /^#\/lists$/, page: listsPage, nav: 'lists' },
];

const NAV = [
  ['overview', 'Overview', 'activity'],
  ['report', 'Report', 'report'],
  ['sources', 'Top sources', 'sources'],
  ['events', 'Events', 'search'],
  ['lists', 'Block & allow', 'shield'],
];

const root = document.getElementById('app');
const app = {
  session: null,
  status: null,
  page: null,
  toasts: h('div', { class: 'toasts', 'aria-live': 'polite' }),
  statusTimer: null,
};

/** A short message in the corner, gone after a few seconds. */
export function toast(message, kind = 'info') {
  const el = h('div', { class: `toast ${kind}` }, message);
  app.toasts.append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4500);
}

export function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

whenUnauthorised(() => showLogin('Your session ended; log in again.'));

async function start() {
  try {
    app.session = await api.session();
    setSession(app.session);
    showShell();
  } catch (error) {
    showLogin(error.status === 401 ? null : error.message);
  }
}

function showLogin(message) {
  stopPage();
  clearInterval(app.statusTimer);
  app.session = null;
  setSession(null);
  root.classList.remove('booting');
  replace(
    root,
    loginPage({
      message,
      onLoggedIn: (session) => {
        app.session = session;
        setSession(session);
        showShell();
      },
    }).el,
  );
}

const shell = {};

function showShell() {
  root.classList.remove('booting');
  shell.nav = h(
    'nav',
    { class: 'sidebar', 'aria-label': 'Console' },
    h(
      'div',
      { class: 'brand' },
      h('img', { src: 'favicon.svg', alt: '' }),
      h('div', {}, 'botgate', h('small', {}, 'security console')),
    ),
    NAV.map(([id, label, glyph]) =>
      h('a', { href: `#/${id}`, class: 'nav-link', dataset: { nav: id } }, icon(glyph), label),
    ),
    h(
      'div',
      { class: 'sidebar-foot' },
      h('div', {}, 'Signed in as'),
      h('strong', { class: 'operator' }, app.session.operator),
      h('div', {}, h('button', { type: 'button', class: 'ghost', onclick: logout }, 'Log out')),
    ),
  );
  shell.badges = h('div', { class: 'badges' });
  shell.clock = h('span', { class: 'muted small' });
  shell.content = h('main', { class: 'content', id: 'content' });
  replace(
    root,
    h(
      'div',
      { class: 'shell' },
      shell.nav,
      h(
        'div',
        { class: 'main' },
        h('header', { class: 'topbar' }, shell.badges, h('div', { class: 'spacer' }), shell.clock),
        shell.content,
      ),
    ),
    app.toasts,
  );
  refreshStatus();
  clearInterval(app.statusTimer);
  app.statusTimer = setInterval(refreshStatus, 5_000);
  if (!location.hash || location.hash === '#' || location.hash === '#/') location.hash = '#/overview';
  else route();
}

async function refreshStatus() {
  try {
    app.status = await api.status();
  } catch {
    return;
  }
  const s = app.status;
  replace(
    shell.badges,
    h(
      'span',
      {
        class: `badge ${s.mode}`,
        title: s.mode === 'monitor' ? 'Decisions are recorded, not applied' : 'Decisions are applied',
      },
      h('span', { class: 'dot' }),
      s.mode === 'monitor' ? 'Monitor mode' : 'Enforcing',
    ),
    ' ',
    s.attackMode.length > 0
      ? h(
          'span',
          {
            class: 'badge alert live',
            title: 'Login flows in attack mode: logins without positive evidence are challenged',
          },
          h('span', { class: 'dot' }),
          `Attack mode: ${s.attackMode.join(', ')}`,
        )
      : h('span', { class: 'badge' }, 'No attack mode'),
    ' ',
    s.archive
      ? null
      : h(
          'span',
          { class: 'badge monitor', title: 'Set events.sqlite or events.postgres for the report and search' },
          'No event database',
        ),
    ...(s.events?.sinks ?? [])
      .filter((k) => k.dropped > 0 || k.backlog > 1000)
      .map((k) => h('span', { class: 'badge alert' }, `${k.name}: ${k.dropped} events dropped`)),
  );
  replace(shell.clock, `Gateway time ${new Date(s.now).toLocaleTimeString(undefined, { hour12: false })}`);
}

function stopPage() {
  app.page?.destroy?.();
  app.page = null;
}

function route() {
  if (!app.session) return;
  const hash = location.hash || '#/overview';
  const match = ROUTES.map((r) => ({ r, m: r.pattern.exec(hash) })).find((x) => x.m);
  stopPage();
  if (!match) {
    location.hash = '#/overview';
    return;
  }
  for (const link of shell.nav.querySelectorAll('.nav-link'))
    link.classList.toggle('active', link.dataset.nav === match.r.nav);
  app.page = match.r.page({ params: match.m.slice(1), status: () => app.status, navigate, toast });
  replace(shell.content, app.page.el);
  window.scrollTo(0, 0);
}

async function logout() {
  try {
    await api.logout();
  } finally {
    showLogin('You are logged out.');
  }
}

window.addEventListener('hashchange', route);
start();
