import { describe, expect, it } from 'vitest';
import { CHALLENGE_PATH, challengePageCsp, renderChallengePage } from '../../../src/actions/challenge/page.js';

const INPUT = {
  challenge: 'v1.eyJrIjoiazIwMjYifQ.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
  difficulty: 18,
  returnTo: '/account?tab=2&x="<b>"',
  referenceId: '0123456789abcdef',
} as const;

describe('the challenge page', () => {
  it('is a complete page that loads nothing from anywhere', () => {
    const { body } = renderChallengePage(INPUT);
    expect(body.startsWith('<!doctype html>')).toBe(true);
    expect(body).toContain('<html lang="en">');
    expect(body).toMatch(/<\/html>\n$/);
    expect(body).not.toMatch(/\b(?:src|href|action)\s*=\s*["']?(?:https?:)?\/\//i);
    expect(body).not.toMatch(/<(?:link|img|iframe|object|embed)\b/i);
    expect(body).not.toMatch(/\bsrc\s*=/i);
    const style = /<style[^>]*>([\s\S]*?)<\/style>/.exec(body)?.[1] ?? '';
    expect(style).toContain('progress');
    expect(style).not.toMatch(/@import|url\(/i);
    expect(body).not.toMatch(/\bfetch\(|XMLHttpRequest|importScripts/);
  });

  it('tags its only script and style with the nonce its Content-Security-Policy allows', () => {
    const page = renderChallengePage(INPUT);
    const csp = page.headers['content-security-policy'];
    expect(csp).toBe(challengePageCsp(page.nonce));
    expect(csp).toContain(`script-src 'nonce-${page.nonce}'`);
    expect(csp).toContain(`style-src 'nonce-${page.nonce}'`);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain('worker-src blob:');
    expect(csp).toContain("form-action 'self'");
    const scripts = [...page.body.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]);
    const styles = [...page.body.matchAll(/<style\b([^>]*)>/g)].map((m) => m[1]);
    expect(scripts).toEqual([` nonce="${page.nonce}"`]);
    expect(styles).toEqual([` nonce="${page.nonce}"`]);
    expect(page.body).not.toMatch(/\son[a-z]+\s*=/i); // no inline handlers, which a nonce does not cover
    expect(renderChallengePage(INPUT).nonce).not.toBe(page.nonce);
  });

  it('answers 403, uncacheable, unindexed, as UTF-8 HTML', () => {
    const page = renderChallengePage(INPUT);
    expect(page.status).toBe(403);
    expect(page.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'x-robots-tag': 'noindex',
    });
  });

  it('reads in order: heading, explanation, progress, status, then the reference', () => {
    const { body } = renderChallengePage(INPUT);
    const order = [
      '<h1>',
      'no puzzle to solve',
      '<progress id="bg-progress" max="100"',
      'id="bg-status" role="status" aria-live="polite"',
      'Reference: <code>0123456789abcdef</code>',
    ];
    const positions = order.map((needle) => body.indexOf(needle));
    expect(
      positions.every((p) => p >= 0),
      `${positions}`,
    ).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(body).toContain('<label for="bg-progress">Progress</label>');
    expect(body).toMatch(/<h1>Checking that you’re a person…<\/h1>\n<p>This takes about a second/);
  });

  it('tells a visitor without JavaScript what to do, with the reference id', () => {
    const { body } = renderChallengePage(INPUT);
    expect(body).toMatch(
      /<noscript><p>This check needs JavaScript\. Turn JavaScript on for this site and reload the page, or contact the site’s support and quote reference <code>0123456789abcdef<\/code>\.<\/p><\/noscript>/,
    );
  });

  it('posts challenge, solution and returnTo to the verify endpoint, escaping what it echoes', () => {
    const { body } = renderChallengePage(INPUT);
    expect(body).toContain(
      `<form id="bg-form" method="post" action="${CHALLENGE_PATH}" data-difficulty="18" data-replay="0">`,
    );
    expect(body).toContain(`<input type="hidden" name="challenge" value="${INPUT.challenge}">`);
    expect(body).toContain('<input type="hidden" name="solution" value="">');
    expect(body).toContain('<input type="hidden" name="returnTo" value="/account?tab=2&amp;x=&quot;&lt;b&gt;&quot;">');
    const hostile = renderChallengePage({ ...INPUT, referenceId: '<script>alert(1)</script>', action: '/x"y' }).body;
    expect(hostile).not.toContain('<script>alert(1)');
    expect(hostile).toContain('action="/x&quot;y"');
  });

  it('says a challenged form was not sent and waits for the person instead of moving on', () => {
    const plain = renderChallengePage(INPUT).body;
    const replay = renderChallengePage({ ...INPUT, formReplay: true }).body;
    expect(plain).toContain('You’ll continue on your own');
    expect(plain).not.toContain('<strong>Your form was not sent.</strong>');
    expect(plain).not.toContain('bg-continue"');
    expect(replay).toContain('data-replay="1"');
    expect(replay).toContain(
      '<strong>Your form was not sent.</strong> After this check, go back to the form and send it again.',
    );
    expect(replay).toContain('<button type="submit" id="bg-continue" hidden>Back to the form</button>');
    expect(replay).not.toContain('You’ll continue on your own');
    expect(replay).not.toMatch(/type="password"|name="password"/i);
  });
});
