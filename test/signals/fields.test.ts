import { describe, expect, it } from 'vitest';
import { createFieldNormaliser, createUsernameHasher } from '../../src/signals/fields.js';
import { createKeyedHasher, deriveKey } from '../../src/signals/identity.js';

const SECRET = 'test-secret-0123456789';

describe('createFieldNormaliser', () => {
  const normalise = createFieldNormaliser(SECRET);

  it('normalises the username and hashes it under the username key', () => {
    const fields = normalise({ username: '  Ａlice\u200B ' });
    expect(fields.username).toBe('alice');
    expect(fields.usernameHash).toBe(createKeyedHasher(deriveKey(SECRET, 'username'))('alice'));
    expect(fields.usernameHash).toBe(createUsernameHasher(SECRET)('ALICE'));
  });

  it('hashes the raw password, never normalised and never kept', () => {
    const password = ' Hunter2\u200B ';
    const fields = normalise({ username: 'alice', password });
    const hashPassword = createKeyedHasher(deriveKey(SECRET, 'password'));
    expect(fields.passwordHash).toBe(hashPassword(password));
    expect(fields.passwordHash).not.toBe(hashPassword('hunter2'));
    expect(normalise({ password: 'Hunter2' }).passwordHash).not.toBe(normalise({ password: 'hunter2' }).passwordHash);
    expect(JSON.stringify(fields)).not.toContain('Hunter2');
    expect(Object.keys(fields).sort()).toEqual(['passwordHash', 'username', 'usernameHash']);
    expect(normalise({ password: '' }).passwordHash).toMatch(/^[0-9a-f]{32}$/);
  });

  it('keeps username and password hashes apart for equal inputs', () => {
    const fields = normalise({ username: 'secret', password: 'secret' });
    expect(fields.usernameHash).not.toBe(fields.passwordHash);
  });

  it('normalises email, trims text, hashes identity', () => {
    const fields = normalise({
      email: ' Alice@Example.COM ',
      text: '  Great listing!  ',
      identity: ' +44 7700 900123 ',
    });
    expect(fields.email).toBe('alice@example.com');
    expect(fields.text).toBe('Great listing!');
    expect(fields.identity).toBe(createKeyedHasher(deriveKey(SECRET, 'identity'))('+44 7700 900123'));
  });

  it('leaves out values that normalise to nothing', () => {
    expect(normalise({ username: ' \u200B ', email: '', text: '   ', identity: '\uFEFF' })).toEqual({});
    expect(normalise({})).toEqual({});
  });

  it('depends on the secret', () => {
    expect(createFieldNormaliser(`${SECRET}x`)({ username: 'alice' }).usernameHash).not.toBe(
      normalise({ username: 'alice' }).usernameHash,
    );
  });
});
