/**
 * Policy fixtures are data: every file in good/ must load (and compile), every file in bad/
 * must be refused with exactly the problem paths its `# expect:` lines name. Adding a case is
 * adding a file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../src/config/compile.js';
import { loadPolicyFile } from '../../src/config/load.js';
import { PolicyError } from '../../src/config/problems.js';

const root = join(import.meta.dirname, '../fixtures/policies');
const yamlFiles = (dir: string): string[] =>
  readdirSync(join(root, dir))
    .filter((f) => f.endsWith('.yaml'))
    .sort();

/** Paths named by `# expect: a, b` lines (several lines add up). */
function expectedPaths(text: string): string[] {
  return [...text.matchAll(/^# expect: (.+)$/gm)].flatMap((m) => (m[1] ?? '').split(',').map((p) => p.trim()));
}

describe('good policies', () => {
  const files = yamlFiles('good');
  it('exist', () => expect(files.length).toBeGreaterThanOrEqual(3));

  it.each(files)('%s loads and compiles', async (file) => {
    const doc = await loadPolicyFile(join(root, 'good', file));
    expect(() => compilePolicy(doc)).not.toThrow();
  });
});

describe('bad policies', () => {
  const files = yamlFiles('bad');
  it('exist', () => expect(files.length).toBeGreaterThanOrEqual(7));

  it.each(files)('%s is refused with the expected problems', async (file) => {
    const path = join(root, 'bad', file);
    const expected = expectedPaths(readFileSync(path, 'utf8'));
    expect(expected.length, `${file} needs an "# expect:" line`).toBeGreaterThan(0);

    const error = await loadPolicyFile(path).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error, `${file} loaded`).toBeInstanceOf(PolicyError);
    const { problems, message, code } = error as PolicyError;
    expect(code).toBe('BOTGATE_POLICY_INVALID');
    expect([...new Set(problems.map((p) => p.path))].sort()).toEqual([...new Set(expected)].sort());
    // One line a problem, and every problem placed in the file when it is in the file at all.
    expect(message.split('\n')).toHaveLength(problems.length + 1);
    for (const p of problems) expect(p.line, `${file}: ${p.path}`).toBeGreaterThan(0);
  });
});
