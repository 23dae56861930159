/**
 * The source-failures finding needs confidence, not a first handful of logins: people behind one
 * shared address fail some logins (typos, forgotten passwords), a stuffing tool fails nearly all.
 */
import { describe, expect, it } from 'vitest';
import { policySchema } from '../../src/config/schema.js';
import { createCredentialStuffingDetector } from '../../src/detectors/credential-stuffing.js';
import type { DetectorInput } from '../../src/detectors/detector.js';
import { ManualClock } from '../../src/state/clock.js';
import { MemoryStore } from '../../src/state/memory-store.js';

const settings = policySchema.parse({}).detection.login;

function login(clock: ManualClock, username: string, ip = '198.51.100.9'): DetectorInput {
  return {
    id: 'x',
    now: clock.now(),
    method: 'POST',
    path: '/api/login',
    flow: { name: 'api-login', kind: 'login' },
    signals: {
      ip,
      prefix: '198.51.100.0/24',
      fingerprint: `fp-${username}`,
      userAgent: { class: 'unknown', family: 'other', mobile: true, engine: 'other', engineVersion: null },
      uaInconsistency: null,
      acceptsHtml: false,
    },
    fields: { usernameHash: `u-${username}`, passwordHash: `p-${username}` },
    bodyError: null,
    device: null,
    client: 'api',
    account: null,
  } as unknown as DetectorInput;
}

/** Sends the logins in order, each judged then learnt from its outcome; returns the last one's reasons. */
function run(outcomes: readonly ('success' | 'failure')[]): string[] {
  const clock = new ManualClock();
  const store = new MemoryStore({ maxEntries: 10_000, clock });
  const detector = createCredentialStuffingDetector(settings);
  for (const [i, result] of outcomes.entries()) {
    const x = login(clock, `person-${i}`);
    detector.judge(x, store.execSync(detector.plan(x)));
    store.write(detector.learn!(x, { status: result === 'success' ? 200 : 401, result }, {} as never));
    clock.advance(2_000);
  }
  const next = login(clock, 'next');
  return detector.judge(next, store.execSync(detector.plan(next))).map((f) => f.reason);
}

describe('credential stuffing: failures from one source', () => {
  it('does not call five people behind one address stuffers for three failed logins', () => {
    expect(run(['failure', 'success', 'failure', 'success', 'failure'])).not.toContain('stuffing.source-failures');
  });

  it('names a source whose every login fails, as early as before', () => {
    expect(run(['failure', 'failure', 'failure', 'failure', 'failure'])).toContain('stuffing.source-failures');
  });

  it('names a busy source whose logins mostly fail once the volume shows it', () => {
    const mostly = Array.from({ length: 30 }, (_, i): 'success' | 'failure' => (i % 10 === 0 ? 'success' : 'failure'));
    expect(run(mostly)).toContain('stuffing.source-failures');
  });
});
