/**
 * Recorded request heads under test/fixtures/headers/*.json: rawHeaders as Node reports them,
 * plus the method and whether the browser saw a secure context.
 */
import { readFileSync } from 'node:fs';

export interface HeaderFixture {
  readonly description: string;
  readonly method: string;
  readonly secure: boolean;
  readonly rawHeaders: readonly string[];
}

export const FIXTURE_NAMES = [
  'chrome-navigation',
  'chrome-second-page',
  'chrome-login-post',
  'brave-navigation',
  'firefox-navigation',
  'safari-navigation',
  'curl',
  'python-requests',
  'python-requests-as-chrome',
  'hydra-login-post',
] as const;
export type FixtureName = (typeof FIXTURE_NAMES)[number];

export function loadFixture(name: FixtureName): HeaderFixture {
  const url = new URL(`../fixtures/headers/${name}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as HeaderFixture;
}

/** Headers by lower-case name, duplicates joined with ", ", as IncomingMessage.headers has them. */
export function headersOf(rawHeaders: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase();
    const value = rawHeaders[i + 1] as string;
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return headers;
}

export function headerValue(fixture: HeaderFixture, name: string): string | undefined {
  return headersOf(fixture.rawHeaders)[name.toLowerCase()];
}
