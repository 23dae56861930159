/**
 * The page a browser sees when its challenge answer is refused and a silent retry would not
 * help (or could loop): what happened in plain words, a way to try again, the reference id.
 * It has no script; its one style is allowed by hash, so its CSP is a constant.
 */
import { createHash } from 'node:crypto';
import { type ActionResponse, escapeHtml, PAGE_STYLE } from './response.js';

export interface FailurePageInput {
  readonly status: number;
  /** What happened, one sentence for a person. */
  readonly message: string;
  /** Same-origin path the "Try again" link leads to. */
  readonly retryTo: string;
  readonly referenceId: string;
}

const STYLE_HASH = createHash('sha256').update(PAGE_STYLE).digest('base64');
export const FAILURE_PAGE_CSP = `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

export function renderFailurePage(input: FailurePageInput): ActionResponse {
  const reference = escapeHtml(input.referenceId);
  const body = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>The check did not complete</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<main>
<h1>The check did not complete</h1>
<p>${escapeHtml(input.message)}</p>
<p><a class="button" href="${escapeHtml(input.retryTo)}">Try again</a></p>
<p>If this keeps happening, contact the site’s support and quote reference <code>${reference}</code>.</p>
<p class="ref">Reference: <code>${reference}</code></p>
</main>
</body>
</html>
`;
  return {
    status: input.status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': FAILURE_PAGE_CSP,
      'referrer-policy': 'same-origin',
      'x-content-type-options': 'nosniff',
      'x-robots-tag': 'noindex',
    },
    body,
  };
}
