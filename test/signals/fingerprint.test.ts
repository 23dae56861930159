import { describe, expect, it } from 'vitest';
import { headerFingerprint } from '../../src/signals/fingerprint.js';
import { FIXTURE_NAMES, type FixtureName, loadFixture } from './header-fixtures.js';

const fp = (name: FixtureName): string => headerFingerprint(loadFixture(name).rawHeaders);

function withHeader(raw: readonly string[], name: string, value: string, at = raw.length): string[] {
  const copy = [...raw];
  copy.splice(at, 0, name, value);
  return copy;
}

function replaceValue(raw: readonly string[], name: string, value: string): string[] {
  const copy = [...raw];
  const i = copy.findIndex((h, j) => j % 2 === 0 && h.toLowerCase() === name);
  if (i < 0) throw new Error(`no ${name}`);
  copy[i + 1] = value;
  return copy;
}

describe('headerFingerprint', () => {
  const chrome = loadFixture('chrome-navigation').rawHeaders;

  it('is 12 lower-case hex characters and stable', () => {
    expect(fp('chrome-navigation')).toMatch(/^[0-9a-f]{12}$/);
    expect(fp('chrome-navigation')).toBe(fp('chrome-navigation'));
    expect(headerFingerprint([])).toMatch(/^[0-9a-f]{12}$/);
  });

  it('is shared by one browser across pages and forms', () => {
    expect(fp('chrome-second-page')).toBe(fp('chrome-navigation'));
    expect(fp('chrome-login-post')).toBe(fp('chrome-navigation'));
  });

  it('tells client stacks apart', () => {
    const stacks: FixtureName[] = [
      'chrome-navigation',
      'brave-navigation',
      'firefox-navigation',
      'safari-navigation',
      'curl',
      'python-requests',
      'hydra-login-post',
    ];
    const prints = new Set(stacks.map(fp));
    expect(prints.size).toBe(stacks.length);
  });

  it("ignores the User-Agent value: a script wearing Chrome's User-Agent keeps its own fingerprint", () => {
    expect(fp('python-requests-as-chrome')).toBe(fp('python-requests'));
    expect(fp('python-requests-as-chrome')).not.toBe(fp('chrome-navigation'));
  });

  it('counts name casing and order', () => {
    const lower = chrome.map((h, i) => (i % 2 === 0 ? h.toLowerCase() : h));
    expect(headerFingerprint(lower)).not.toBe(fp('chrome-navigation'));
    // Connection before sec-ch-ua instead of after it.
    const swapped = [...chrome.slice(0, 2), ...chrome.slice(4, 6), ...chrome.slice(2, 4), ...chrome.slice(6)];
    expect(swapped).toHaveLength(chrome.length);
    expect(headerFingerprint(swapped)).not.toBe(fp('chrome-navigation'));
  });

  it('ignores what varies per request, per visit or per proxy in front of us', () => {
    const base = fp('chrome-navigation');
    expect(headerFingerprint(withHeader(chrome, 'X-Forwarded-For', '198.51.100.7'))).toBe(base);
    expect(headerFingerprint(withHeader(chrome, 'X-Forwarded-Proto', 'https', 0))).toBe(base);
    expect(
      headerFingerprint(withHeader(chrome, 'traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')),
    ).toBe(base);
    expect(headerFingerprint(withHeader(chrome, 'X-Botgate-Decision', 'allow'))).toBe(base);
    expect(headerFingerprint(withHeader(chrome, 'Authorization', 'Bearer abc'))).toBe(base);
    expect(headerFingerprint(replaceValue(chrome, 'host', 'other.example.com'))).toBe(base);
    expect(headerFingerprint(replaceValue(chrome, 'sec-fetch-site', 'cross-site'))).toBe(base);
    expect(headerFingerprint(replaceValue(chrome, 'accept-language', 'en-GB,en;q=0.8'))).toBe(base);
  });

  it('counts the values that belong to the stack', () => {
    const base = fp('chrome-navigation');
    expect(headerFingerprint(replaceValue(chrome, 'accept-encoding', 'gzip'))).not.toBe(base);
    expect(headerFingerprint(replaceValue(chrome, 'accept', '*/*'))).not.toBe(base);
    expect(headerFingerprint(replaceValue(chrome, 'connection', 'close'))).not.toBe(base);
    expect(headerFingerprint(replaceValue(chrome, 'accept-language', 'de-DE,de;q=0.9'))).not.toBe(base);
    expect(headerFingerprint(replaceValue(chrome, 'sec-ch-ua-platform', '"macOS"'))).not.toBe(base);
    // Brand list: versions do not count, brands do.
    const nextRelease = '"Google Chrome";v="125", "Chromium";v="125", "Not.A/Brand";v="24"';
    expect(headerFingerprint(replaceValue(chrome, 'sec-ch-ua', nextRelease))).toBe(base);
    const edge = '"Chromium";v="124", "Microsoft Edge";v="124", "Not-A.Brand";v="99"';
    expect(headerFingerprint(replaceValue(chrome, 'sec-ch-ua', edge))).not.toBe(base);
  });

  it('counts an unknown header by name, not value', () => {
    const base = headerFingerprint(withHeader(chrome, 'X-Tool', 'a'));
    expect(base).not.toBe(fp('chrome-navigation'));
    expect(headerFingerprint(withHeader(chrome, 'X-Tool', 'b'))).toBe(base);
  });

  it('copes with odd input: an odd-length array, huge values', () => {
    expect(headerFingerprint(['Host'])).toBe(headerFingerprint([]));
    const huge = replaceValue(chrome, 'accept', 'x'.repeat(100_000));
    expect(headerFingerprint(huge)).toMatch(/^[0-9a-f]{12}$/);
  });

  it('gives every fixture a fingerprint', () => {
    for (const name of FIXTURE_NAMES) expect(fp(name)).toMatch(/^[0-9a-f]{12}$/);
  });
});
