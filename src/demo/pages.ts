/**
 * The marketplace's HTML. Small, valid pages with a language, a title, labelled fields and one
 * `<main>`; the script and stylesheet come from /static/. Every value that came from a user is
 * escaped. Pages that never change are built once by the routes.
 */
import type { Listing, ListingDetail } from './listings.js';

export const SITE_NAME = 'Demo Market';
/** The failure text of the login form: botgate's policy can recognise a failed login by it. */
export const LOGIN_FAILURE_TEXT = 'Invalid username or password';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

const price = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

function layout(title: string, main: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · ${SITE_NAME}</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/app.css">
<script type="module" src="/static/app.js"></script>
</head>
<body>
<header class="site">
<a class="brand" href="/">${SITE_NAME}</a>
<nav aria-label="Account"><a href="/login">Sign in</a> <a href="/signup">Create account</a> <a href="/account">Account</a></nav>
</header>
<main id="main">
${main}
</main>
<footer class="site"><p>A demo marketplace, protected by botgate.</p></footer>
</body>
</html>
`;
}

export function homePage(listings: readonly Listing[]): string {
  const items = listings
    .map(
      (listing) =>
        `<li><a href="/listings/${listing.id}">${escapeHtml(listing.title)}</a> <span class="price">${price.format(listing.price)}</span></li>`,
    )
    .join('\n');
  return layout('Listings', `<h1>Listings</h1>\n<ul class="listings">\n${items}\n</ul>`);
}

export function listingPage(listing: ListingDetail): string {
  const comments =
    listing.comments.length === 0
      ? '<p>No comments yet.</p>'
      : `<ol class="comments">\n${listing.comments
          .map(
            (comment) => `<li><p>${escapeHtml(comment.text)}</p><p class="by">${escapeHtml(comment.author)}</p></li>`,
          )
          .join('\n')}\n</ol>`;
  return layout(
    listing.title,
    `<h1>${escapeHtml(listing.title)}</h1>
<p class="price">${price.format(listing.price)}</p>
<p>Sold by ${escapeHtml(listing.seller)}.</p>
<p>${escapeHtml(listing.description)}</p>
<section aria-labelledby="comments-title">
<h2 id="comments-title">Comments</h2>
${comments}
</section>`,
  );
}

export function loginPage(failed = false, username = ''): string {
  const alert = failed ? `<p class="error" role="alert">${LOGIN_FAILURE_TEXT}</p>\n` : '';
  return layout(
    'Sign in',
    `<h1>Sign in</h1>
${alert}<form class="stack" method="post" action="/login">
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" required value="${escapeHtml(username)}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
<p>New here? <a href="/signup">Create an account</a>.</p>`,
  );
}

export function signupPage(): string {
  return layout(
    'Create account',
    `<h1>Create account</h1>
<form class="stack" id="signup-form" method="post" action="/api/signup">
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" required minlength="3" maxlength="32" pattern="[A-Za-z0-9._\\-]+" aria-describedby="username-help">
<p class="help" id="username-help">3 to 32 letters, digits, dots, dashes or underscores.</p>
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="email" required>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="new-password" required minlength="8" aria-describedby="password-help">
<p class="help" id="password-help">At least 8 characters.</p>
<button type="submit">Create account</button>
</form>
<p id="signup-result" role="status" aria-live="polite"></p>
<noscript><p>Creating an account needs JavaScript.</p></noscript>
<p>Already have an account? <a href="/login">Sign in</a>.</p>`,
  );
}

export function accountPage(username: string): string {
  return layout(
    'Your account',
    `<h1>Your account</h1>
<p>Signed in as ${escapeHtml(username)}</p>
<form method="post" action="/logout"><button type="submit">Sign out</button></form>`,
  );
}

export function notFoundPage(): string {
  return layout('Not found', '<h1>Not found</h1>\n<p>There is no page here. <a href="/">Back to the listings</a>.</p>');
}

export function errorPage(title: string, message: string): string {
  return layout(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>`);
}
