/**
 * Account reputation carried from signup and login to the session they open, against the real
 * MemoryStore on a manual clock: plan → execSync → judge → learn → write, as the gateway does.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { policySchema } from '../../src/config/schema.js';
import { signupKeys } from '../../src/detectors/account-creation.js';
import {
  accountKeys,
  createAccountSessionsDetector,
  decodeBinding,
  encodeBinding,
} from '../../src/detectors/account-sessions.js';
import type { Detector, DetectorInput, Finding, Outcome } from '../../src/detectors/detector.js';
import { ManualClock } from '../../src/state/clock.js';
import { MemoryStore } from '../../src/state/memory-store.js';

const DETECTION = policySchema.parse({}).detection;
const SUSPECT: Finding[] = [
  { source: 'detector/account-creation', reason: 'email.patterned', score: 20 },
  { source: 'detector/account-creation', reason: 'signup.no-page-visit', score: 40 },
];
const CLEAN: Finding[] = [{ source: 'detector/account-creation', reason: 'signup.fingerprint-velocity', score: 30 }];

let clock: ManualClock;
let store: MemoryStore;
let detector: Detector;

beforeEach(() => {
  clock = new ManualClock();
  store = new MemoryStore({ maxEntries: 10_000, clock });
  detector = createAccountSessionsDetector(DETECTION.accountCreation, DETECTION.commentSpam);
});

function input(kind: 'login' | 'signup', usernameHash: string): DetectorInput {
  return {
    id: `${kind}-${usernameHash}`,
    now: clock.now(),
    method: 'POST',
    path: `/api/${kind}`,
    flow: { name: `api-${kind}`, kind },
    signals: {
      ip: '203.0.113.5',
      prefix: '203.0.113.0/24',
      fingerprint: 'fp',
      userAgent: { class: 'browser', family: 'chrome', mobile: false, engine: 'blink', engineVersion: 131 },
      uaInconsistency: null,
      acceptsHtml: false,
    },
    fields: { usernameHash, passwordHash: 'pw' },
    bodyError: null,
    device: null,
    client: 'api',
    account: null,
  };
}

/** One request through the detector; returns what it learnt from the given outcome. */
function run(kind: 'login' | 'signup', usernameHash: string, outcome: Outcome, findings: Finding[] = []) {
  const x = input(kind, usernameHash);
  const ops = detector.plan(x);
  expect(detector.judge(x, store.execSync(ops))).toEqual([]);
  const learnt = detector.learn!(x, outcome, { action: 'tag', enforced: true, findings });
  store.write(learnt);
  return { planned: ops, learnt };
}

function binding(session: string) {
  return decodeBinding(store.execSync([{ kind: 'flagGet', key: accountKeys.session(session) }])[0] as string | null);
}

const created = (status = 201): Outcome => ({ status, result: 'success' });
const loggedIn = (session?: string): Outcome => ({ status: 200, result: 'success', ...(session ? { session } : {}) });

describe('account-sessions', () => {
  it('binds a login’s session to the account’s creation here and its suspect signup', () => {
    const signupAt = clock.now();
    run('signup', 'u-farmed', created(), SUSPECT);
    // account-creation's own learn marks the account suspect; the binding reads that flag.
    store.write([
      {
        kind: 'flagSet',
        key: signupKeys.suspectAccount('u-farmed'),
        value: 'email.patterned,signup.no-page-visit',
        ttlMs: 60_000,
      },
    ]);
    clock.advance(1_200);
    const { planned, learnt } = run('login', 'u-farmed', loggedIn('session-hash-1'));
    expect(planned).toHaveLength(2);
    expect(learnt.map((op) => op.key)).toEqual([accountKeys.session('session-hash-1')]);
    expect(binding('session-hash-1')).toEqual({
      createdAt: signupAt,
      suspectSignup: 'email.patterned,signup.no-page-visit',
    });
  });

  it('binds a clean new account by its age alone', () => {
    const signupAt = clock.now();
    run('signup', 'u-new', created(), CLEAN);
    clock.advance(30_000);
    run('login', 'u-new', loggedIn('session-hash-2'));
    expect(binding('session-hash-2')).toEqual({ createdAt: signupAt, suspectSignup: null });
  });

  it('binds a session the signup answer itself opened, with the signup’s own verdict', () => {
    const { learnt } = run(
      'signup',
      'u-direct',
      { status: 201, result: 'success', session: 'session-hash-3' },
      SUSPECT,
    );
    expect(learnt.map((op) => op.key)).toEqual([
      accountKeys.created('u-direct'),
      accountKeys.session('session-hash-3'),
    ]);
    expect(binding('session-hash-3')).toEqual({
      createdAt: clock.now(),
      suspectSignup: 'email.patterned,signup.no-page-visit',
    });
  });

  it('writes nothing for an account it knows nothing of, a failure, or an answer without a session', () => {
    expect(run('login', 'u-veteran', loggedIn('session-hash-4')).learnt).toEqual([]);
    run('signup', 'u-known', created(), CLEAN);
    expect(run('login', 'u-known', { status: 401, result: 'failure' }).learnt).toEqual([]);
    expect(run('login', 'u-known', loggedIn()).learnt).toEqual([]);
    expect(run('signup', 'u-taken', { status: 409, result: 'failure' }, SUSPECT).learnt).toEqual([]);
  });

  it('looks at every signup, and at the logins that open a session', () => {
    expect(detector.appliesTo({ name: 'signup', kind: 'signup' })).toBe(true);
    expect(detector.appliesTo({ name: 'api-login', kind: 'login', opensSession: true })).toBe(true);
    expect(detector.appliesTo({ name: 'login', kind: 'login' })).toBe(false);
    expect(detector.appliesTo({ name: 'comments', kind: 'comment', opensSession: true })).toBe(false);
  });

  it('encodes a binding so that it decodes to itself, and refuses what it did not write', () => {
    for (const b of [
      { createdAt: 1_764_000_000_000, suspectSignup: 'email.disposable' },
      { createdAt: null, suspectSignup: 'a,b' },
      { createdAt: 5, suspectSignup: null },
    ]) {
      expect(decodeBinding(encodeBinding(b))).toEqual(b);
    }
    expect(decodeBinding(null)).toBeNull();
    expect(decodeBinding('no-separator')).toBeNull();
  });
});
