/**
 * Temporary folders for a test file: `tempDir('botgate-reload-')` makes one under the OS temp
 * folder, and every folder made is removed after the file's tests, passed or failed. Importing
 * this module registers that cleanup on the importing file (vitest evaluates each test file's
 * imports in its own module graph); hooks run as a stack, so it runs after the file's own
 * `afterAll` hooks have stopped the processes writing there.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const made: string[] = [];

afterAll(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
