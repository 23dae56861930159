import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClearanceSigner } from '../../../src/actions/challenge/clearance.js';
import {
  claimResult,
  createChallengeIssuer,
  leadingZeroBits,
  MAX_TOKEN_LENGTH,
  NONCE_KEY_PREFIX,
  nonceClaim,
  peekChallenge,
} from '../../../src/actions/challenge/proof-of-work.js';
import { solveChallenge } from '../../../src/actions/challenge/solver.js';
import { ManualClock } from '../../../src/state/clock.js';
import { MemoryStore } from '../../../src/state/memory-store.js';
import { CLIENT, challengeSetup, MINUTE, NEW_KEY, OLD_KEY, tamper } from './fixtures.js';

function issueAndSolve(difficulty = 8) {
  const setup = challengeSetup();
  const issued = setup.issuer.issue({ ...CLIENT, difficulty, returnTo: '/login?next=%2Fcart' });
  return { ...setup, issued, solution: String(solveChallenge(issued.token, difficulty)) };
}

/** Re-encode a token's payload with one field changed, keeping the original MAC. */
function withPayloadField(token: string, field: string, value: unknown): string {
  const [version, payload, mac] = token.split('.') as [string, string, string];
  const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  decoded[field] = value;
  return `${version}.${Buffer.from(JSON.stringify(decoded)).toString('base64url')}.${mac}`;
}

describe('challenge issue and verification', () => {
  it('issues a signed, URL-safe token that carries the whole challenge', () => {
    const { issued, clock } = issueAndSolve();
    expect(issued.token).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(encodeURIComponent(issued.token)).toBe(issued.token);
    expect(issued).toMatchObject({
      ...CLIENT,
      difficulty: 8,
      issuedAt: clock.now(),
      expiresAt: clock.now() + 5 * MINUTE,
    });
    expect(issued.nonce).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const { token: _token, ...challenge } = issued;
    expect(peekChallenge(issued.token)).toEqual(challenge);
  });

  it('only ever signs a same-origin returnTo, so redemption cannot redirect off the site', () => {
    const { issuer } = challengeSetup();
    for (const returnTo of ['https://evil.example/', '//evil.example', '/\\evil.example']) {
      expect(issuer.issue({ ...CLIENT, difficulty: 1, returnTo }).returnTo).toBe('/');
    }
  });

  it('gives every challenge its own nonce', () => {
    const { issuer } = challengeSetup();
    const nonces = new Set(
      Array.from({ length: 600 }, () => issuer.issue({ ...CLIENT, difficulty: 1, returnTo: '/' }).nonce),
    );
    expect(nonces.size).toBe(600);
  });

  it('accepts a solved challenge from the client it was issued to, and hands back the nonce claim', () => {
    const { issuer, issued, solution, clock } = issueAndSolve();
    clock.advance(1_000);
    const check = issuer.verify(issued.token, solution, CLIENT);
    expect(check.result).toBe('ok');
    if (check.result !== 'ok') return;
    expect(check.challenge.nonce).toBe(issued.nonce);
    expect(check.claim).toEqual({
      kind: 'claim',
      key: NONCE_KEY_PREFIX + issued.nonce,
      ttlMs: 5 * MINUTE - 1_000 + MINUTE,
    });
  });

  it('refuses a challenge redeemed from another network prefix or another client (rebound)', () => {
    const { issuer, issued, solution } = issueAndSolve();
    expect(issuer.verify(issued.token, solution, { ...CLIENT, prefix: '198.51.100.0/24' }).result).toBe('rebound');
    expect(issuer.verify(issued.token, solution, { ...CLIENT, fingerprint: 'fp-other' }).result).toBe('rebound');
  });

  it('expires exactly at expiresAt on the injected clock', () => {
    const { issuer, issued, solution, clock } = issueAndSolve();
    clock.advance(5 * MINUTE - 1);
    expect(issuer.verify(issued.token, solution, CLIENT).result).toBe('ok');
    clock.advance(1);
    expect(issuer.verify(issued.token, solution, CLIENT).result).toBe('expired');
  });

  it('refuses a token whose payload was changed, even to an easier difficulty or a longer life (forged)', () => {
    const { issuer, issued, solution } = issueAndSolve();
    expect(issuer.verify(withPayloadField(issued.token, 'd', 0), '0', CLIENT).result).toBe('forged');
    expect(issuer.verify(withPayloadField(issued.token, 'e', issued.expiresAt + MINUTE), solution, CLIENT).result).toBe(
      'forged',
    );
    expect(
      issuer.verify(withPayloadField(issued.token, 'p', '198.51.100.0/24'), solution, {
        ...CLIENT,
        prefix: '198.51.100.0/24',
      }).result,
    ).toBe('forged');
    expect(issuer.verify(tamper(issued.token, 'payload'), solution, CLIENT).result).toBe('forged');
  });

  it('refuses a changed MAC, including another spelling of the same MAC bytes (forged)', () => {
    const { issuer, issued, solution } = issueAndSolve();
    expect(issuer.verify(tamper(issued.token, 'mac'), solution, CLIENT).result).toBe('forged');
    // The 43rd base64url character carries 4 bits and 2 spare ones; flipping a spare bit keeps the bytes.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(issued.token.at(-1)!);
    const respelled = issued.token.slice(0, -1) + alphabet[last ^ 1];
    expect(Buffer.from(respelled.split('.')[2]!, 'base64url')).toEqual(
      Buffer.from(issued.token.split('.')[2]!, 'base64url'),
    );
    expect(issuer.verify(respelled, solution, CLIENT).result).toBe('forged');
  });

  it('refuses a token signed with a secret it does not hold, and any non-token without throwing', () => {
    const { issued, solution } = issueAndSolve();
    const stranger = createChallengeIssuer({
      keys: [{ id: NEW_KEY.id, secret: 'another-secret-0123456789' }],
      current: NEW_KEY.id,
      clock: new ManualClock(),
    });
    expect(stranger.verify(issued.token, solution, CLIENT).result).toBe('forged');
    const { issuer } = challengeSetup();
    for (const bad of [
      '',
      'v1',
      'v1..',
      `v2${issued.token.slice(2)}`,
      issued.token.slice(0, -1),
      `${issued.token}A`,
      'x'.repeat(MAX_TOKEN_LENGTH + 1),
    ]) {
      expect(issuer.verify(bad, solution, CLIENT)).toEqual({ result: 'forged', challenge: null });
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 20 }), (token, counter) => {
        expect(issuer.verify(token, counter, CLIENT).result).toBe('forged');
      }),
      { numRuns: 300 },
    );
  });

  it('keeps accepting challenges signed by a key still in the set after rotation, and none after its removal', () => {
    const clock = new ManualClock();
    const before = createChallengeIssuer({ keys: [OLD_KEY], current: OLD_KEY.id, clock });
    const issued = before.issue({ ...CLIENT, difficulty: 4, returnTo: '/' });
    const solution = String(solveChallenge(issued.token, 4));
    const during = createChallengeIssuer({ keys: [OLD_KEY, NEW_KEY], current: NEW_KEY.id, clock });
    expect(during.verify(issued.token, solution, CLIENT).result).toBe('ok');
    const after = createChallengeIssuer({ keys: [NEW_KEY], current: NEW_KEY.id, clock });
    expect(after.verify(issued.token, solution, CLIENT).result).toBe('forged');
  });

  it('keeps challenge and clearance tokens apart although they share a secret', () => {
    const { issuer, issued } = issueAndSolve();
    const signer = createClearanceSigner({
      keys: [NEW_KEY],
      current: NEW_KEY.id,
      graceMs: 0,
      clock: new ManualClock(),
    });
    const clearance = signer.sign({ ...CLIENT, level: 8 });
    expect(issuer.verify(clearance.token, '0', CLIENT).result).toBe('forged');
    expect(signer.verify(issued.token, CLIENT)).toEqual({ ok: false, reason: 'malformed' });
    // Same shape, both MACs derived from one secret: the purpose-specific keys still differ.
    const asClearance = `v1.${NEW_KEY.id}.${issued.token.split('.')[1]}.${issued.token.split('.')[2]}`;
    expect(signer.verify(asClearance, CLIENT)).toEqual({ ok: false, reason: 'forged' });
  });

  it('refuses to issue an impossible difficulty and to start without a valid key set', () => {
    const { issuer } = challengeSetup();
    expect(() => issuer.issue({ ...CLIENT, difficulty: 33, returnTo: '/' })).toThrow(
      /difficulty must be an integer from 0 to 32 \(received "33"\)/,
    );
    expect(() => issuer.issue({ ...CLIENT, difficulty: 2.5, returnTo: '/' })).toThrow(/received "2.5"/);
    expect(() =>
      createChallengeIssuer({ keys: [NEW_KEY], current: NEW_KEY.id, clock: new ManualClock(), ttlMs: 0 }),
    ).toThrow(/ttlMs must be a positive integer/);
    expect(() =>
      createChallengeIssuer({
        keys: [{ id: 'a b', secret: 'short' }, NEW_KEY, NEW_KEY],
        current: 'missing',
        clock: new ManualClock(),
      }),
    ).toThrow(
      'Cannot load the challenge signing keys: keys[0].id must be 1-32 of A-Z a-z 0-9 _ - (received "a b"); ' +
        'keys[0].secret must be at least 16 characters (received 5); keys[2].id is used twice (received "k2026"); ' +
        'current must name one of the keys (received "missing")',
    );
  });
});

describe('nonce single use', () => {
  it('lets the real memory store spend a nonce once: the second redemption is a replay', async () => {
    const { issuer, issued, solution, clock } = issueAndSolve();
    const store = new MemoryStore({ maxEntries: 1_000, clock });
    const first = issuer.verify(issued.token, solution, CLIENT);
    const second = issuer.verify(issued.token, solution, CLIENT);
    if (first.result !== 'ok' || second.result !== 'ok')
      throw new Error('expected both checks to pass before the claim');
    expect(claimResult((await store.exec([first.claim]))[0])).toBe('ok');
    expect(claimResult((await store.exec([second.claim]))[0])).toBe('replayed');
    // Still spent at the last moment the challenge could be redeemed on a node whose clock runs a minute late.
    clock.set(issued.expiresAt + MINUTE - 1);
    expect(claimResult((await store.exec([nonceClaim(issued, issued.expiresAt)]))[0])).toBe('replayed');
  });

  it('treats anything but a first claim as a replay', () => {
    expect(claimResult(true)).toBe('ok');
    for (const other of [false, null, undefined, 1, 'true']) expect(claimResult(other)).toBe('replayed');
  });
});

describe('leadingZeroBits', () => {
  it('agrees with counting zeros in the binary spelling', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 8 }), (bytes) => {
        const binary = [...bytes].map((b) => b.toString(2).padStart(8, '0')).join('');
        const zeros = binary.indexOf('1') === -1 ? binary.length : binary.indexOf('1');
        expect(leadingZeroBits(bytes)).toBe(zeros);
      }),
    );
  });
});
