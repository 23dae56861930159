import { describe, expect, it } from 'vitest';
import {
  describeValue,
  formatPath,
  formatProblem,
  POLICY_ERROR_CODES,
  PolicyError,
  problemAt,
} from '../../src/config/problems.js';

describe('formatPath', () => {
  it('dots keys, brackets indices, and names the root', () => {
    expect(formatPath([])).toBe('(root)');
    expect(formatPath(['flows', 2, 'match', 'path'])).toBe('flows[2].match.path');
    expect(formatPath(['rules', 0])).toBe('rules[0]');
    expect(formatPath([0])).toBe('[0]');
  });

  it('quotes keys that are not identifiers, so the path stays unambiguous', () => {
    expect(formatPath(['flows', 0, 'a.b'])).toBe('flows[0]["a.b"]');
    expect(formatPath(['my key'])).toBe('["my key"]');
  });
});

describe('describeValue', () => {
  it('renders JSON and cuts long values', () => {
    expect(describeValue('login')).toBe('"login"');
    expect(describeValue(8080)).toBe('8080');
    expect(describeValue(null)).toBe('null');
    const long = describeValue('x'.repeat(500));
    expect(long.length).toBeLessThanOrEqual(60);
    expect(long.endsWith('…')).toBe(true);
  });

  it('never throws, even on values JSON cannot render', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(describeValue(cyclic)).toBe('[object Object]');
    expect(describeValue(10n)).toBe('10');
    expect(describeValue(undefined)).toBe('undefined');
  });
});

describe('formatProblem', () => {
  it('states path, expectation and the received value', () => {
    const p = problemAt(['flows', 2, 'match', 'path'], 'expected a path pattern starting with "/"', {
      received: 'login',
    });
    expect(formatProblem(p)).toBe('flows[2].match.path: expected a path pattern starting with "/" (received "login")');
  });

  it('leaves the received part out when the value is unknown', () => {
    expect(formatProblem(problemAt(['secret'], 'expected a secret of at least 16 characters'))).toBe(
      'secret: expected a secret of at least 16 characters',
    );
  });
});

describe('PolicyError', () => {
  it('carries a stable code, every problem, and one line a problem', () => {
    const problems = [
      problemAt(['mode'], 'expected one of "monitor", "enforce"', { received: 'shadow', line: 3 }),
      problemAt(['flows', 0, 'matc'], 'unknown key'),
    ];
    const error = new PolicyError('botgate.yaml', problems);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('BOTGATE_POLICY_INVALID');
    expect(error.problems).toEqual(problems);
    expect(error.message).toBe(
      'Cannot load policy botgate.yaml: 2 problems\n' +
        '  line 3: mode: expected one of "monitor", "enforce" (received "shadow")\n' +
        '  flows[0].matc: unknown key',
    );
    expect(new PolicyError('x.yaml', problems.slice(1)).message).toMatch(/^Cannot load policy x\.yaml: 1 problem\n/);
  });

  it('has its own code for a file that cannot be read', () => {
    const cause = new Error('ENOENT');
    const error = PolicyError.unreadable('missing.yaml', 'no such file', cause);
    expect(error.code).toBe(POLICY_ERROR_CODES.unreadable);
    expect(error.message).toBe('Cannot read policy missing.yaml: no such file');
    expect(error.problems).toEqual([]);
    expect(error.cause).toBe(cause);
  });

  it('keeps its codes distinct', () => {
    const codes = Object.values(POLICY_ERROR_CODES);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^BOTGATE_POLICY_[A-Z_]+$/);
  });
});
