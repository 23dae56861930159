/**
 * The interstitial a challenged browser sees: one self-contained HTML page (no external script,
 * font, image or style), which solves the proof of work in Web Workers and posts the answer.
 *
 * Reading order is the order a screen reader speaks: heading, what is happening and why,
 * (for a challenged form: that the form was not sent), progress, status, then the reference id.
 * The status is a polite live region spoken at start, end and failure only.
 *
 * Its Content-Security-Policy allows nothing but this page's own nonce-tagged script and style,
 * workers from blob: URLs (the solver) and a form post to this origin; the nonce is fresh per
 * page, and everything else in the page is built once at load.
 *
 * The one exception is a challenge escalated to the external CAPTCHA (challenge.captcha, off by
 * default): that page also holds the provider's widget, so the page script loads the provider's
 * script, and its CSP allows the provider's documented origins for scripts, frames, styles and
 * calls. A proof-of-work-only page never names another origin.
 */
import { CAPTCHA_ONLOAD, CAPTCHA_PAGE_SCRIPT, PAGE_SCRIPT } from './browser-solver.js';
import type { CaptchaProvider } from './captcha-provider.js';
import { randomToken } from './random-token.js';
import { type ActionResponse, escapeHtml, PAGE_STYLE } from './response.js';

/** Where the page posts its solution; the gateway answers it with the verify endpoint. */
export const CHALLENGE_PATH = '/.botgate/challenge';
/** Status of the interstitial: the resource was not served; the body explains what to do. */
export const CHALLENGE_STATUS = 403;

export interface ChallengePageInput {
  /** The challenge token. */
  readonly challenge: string;
  readonly difficulty: number;
  /** Where the form posts; CHALLENGE_PATH unless the gateway mounts it elsewhere. */
  readonly action?: string;
  /** Echoed in the form for the record; the server uses the copy signed into the token. */
  readonly returnTo: string;
  readonly referenceId: string;
  /**
   * True when the challenged request was a form POST (a login posted without a page visit):
   * the page says the form was not sent and, once solved, waits for the person to go back to
   * it (returnTo should be that form's page) instead of continuing on its own.
   */
  readonly formReplay?: boolean;
  /** The external CAPTCHA to show beside the proof of work; absent for proof of work only. */
  readonly captcha?: CaptchaWidget;
}

export interface CaptchaWidget {
  readonly provider: CaptchaProvider;
  readonly siteKey: string;
  /** The provider's script (the page adds render=explicit and the onload callback). */
  readonly scriptUrl: string;
  /** Turnstile's action, when configured. */
  readonly action?: string | undefined;
}

export interface ChallengePage extends ActionResponse {
  /** The CSP nonce on this page's script and style. */
  readonly nonce: string;
}

/**
 * The Content-Security-Policy header value to send with a page rendered with `nonce`; with a
 * CAPTCHA widget, the provider's sources (its documented ones and the script's origin) are
 * allowed for scripts, frames, styles and calls, and nothing else changes.
 */
export function challengePageCsp(nonce: string, captcha?: CaptchaWidget): string {
  if (captcha === undefined) {
    return (
      `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; worker-src blob:; ` +
      `form-action 'self'; base-uri 'none'; frame-ancestors 'none'`
    );
  }
  const sources = [...new Set([...captcha.provider.cspSources, new URL(captcha.scriptUrl).origin])].join(' ');
  return (
    `default-src 'none'; script-src 'nonce-${nonce}' ${sources}; style-src 'nonce-${nonce}' ${sources}; ` +
    `frame-src ${sources}; connect-src ${sources}; worker-src blob:; ` +
    `form-action 'self'; base-uri 'none'; frame-ancestors 'none'`
  );
}

/** The provider's script URL with explicit rendering and our onload callback. */
export function captchaScriptUrl(widget: CaptchaWidget): string {
  const url = new URL(widget.scriptUrl);
  url.searchParams.set('render', 'explicit');
  url.searchParams.set('onload', CAPTCHA_ONLOAD);
  return url.href;
}

export function renderChallengePage(input: ChallengePageInput): ChallengePage {
  const nonce = randomToken();
  const reference = escapeHtml(input.referenceId);
  const captcha = input.captcha;
  const body =
    (captcha === undefined ? HEAD_START : HEAD_START_CAPTCHA) +
    `<style nonce="${nonce}">${PAGE_STYLE}</style>\n</head>\n<body>\n<main>\n` +
    (input.formReplay === true ? INTRO_FORM_NOT_SENT : INTRO) +
    (captcha === undefined ? '' : CAPTCHA_INTRO) +
    `<form id="bg-form" method="post" action="${escapeHtml(input.action ?? CHALLENGE_PATH)}" ` +
    `data-difficulty="${Math.trunc(input.difficulty)}" data-replay="${input.formReplay === true ? '1' : '0'}">\n` +
    `<input type="hidden" name="challenge" value="${escapeHtml(input.challenge)}">\n` +
    `<input type="hidden" name="solution" value="">\n` +
    `<input type="hidden" name="returnTo" value="${escapeHtml(input.returnTo)}">\n` +
    WORK +
    (captcha === undefined ? '' : CAPTCHA_FIELD) +
    (input.formReplay === true ? CONTINUE_BUTTON : '') +
    `</form>\n` +
    (captcha === undefined ? '' : captchaBox(captcha)) +
    `<noscript><p>This check needs JavaScript. Turn JavaScript on for this site and reload the page, ` +
    `or contact the site’s support and quote reference <code>${reference}</code>.</p></noscript>\n` +
    `<p class="ref">Reference: <code>${reference}</code></p>\n` +
    `</main>\n<script nonce="${nonce}">${captcha === undefined ? PAGE_SCRIPT : CAPTCHA_PAGE_SCRIPT}</script>\n</body>\n</html>\n`;
  return {
    status: CHALLENGE_STATUS,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': challengePageCsp(nonce, captcha),
      'referrer-policy': 'same-origin',
      'x-content-type-options': 'nosniff',
      'x-robots-tag': 'noindex',
    },
    body,
    nonce,
  };
}

const HEAD_START = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="botgate-challenge" content="proof-of-work">
<title>Checking that you’re a person…</title>
`;

const HEAD_START_CAPTCHA = HEAD_START.replace('content="proof-of-work"', 'content="proof-of-work captcha"');

const CAPTCHA_INTRO = `<p>One more step this time: finish the check in the box below as well.</p>
`;

/** The field the page script copies the widget's token into: the only copy the form posts. */
const CAPTCHA_FIELD = `<input type="hidden" name="captcha" value="">\n`;

/**
 * The widget's box, outside the form on purpose: both widgets add their own response fields to
 * the form around them (Turnstile `cf-turnstile-response`; hCaptcha `h-captcha-response` and
 * `g-recaptcha-response`), and an hCaptcha token runs past 4,000 characters, so three copies
 * would overrun the verify endpoint's body limit. The page script renders the widget here.
 */
function captchaBox(widget: CaptchaWidget): string {
  return (
    `<div id="bg-captcha" data-provider="${widget.provider.global}" data-sitekey="${escapeHtml(widget.siteKey)}"` +
    (widget.action === undefined ? '' : ` data-action="${escapeHtml(widget.action)}"`) +
    ` data-script="${escapeHtml(captchaScriptUrl(widget))}"></div>\n`
  );
}

const HEADING_AND_WHY = `<h1>Checking that you’re a person…</h1>
<p>This takes about a second, and there is no puzzle to solve: your browser does a short calculation that is cheap for one visitor and expensive for a robot sending thousands of requests.`;

const INTRO = `${HEADING_AND_WHY} You’ll continue on your own once it’s done.</p>
`;

const INTRO_FORM_NOT_SENT = `${HEADING_AND_WHY}</p>
<p class="notice"><strong>Your form was not sent.</strong> After this check, go back to the form and send it again. Nothing you typed was copied into this page.</p>
`;

const WORK = `<div id="bg-work" hidden>
<label for="bg-progress">Progress</label>
<progress id="bg-progress" max="100" value="0"></progress>
</div>
<p id="bg-status" role="status" aria-live="polite"></p>
`;

const CONTINUE_BUTTON = `<p><button type="submit" id="bg-continue" hidden>Back to the form</button></p>
`;
