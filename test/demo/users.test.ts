import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSignup } from '../../src/demo/accounts.js';
import { generateDemoUsers, loadUsersCsv, parseUsersCsv, UsersFileError } from '../../src/demo/users.js';

describe('generateDemoUsers', () => {
  it('makes 500 users by default, the same ones every time', () => {
    const users = generateDemoUsers();
    expect(users).toHaveLength(500);
    expect(generateDemoUsers()).toEqual(users);
    // Pinned, so a change to the generator (which the simulator depends on) is noticed.
    expect(users[0]).toEqual({
      username: 'fatima.santos',
      email: 'fatima.santos@proton.me',
      password: 'Cactus-cobalt-7409',
    });
  });

  it('gives a smaller set as the prefix of a larger one', () => {
    expect(generateDemoUsers(2000).slice(0, 500)).toEqual(generateDemoUsers(500));
  });

  it('makes unique usernames and emails, ignoring case, that pass the signup rules', () => {
    const users = generateDemoUsers(5000);
    expect(new Set(users.map((user) => user.username.toLowerCase())).size).toBe(users.length);
    expect(new Set(users.map((user) => user.email.toLowerCase())).size).toBe(users.length);
    expect(users.filter((user) => !checkSignup({ ...user }).ok)).toEqual([]);
    expect(new Set(users.map((user) => user.email.split('@')[1])).size).toBeGreaterThan(3);
  });

  it('rejects a count that is not a whole number', () => {
    expect(() => generateDemoUsers(-1)).toThrow(RangeError);
    expect(() => generateDemoUsers(1.5)).toThrow(/count must be a whole number/);
    expect(generateDemoUsers(0)).toEqual([]);
  });
});

describe('loadUsersCsv', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'botgate-demo-users-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function file(name: string, text: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  }

  it('reads a good file with quotes, CRLF and blank lines', async () => {
    const path = await file(
      'good.csv',
      'username,email,password\r\nann,ann@example.com,"pa,ss""word"\r\n\r\n bob ,bob@example.org,hunter22\r\n',
    );
    expect(await loadUsersCsv(path)).toEqual([
      { username: 'ann', email: 'ann@example.com', password: 'pa,ss"word' },
      { username: 'bob', email: 'bob@example.org', password: 'hunter22' },
    ]);
  });

  it('accepts the columns in any order and any case', async () => {
    const path = await file('order.csv', 'Password,USERNAME,email\nsecret99,cy,cy@example.com\n');
    expect(await loadUsersCsv(path)).toEqual([{ username: 'cy', email: 'cy@example.com', password: 'secret99' }]);
  });

  it('names the file and line of a bad row, without echoing its password', async () => {
    const path = await file('bad.csv', 'username,email,password\nann,ann@example.com,one\n\ndan,dan@example.com\n');
    await expect(loadUsersCsv(path)).rejects.toThrow(
      `Cannot load demo users from ${path}: line 4: expected 3 fields, found 2`,
    );

    const noAt = await file('no-at.csv', 'username,email,password\neve,eve.example.com,TopSecret1\n');
    const error = await loadUsersCsv(noAt).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UsersFileError);
    expect((error as UsersFileError).line).toBe(2);
    expect((error as Error).message).toMatch(/email of "eve" has no "@"/);
    expect((error as Error).message).not.toContain('TopSecret1');
  });

  it.each([
    ['an empty file', '', 1, /file is empty/],
    ['a wrong header', 'user,email,password\n', 1, /header must be "username,email,password"/],
    ['an extra column', 'username,email,password,age\n', 1, /header must be/],
    ['an empty username', 'username,email,password\n,a@b.c,password1\n', 2, /username is empty/],
    ['an empty password', 'username,email,password\nann,a@b.c,\n', 2, /password of "ann" is empty/],
    ['a repeated username', 'username,email,password\nAnn,a@b.c,p\nann,x@y.z,q\n', 3, /already used on line 2/],
    ['a repeated email', 'username,email,password\nann,a@b.c,p\nbob,A@B.C,q\n', 3, /already used on line 2/],
    ['an unclosed quote', 'username,email,password\nann,a@b.c,p\n"bob,b@c.d,q\n', 3, /never closed/],
  ])('rejects %s', (_name, text, line, message) => {
    let caught: unknown;
    try {
      parseUsersCsv(text, 'users.csv');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UsersFileError);
    expect((caught as UsersFileError).line).toBe(line);
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).toMatch(/^Cannot load demo users from users\.csv: line \d+: /);
  });

  it('fails clearly when the file does not exist', async () => {
    await expect(loadUsersCsv(join(dir, 'missing.csv'))).rejects.toThrow(/ENOENT/);
  });
});
