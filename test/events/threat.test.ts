/** Which threat a decision's findings point at, and whether the evidence makes it an attack. */
import { describe, expect, it } from 'vitest';
import { REASONS } from '../../src/detectors/reasons.js';
import { classifyThreat, THREAT_WORDS, THREATS } from '../../src/events/threat.js';

const f = (...reasons: string[]) => reasons.map((reason) => ({ reason }));

describe('classifyThreat', () => {
  it.each([
    [f(), 'login', null, false],
    [f('stuffing.source-failures'), 'login', 'credential-stuffing', true],
    [f('cracking.many-passwords', 'stuffing.source-failures'), 'login', 'credential-cracking', true],
    [f('ato.device-flagged'), 'login', 'account-takeover', true],
    [f('login.unknown-username', 'login.too-fast'), 'login', 'credential-stuffing', false],
    [f('attack-mode.no-evidence'), 'login', 'credential-stuffing', false],
    [f('ua.automation'), 'login', 'credential-stuffing', true],
    [f('ua.automation'), 'signup', 'fake-accounts', true],
    [f('ua.automation'), 'api', 'scraping', false],
    [f('ua.headless'), 'page', 'scraping', false],
    [f('rate.exceeded'), 'page', 'scraping', true],
    [f('rate.exceeded'), 'comment', 'comment-spam', true],
    [f('account.suspect-source'), 'signup', 'fake-accounts', true],
    [f('email.patterned', 'login.unknown-username'), 'signup', 'credential-stuffing', false],
    [f('list.manual-block'), 'page', 'deny-list', true],
    [f('list.manual-allow'), 'page', null, false],
    [f('challenge.cleared'), 'login', null, false],
    [f('store.degraded', 'body.malformed'), 'login', null, false],
    [f('signup.new-signal-from-a-later-version'), 'signup', 'fake-accounts', false],
    [f('brand-new.code'), 'login', null, false],
  ] as const)('%j on %s → %s, attack %s', (findings, kind, threat, attack) => {
    expect(classifyThreat(findings, kind)).toEqual({ threat, attack });
  });

  it('knows every reason code the detectors emit, or reads its prefix', () => {
    const unclassified = Object.keys(REASONS).filter((r) => classifyThreat(f(r), 'login').threat === null);
    // Transitions are events of their own; the others say nothing about the client.
    expect(unclassified.sort()).toEqual([
      'attack-mode.ended',
      'attack-mode.started',
      'body.malformed',
      'challenge.clearance-insufficient',
      'challenge.cleared',
      'challenge.failed',
      'challenge.solved',
      'request.ambiguous',
      'request.malformed',
      'store.degraded',
    ]);
  });

  it('has words for every threat', () => {
    for (const t of THREATS) expect(THREAT_WORDS[t].length).toBeGreaterThan(3);
  });
});
