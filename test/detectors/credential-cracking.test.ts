import { describe, expect, it } from 'vitest';
import { policySchema } from '../../src/config/schema.js';
import { createCredentialCrackingDetector } from '../../src/detectors/credential-cracking.js';
import type { DetectorInput, Device } from '../../src/detectors/detector.js';
import { loginKeys } from '../../src/detectors/login-keys.js';
import { ManualClock } from '../../src/state/clock.js';
import { MemoryStore } from '../../src/state/memory-store.js';

const settings = policySchema.parse({}).detection.login;
const ACCOUNT = 'u-hash-of-alice';

function input(clock: ManualClock, passwordHash: string, device: Device | null): DetectorInput {
  return {
    id: 'x',
    now: clock.now(),
    method: 'POST',
    path: '/login',
    flow: { name: 'login-form', kind: 'login' },
    signals: {
      ip: '203.0.113.7',
      prefix: '203.0.113.0/24',
      fingerprint: 'f00dfeedcafe',
      userAgent: { class: 'browser', family: 'Chrome', mobile: false, engine: 'blink', engineVersion: 131 },
      uaInconsistency: null,
      acceptsHtml: true,
    },
    fields: { usernameHash: ACCOUNT, passwordHash },
    bodyError: null,
    device,
    client: 'browser',
    account: ACCOUNT,
  };
}

function judge(store: MemoryStore, clock: ManualClock, passwordHash: string, device: Device | null): string[] {
  const detector = createCredentialCrackingDetector(settings);
  const i = input(clock, passwordHash, device);
  return detector.judge(i, store.execSync(detector.plan(i))).map((f) => f.reason);
}

describe('credential cracking detector', () => {
  it('lets a person try a few passwords, and flags the account once many are tried', () => {
    const clock = new ManualClock();
    const store = new MemoryStore({ maxEntries: 10_000, clock });
    const found: string[][] = [];
    for (let i = 0; i < settings.passwordsPerAccount; i++) found.push(judge(store, clock, `pw-${i}`, null));
    expect(found.slice(0, 3).flat()).toEqual([]);
    expect(found.at(-1)).toEqual(['cracking.many-passwords']);
    // A stranger's device is judged by the account's count like any other source.
    expect(judge(store, clock, 'pw-right', { id: 'cccccccccccccccc', issuedAt: clock.now() })).toEqual([
      'cracking.many-passwords',
    ]);
  });

  it('does not lock the owner out: a device that logged this user in before is exempt', () => {
    const clock = new ManualClock();
    const store = new MemoryStore({ maxEntries: 10_000, clock });
    const owner: Device = { id: 'oooooooooooooooo', issuedAt: clock.now() };
    // What the credential-stuffing detector learns from the owner's earlier successful login.
    store.execSync([{ kind: 'flagSet', key: loginKeys.knownDevice(owner.id, ACCOUNT), value: '1', ttlMs: 86_400_000 }]);
    for (let i = 0; i < settings.passwordsPerAccount * 2; i++) judge(store, clock, `guess-${i}`, null);
    expect(judge(store, clock, 'pw-right', owner)).toEqual([]);
  });
});
