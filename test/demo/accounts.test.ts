import { describe, expect, it } from 'vitest';
import { Accounts, checkSignup } from '../../src/demo/accounts.js';

const users = [
  { username: 'Alice', email: 'alice@example.com', password: 'correct horse' },
  { username: 'bob', email: 'bob@example.com', password: 'battery staple' },
];

describe('Accounts', () => {
  it('authenticates by username without case, and only with the right password', async () => {
    const accounts = await Accounts.seed(users);
    expect(accounts.size).toBe(2);
    expect((await accounts.authenticate('ALICE', 'correct horse'))?.username).toBe('Alice');
    expect(await accounts.authenticate('alice', 'Correct horse')).toBeUndefined();
    expect(await accounts.authenticate('nobody', 'correct horse')).toBeUndefined();
  });

  it('refuses a seed that repeats a username or an email', async () => {
    await expect(
      Accounts.seed([...users, { username: 'BOB', email: 'b2@example.com', password: 'xxxxxxxx' }]),
    ).rejects.toThrow(/user 3 \("BOB", "b2@example.com"\) repeats/);
    await expect(
      Accounts.seed([...users, { username: 'carol', email: 'Bob@Example.com', password: 'xxxxxxxx' }]),
    ).rejects.toThrow(/repeats an earlier username or email/);
  });

  it('signs up new accounts with fresh ids and refuses taken names and emails', async () => {
    const accounts = await Accounts.seed(users);
    const created = await accounts.signup({ username: 'carol', email: 'carol@example.com', password: 'password1' });
    expect(created).toMatchObject({ created: true, account: { id: 3, username: 'carol' } });
    expect(await accounts.authenticate('Carol', 'password1')).toBeDefined();
    expect(await accounts.signup({ username: 'ALICE', email: 'new@example.com', password: 'password1' })).toEqual({
      created: false,
      reason: 'username-taken',
    });
    expect(await accounts.signup({ username: 'dave', email: 'CAROL@example.com', password: 'password1' })).toEqual({
      created: false,
      reason: 'email-taken',
    });
  });

  it('lets only one of two concurrent signups for the same name win', async () => {
    const accounts = await Accounts.seed([]);
    const results = await Promise.all([
      accounts.signup({ username: 'racer', email: 'one@example.com', password: 'password1' }),
      accounts.signup({ username: 'RACER', email: 'two@example.com', password: 'password2' }),
    ]);
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(accounts.size).toBe(1);
  });
});

describe('checkSignup', () => {
  const good = { username: 'new.user-1_x', email: 'a@b.c', password: '12345678' };
  it('accepts good fields', () => {
    expect(checkSignup(good)).toEqual({ ok: true, fields: good });
  });
  it.each([
    ['a missing field', { username: 'abc', email: 'a@b.c' }],
    ['a field that is not a string', { ...good, password: 12345678 }],
    ['a short username', { ...good, username: 'ab' }],
    ['a long username', { ...good, username: 'a'.repeat(33) }],
    ['a username with a space', { ...good, username: 'new user' }],
    ['an email without @', { ...good, email: 'ab.c' }],
    ['an email that ends in @', { ...good, email: 'ab@' }],
    ['a short password', { ...good, password: '1234567' }],
  ])('rejects %s', (_name, body) => {
    expect(checkSignup(body)).toMatchObject({ ok: false, error: expect.any(String) });
  });
});
