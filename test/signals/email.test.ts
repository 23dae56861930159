import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDisposableDomain, localPartPattern, parseEmail } from '../../src/signals/email.js';

function mailbox(address: string): string | undefined {
  return parseEmail(address)?.mailbox;
}

describe('parseEmail: one mailbox, one key', () => {
  it('folds Gmail dots, +tags, case and googlemail.com into one mailbox', () => {
    const spellings = [
      'anna.kowalska@gmail.com',
      'AnnaKowalska@Gmail.com',
      'a.n.n.a.k.o.w.a.l.s.k.a@gmail.com',
      'annakowalska+shop@gmail.com',
      'anna.kowalska+x+y@googlemail.com',
    ];
    for (const s of spellings) expect(mailbox(s), s).toBe('annakowalska@gmail.com');
  });

  it('keeps dots significant outside Gmail, but folds +tags everywhere', () => {
    expect(mailbox('a.nna@outlook.com')).toBe('a.nna@outlook.com');
    expect(mailbox('anna@outlook.com')).toBe('anna@outlook.com');
    expect(mailbox('anna+news@outlook.com')).toBe('anna@outlook.com');
    expect(mailbox('anna+news@example.org')).toBe('anna@example.org');
  });

  it('folds Yahoo disposable `base-keyword` addresses, on national Yahoo domains too', () => {
    expect(mailbox('nick-shop@yahoo.com')).toBe('nick@yahoo.com');
    expect(mailbox('nick-ebay@yahoo.co.uk')).toBe('nick@yahoo.co.uk');
    expect(mailbox('nick-x@outlook.com')).toBe('nick-x@outlook.com');
  });

  it('folds look-alike letters and flags an address that mixes scripts', () => {
    const cyrillic = 'аnna@gmail.com'; // the first letter is Cyrillic а (U+0430)
    expect(cyrillic.charCodeAt(0)).toBe(0x430);
    const parsed = parseEmail(cyrillic);
    expect(parsed?.mailbox).toBe('anna@gmail.com');
    expect(parsed?.lookalike).toBe(true);
    expect(parseEmail('gmаil.user@gmаil.com')?.domain).toBe('gmail.com');
    expect(parseEmail('anna@gmail.com')?.lookalike).toBe(false);
    // Full-width forms are NFKC's work; an address wholly in another script is not a look-alike.
    expect(mailbox('ａｎｎａ@ｇｍａｉｌ.ｃｏｍ')).toBe('anna@gmail.com');
    expect(parseEmail('иван@почта.рф')?.lookalike).toBe(false);
  });

  it('rejects what is not an address', () => {
    for (const bad of ['', 'anna', '@gmail.com', 'anna@', 'anna@localhost', 'anna@.com']) {
      expect(parseEmail(bad), bad).toBeNull();
    }
  });

  it('is idempotent: a folded mailbox folds to itself', () => {
    const local = fc.stringMatching(/^[a-zA-Z0-9.+_-]{1,20}$/);
    const domain = fc.constantFrom(
      'gmail.com',
      'googlemail.com',
      'outlook.com',
      'yahoo.com',
      'yahoo.fr',
      'example.org',
    );
    fc.assert(
      fc.property(local, domain, (l, d) => {
        const once = mailbox(`${l}@${d}`);
        if (once === undefined) return;
        expect(mailbox(once)).toBe(once);
      }),
    );
  });
});

describe('disposable domains', () => {
  it('recognises listed domains and their subdomains', () => {
    expect(parseEmail('x@mailinator.com')?.disposable).toBe(true);
    expect(parseEmail('x@inbox.mailinator.com')?.disposable).toBe(true);
    expect(isDisposableDomain('yopmail.com')).toBe(true);
    expect(isDisposableDomain('guerrillamail.com')).toBe(true);
  });

  it('leaves the mailboxes people use alone, privacy relays included', () => {
    for (const d of [
      'gmail.com',
      'outlook.com',
      'hotmail.com',
      'yahoo.com',
      'icloud.com',
      'proton.me',
      'gmx.de',
      'mail.ru',
      'qq.com',
      'web.de',
      'orange.fr',
    ]) {
      expect(isDisposableDomain(d), d).toBe(false);
    }
    for (const relay of ['duck.com', 'mozmail.com', 'simplelogin.com', 'privaterelay.appleid.com']) {
      const parsed = parseEmail(`someone@${relay}`);
      expect(parsed?.disposable, relay).toBe(false);
      expect(parsed?.relay, relay).toBe(true);
    }
  });
});

describe('patterned local parts', () => {
  it('flags a name with a long digit run, and random-looking strings', () => {
    expect(localPartPattern('annakowalska48213')).toBe('digit-run');
    expect(localPartPattern('john.smith7731')).toBe('digit-run');
    expect(localPartPattern('a7k2m9x3q1')).toBe('random');
    expect(localPartPattern('b3f9c1d7e2')).toBe('random');
    expect(localPartPattern('xkqzvbtwp')).toBe('random');
  });

  it('leaves ordinary names, years and all-digit local parts alone', () => {
    for (const local of [
      'anna',
      'anna.kowalska',
      'jsmith84',
      'maria1987',
      '1987maria',
      'j.doe2024',
      'schmidt',
      'lindstrom',
      'o.connor',
      '123456789',
      'mike_t',
      'kim.nguyen',
    ]) {
      expect(localPartPattern(local), local).toBeNull();
    }
  });

  it('gives numbered series one stem', () => {
    const stems = ['anna.k01@gmail.com', 'annak02@gmail.com', 'anna.k03+x@gmail.com'].map((a) => parseEmail(a)?.stem);
    expect(new Set(stems)).toEqual(new Set(['annak#@gmail.com']));
    expect(parseEmail('anna@gmail.com')?.stem).toBeNull();
    expect(parseEmail('123456@qq.com')?.stem).toBeNull();
  });
});
