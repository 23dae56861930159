/**
 * challenge.captcha as the policy loader sees it: off by default, an enabled one needs its site
 * key in the file and its secret in the file or BOTGATE_CAPTCHA_SECRET, and the URLs botgate sends
 * the secret to or loads the widget from are https (http only to a loopback address).
 */
import { describe, expect, it } from 'vitest';
import { applyEnvironment, parsePolicyText } from '../../src/config/load.js';
import { PolicyError } from '../../src/config/problems.js';

function problems(run: () => unknown): { paths: string[]; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof PolicyError) return { paths: error.problems.map((p) => p.path), message: error.message };
    throw error;
  }
  throw new Error('expected the policy to be rejected');
}

const parse = (yaml: string) => parsePolicyText(yaml, 'test.yaml');

describe('challenge.captcha', () => {
  it('is off by default, with the documented defaults', () => {
    const { captcha } = parse('mode: enforce\n').challenge;
    expect(captcha).toEqual({
      enabled: false,
      provider: 'turnstile',
      minScore: 90,
      timeoutMs: 2000,
      maxAgeSeconds: 300,
    });
  });

  it('needs a site key in the file when enabled', () => {
    expect(problems(() => parse('challenge:\n  captcha:\n    enabled: true\n')).paths).toEqual([
      'challenge.captcha.siteKey',
    ]);
  });

  it('needs a secret once the environment had its say, and takes it from BOTGATE_CAPTCHA_SECRET', () => {
    const doc = parse('challenge:\n  captcha:\n    enabled: true\n    siteKey: 0x4AAAAAAAsite\n');
    expect(problems(() => applyEnvironment(doc, {})).paths).toEqual(['challenge.captcha.secret']);
    const applied = applyEnvironment(doc, { BOTGATE_CAPTCHA_SECRET: '0x4AAAAAAAfrom-the-environment' });
    expect(applied.challenge.captcha.secret).toBe('0x4AAAAAAAfrom-the-environment');
    expect(Object.isFrozen(applied.challenge.captcha)).toBe(true);
    // A disabled CAPTCHA needs nothing.
    expect(() => applyEnvironment(parse('mode: enforce\n'), {})).not.toThrow();
  });

  it('refuses an action for hCaptcha, which has none', () => {
    const yaml =
      'challenge:\n  captcha:\n    enabled: true\n    provider: hcaptcha\n    siteKey: k\n    action: login\n';
    expect(problems(() => parse(yaml)).paths).toEqual(['challenge.captcha.action']);
  });

  it('sends the secret over https only, or over http to this machine', () => {
    const at = (url: string) => `challenge:\n  captcha:\n    verifyUrl: ${url}\n    scriptUrl: ${url}\n`;
    expect(problems(() => parse(at('http://siteverify.example/siteverify'))).paths).toEqual([
      'challenge.captcha.verifyUrl',
      'challenge.captcha.scriptUrl',
    ]);
    expect(problems(() => parse(at('ftp://127.0.0.1/x'))).paths).toHaveLength(2);
    for (const ok of [
      'https://challenges.cloudflare.com/turnstile/v0/siteverify',
      'http://127.0.0.1:8443/siteverify',
      'http://[::1]:9/x',
    ]) {
      expect(parse(at(ok)).challenge.captcha.verifyUrl).toBe(ok);
    }
  });

  it('keeps the timeout tight and the band within 0 to 100', () => {
    const { paths } = problems(() =>
      parse('challenge:\n  captcha:\n    timeoutMs: 60000\n    minScore: 101\n    maxAgeSeconds: 0\n'),
    );
    expect(paths.sort()).toEqual([
      'challenge.captcha.maxAgeSeconds',
      'challenge.captcha.minScore',
      'challenge.captcha.timeoutMs',
    ]);
  });
});
