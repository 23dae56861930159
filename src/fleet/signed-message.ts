/**
 * Messages that change the fleet (a manual list entry, a policy) travel through Redis signed with
 * a key derived from the node secret (HMAC-SHA256, purpose `fleet`), so only a process holding
 * BOTGATE_SECRET can make one that nodes accept. Redis access alone lets one delete or replay
 * what is stored, not forge a change (docs/threat-model.md).
 *
 * The envelope is `{ "body": "<JSON text>", "sig": "<hex>" }`: the signature covers the exact
 * body text, so no canonical JSON is needed. A body is parsed only after its signature matched.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { deriveKey, hmacKey } from '../signals/identity.js';

export interface SignedEnvelope {
  readonly body: string;
  readonly sig: string;
}

export interface MessageSigner {
  /** The envelope of `value` as JSON text, ready to store or publish. */
  sign(value: unknown): string;
  /** The value inside an envelope (JSON text, or already parsed) whose signature matches, else null. */
  open(envelope: unknown): unknown;
}

export function createMessageSigner(secret: string): MessageSigner {
  const key = hmacKey(deriveKey(secret, 'fleet'));
  const mac = (body: string): Buffer => createHmac('sha256', key).update(body, 'utf8').digest();
  return {
    sign(value) {
      const body = JSON.stringify(value);
      return JSON.stringify({ body, sig: mac(body).toString('hex') } satisfies SignedEnvelope);
    },
    open(input) {
      let envelope = input;
      if (typeof input === 'string') {
        try {
          envelope = JSON.parse(input);
        } catch {
          return null;
        }
      }
      if (typeof envelope !== 'object' || envelope === null) return null;
      const { body, sig } = envelope as Partial<SignedEnvelope>;
      if (typeof body !== 'string' || typeof sig !== 'string' || !/^[0-9a-f]{64}$/.test(sig)) return null;
      if (!timingSafeEqual(mac(body), Buffer.from(sig, 'hex'))) return null;
      try {
        return JSON.parse(body) as unknown;
      } catch {
        return null;
      }
    },
  };
}
