/**
 * Bootstrapping known usernames: `botgate users import` hashes the application's usernames
 * with the node secret; a gateway with that file treats them as known from its first request.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createUsernameHasher } from '../../src/signals/fields.js';
import { runBotgate } from '../support/processes.js';
import { deviceCookie, type Stack, send, startStack } from '../support/stack.js';
import { tempDir } from '../support/temp-dir.js';

const SECRET = 'test-secret-0123456789abcdef';
let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe('botgate users import', () => {
  it('writes keyed hashes, never the usernames, and refuses to run without a secret', async () => {
    const dir = await tempDir('botgate-users-');
    await writeFile(join(dir, 'usernames.txt'), 'Alice.Smith@Example.com\nbob\n\nbob\n');
    const out = join(dir, 'known.txt');
    const ok = await runBotgate(['users', 'import', join(dir, 'usernames.txt'), '--out', out], {
      BOTGATE_SECRET: SECRET,
    });
    expect(ok.code).toBe(0);
    const text = await readFile(out, 'utf8');
    const hash = createUsernameHasher(SECRET);
    expect(text.trim().split('\n')).toEqual([hash('alice.smith@example.com'), hash('bob')]);
    expect(text).not.toContain('bob');
    const refused = await runBotgate(['users', 'import', join(dir, 'usernames.txt'), '--out', out], {
      BOTGATE_SECRET: '',
    });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('no secret');
  });

  it('loads the file so an imported user is not "unknown" on day one', async () => {
    const dir = await tempDir('botgate-users-');
    const file = join(dir, 'known.txt');
    stack = await startStack((doc) => doc);
    const [user] = stack.users;
    await stack.close();
    await writeFile(file, `${createUsernameHasher(SECRET)(user!.username)}\nnot-a-hash\n`);
    stack = await startStack((doc) => ({
      ...doc,
      detection: { ...doc.detection, login: { ...doc.detection.login, knownUsernamesFile: file } },
    }));
    const page = await send(stack, '203.0.113.50', 'GET', '/login');
    stack.clock.advance(3_000);
    const answer = await send(stack, '203.0.113.50', 'POST', '/login', {
      form: { username: user!.username, password: 'wrong-password' },
      cookie: deviceCookie(page)!,
    });
    const event = stack.gateway.recorder.ring.get(answer.id);
    expect(event?.findings.map((f) => f.reason)).not.toContain('login.unknown-username');
  });
});
