/**
 * What botgate knows of each external CAPTCHA provider, from its public documentation:
 *
 *   Turnstile  https://developers.cloudflare.com/turnstile/get-started/server-side-validation/
 *              https://developers.cloudflare.com/turnstile/get-started/client-side-rendering/
 *   hCaptcha   https://docs.hcaptcha.com/#verify-the-user-response-server-side
 *              https://docs.hcaptcha.com/configuration#explicitly-render-hcaptcha
 *
 * Both take a form-encoded POST of `secret`, `response` and `remoteip` and answer JSON with
 * `success`, `challenge_ts`, `hostname` and `error-codes`; Turnstile also takes an
 * `idempotency_key` (a UUID) and echoes the widget's `action`, hCaptcha takes the `sitekey`.
 * Both widgets render explicitly with `<global>.render(element, { sitekey, callback })`, the
 * callback receiving the token, once the script calls the function named by its `onload` query
 * parameter.
 */
import type { CaptchaProviderName } from '../../config/schema.js';

export interface CaptchaProvider {
  readonly name: CaptchaProviderName;
  readonly verifyUrl: string;
  /** Without query; the page adds `?render=explicit&onload=…`. */
  readonly scriptUrl: string;
  /** The global object the script defines, with `render(element, options)`. */
  readonly global: 'turnstile' | 'hcaptcha';
  /** Sources the page's CSP must allow for the widget's scripts, frames, styles and calls. */
  readonly cspSources: readonly string[];
  /** Whether siteverify takes `idempotency_key` (Turnstile) or `sitekey` (hCaptcha). */
  readonly idempotencyKey: boolean;
  readonly sendsSiteKey: boolean;
  /**
   * Error codes that say the provider could not judge the token, or that our own configuration
   * is wrong: neither is evidence about the client, so they count as the provider being down.
   * Every other code (an invalid, expired or reused token, a malformed request) is a failure.
   */
  readonly notAboutTheClient: ReadonlySet<string>;
  /**
   * Longest token forwarded to siteverify. Turnstile documents at most 2048 characters; hCaptcha
   * documents none, and its tokens are seen past 4,000 characters, so it gets room to spare.
   */
  readonly maxTokenLength: number;
}

export const CAPTCHA_PROVIDER: { readonly [N in CaptchaProviderName]: CaptchaProvider } = {
  turnstile: {
    name: 'turnstile',
    verifyUrl: 'https://challenges.cloudflare.com/turnstile/v0/siteverify',
    scriptUrl: 'https://challenges.cloudflare.com/turnstile/v0/api.js',
    global: 'turnstile',
    cspSources: ['https://challenges.cloudflare.com'],
    idempotencyKey: true,
    sendsSiteKey: false,
    notAboutTheClient: new Set(['missing-input-secret', 'invalid-input-secret', 'internal-error']),
    maxTokenLength: 2048,
  },
  hcaptcha: {
    name: 'hcaptcha',
    verifyUrl: 'https://api.hcaptcha.com/siteverify',
    scriptUrl: 'https://js.hcaptcha.com/1/api.js',
    global: 'hcaptcha',
    cspSources: ['https://hcaptcha.com', 'https://*.hcaptcha.com'],
    idempotencyKey: false,
    sendsSiteKey: true,
    // Not `sitekey-secret-mismatch`: with the `sitekey` we send, hCaptcha refuses a token minted
    // for another site key, and nothing documents which code that refusal carries. A code a client
    // might provoke with its token must never let the proof of work stand alone, so it is a failure.
    notAboutTheClient: new Set(['missing-input-secret', 'invalid-input-secret']),
    maxTokenLength: 8192,
  },
};

/**
 * Error codes meaning our secret is wrong: they depend on nothing but the secret we send, so a
 * client cannot provoke them. Logged loudly and counted apart.
 */
export const MISCONFIGURATION_CODES: ReadonlySet<string> = new Set(['missing-input-secret', 'invalid-input-secret']);
