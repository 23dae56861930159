/**
 * What a reload may change and what a node shares with the fleet: the challenge's settings, its
 * secrets among them (the CAPTCHA provider's and earlier node secrets), are per node like `secret`
 * itself (only challenge.force reloads), so they never reach Redis and a reload that changes them
 * is refused by path.
 */
import { describe, expect, it } from 'vitest';
import { parsePolicyValue } from '../../src/config/load.js';
import { changedRestartOnlyKeys, reloadableSections, withReloadableSections } from '../../src/config/reloadable.js';

const CAPTCHA_SECRET = '0x-captcha-secret-never-shared';
const PREVIOUS = 'previous-node-secret-0123456789';

const policy = (challenge: Record<string, unknown>, mode = 'enforce') => parsePolicyValue({ mode, challenge }, 'test');

const withCaptcha = (extra: Record<string, unknown> = {}) =>
  policy({
    previousSecrets: [PREVIOUS],
    captcha: { enabled: true, provider: 'turnstile', siteKey: '1x00000000000000000000AA', secret: CAPTCHA_SECRET },
    ...extra,
  });

describe('reloadable sections', () => {
  it('carry the challenge settings without the CAPTCHA provider or previous secrets', () => {
    const doc = withCaptcha({ force: ['login'] });
    const shared = JSON.stringify(reloadableSections(doc));
    expect(shared).not.toContain(CAPTCHA_SECRET);
    expect(shared).not.toContain(PREVIOUS);
    expect(reloadableSections(doc).challenge).toMatchObject({ force: ['login'] });
  });

  it("keep the receiving node's own CAPTCHA provider and previous secrets", () => {
    const own = withCaptcha();
    const other = policy({ force: ['signup'] }, 'monitor');
    const taken = withReloadableSections(own, reloadableSections(other), 'the fleet policy v2');
    expect(taken.mode).toBe('monitor');
    expect(taken.challenge.force).toEqual(['signup']);
    expect(taken.challenge.captcha.secret).toBe(CAPTCHA_SECRET);
    expect(taken.challenge.previousSecrets).toEqual([PREVIOUS]);
  });

  it('refuse sections that carry a per-node challenge setting', () => {
    const sections = { ...reloadableSections(policy({})), challenge: { captcha: { enabled: false } } };
    expect(() => withReloadableSections(withCaptcha(), sections, 'the fleet policy v3')).toThrow(
      /challenge\.captcha, which are per node/,
    );
  });
});

describe('restart-only keys', () => {
  it('name a changed CAPTCHA provider or previous secret by its path', () => {
    const running = withCaptcha();
    expect(changedRestartOnlyKeys(running, withCaptcha())).toEqual([]);
    expect(changedRestartOnlyKeys(running, policy({ previousSecrets: [PREVIOUS] }))).toEqual(['challenge.captcha']);
    expect(changedRestartOnlyKeys(running, withCaptcha({ previousSecrets: [] }))).toEqual([
      'challenge.previousSecrets',
    ]);
  });

  it('refuse a change to what the challenge service is built from, but not to challenge.force', () => {
    const running = withCaptcha();
    expect(changedRestartOnlyKeys(running, withCaptcha({ flows: { login: { base: 10, max: 14 } } }))).toEqual([
      'challenge.flows',
    ]);
    expect(changedRestartOnlyKeys(running, withCaptcha({ clearanceMinutes: 5 }))).toEqual([
      'challenge.clearanceMinutes',
    ]);
    expect(changedRestartOnlyKeys(running, withCaptcha({ force: ['login'] }))).toEqual([]);
  });
});
