/**
 * Token verification, as properties: a clearance cannot be forged, altered, moved to another
 * client or outlive its expiry, and a challenge token is never a clearance.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClearanceSigner } from '../../src/actions/challenge/clearance.js';
import { createChallengeIssuer } from '../../src/actions/challenge/proof-of-work.js';
import { ManualClock } from '../../src/state/clock.js';

const KEY = { id: 'k1', secret: 'hardening-key-0123456789abcdef' };
const OTHER = { id: 'k1', secret: 'another-key-0123456789abcdef!!' };
const HOUR = 3_600_000;
const clock = new ManualClock(Date.UTC(2026, 0, 1));
const signer = createClearanceSigner({ keys: [KEY], current: KEY.id, graceMs: HOUR, ttlMs: HOUR, clock });
const impostor = createClearanceSigner({ keys: [OTHER], current: OTHER.id, graceMs: HOUR, ttlMs: HOUR, clock });
const issuer = createChallengeIssuer({ keys: [KEY], current: KEY.id, clock });

const binding = fc.record({
  prefix: fc.oneof(
    fc.ipV4().map((ip) => `${ip.split('.').slice(0, 3).join('.')}.0/24`),
    fc.constant('2001:db8:1::/48'),
  ),
  fingerprint: fc.stringMatching(/^[0-9a-f]{16}$/),
});
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('clearance tokens', () => {
  it('verify for the client they were signed for, until they expire', () => {
    fc.assert(
      fc.property(
        binding,
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 2 * HOUR }),
        (client, level, later) => {
          const { token, claims } = signer.sign({ ...client, level });
          const at = clock.now();
          clock.advance(later);
          const check = signer.verify(token, client);
          if (later < HOUR) expect(check).toEqual({ ok: true, claims });
          else expect(check).toEqual({ ok: false, reason: 'expired' });
          clock.set(at);
        },
      ),
    );
  });

  it('reject every one-character change, insertion or deletion', () => {
    fc.assert(
      fc.property(
        binding,
        fc.nat(),
        fc.constantFrom(...BASE64URL, '.', '=', ' '),
        fc.constantFrom('replace', 'insert', 'delete'),
        (client, at, ch, how) => {
          const { token } = signer.sign({ ...client, level: 18 });
          const i = at % token.length;
          const changed =
            how === 'replace'
              ? token.slice(0, i) + ch + token.slice(i + 1)
              : how === 'insert'
                ? token.slice(0, i) + ch + token.slice(i)
                : token.slice(0, i) + token.slice(i + 1);
          if (changed === token) return;
          expect(signer.verify(changed, client).ok).toBe(false);
        },
      ),
      { numRuns: 1_500 },
    );
  });

  it('reject a token for another network or client, one signed under another secret, and any string', () => {
    fc.assert(
      fc.property(binding, binding, fc.string({ maxLength: 300 }), (a, b, junk) => {
        const { token } = signer.sign({ ...a, level: 18 });
        if (a.prefix !== b.prefix || a.fingerprint !== b.fingerprint)
          expect(signer.verify(token, b)).toEqual({ ok: false, reason: 'rebound' });
        expect(signer.verify(impostor.sign({ ...a, level: 18 }).token, a)).toEqual({ ok: false, reason: 'forged' });
        expect(signer.verify(junk, a).ok).toBe(false);
      }),
    );
  });

  it('never take a challenge token for a clearance', () => {
    fc.assert(
      fc.property(binding, (client) => {
        const challenge = issuer.issue({ ...client, difficulty: 1, returnTo: '/' });
        expect(signer.verify(challenge.token, client).ok).toBe(false);
      }),
    );
  });
});
