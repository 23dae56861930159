/**
 * The comment-spam detector against the real MemoryStore on a manual clock: each comment runs
 * plan → execSync → judge, and, when the comment rules would have forwarded it, learn → write,
 * else (deceived) withheld → write, as the gateway does.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { policySchema } from '../../src/config/schema.js';
import { signupKeys } from '../../src/detectors/account-creation.js';
import { accountKeys, encodeBinding } from '../../src/detectors/account-sessions.js';
import { combinedScore } from '../../src/detectors/combined-score.js';
import { commentKeys, createCommentSpamDetector } from '../../src/detectors/comment-spam.js';
import type { Detector, DetectorInput, Device, Finding } from '../../src/detectors/detector.js';
import { createKeyedHasher } from '../../src/signals/identity.js';
import type { UserAgentInfo } from '../../src/signals/request-signals.js';
import { ManualClock } from '../../src/state/clock.js';
import { MemoryStore } from '../../src/state/memory-store.js';
import type { StoreOp } from '../../src/state/store.js';

const SETTINGS = policySchema.parse({}).detection.commentSpam;
/** The example policy's comment rules deceive at this combined score. */
const DECEIVE_SCORE = 70;
/** Operations one comment may cost (the brief's budget). */
const MAX_OPS = 16;
const CHROME: UserAgentInfo = {
  class: 'browser',
  family: 'chrome',
  mobile: false,
  engine: 'blink',
  engineVersion: 131,
};
const hashToken = createKeyedHasher('test-secret-for-accounts-0123456789');
/** People come with a handful of browser builds, so a header fingerprint is shared but not by everyone. */
const BROWSER_BUILDS = [
  'fp-chrome-131-win',
  'fp-chrome-131-mac',
  'fp-safari-18-ios',
  'fp-chrome-130-android',
  'fp-firefox-133',
  'fp-edge-131',
];

interface Comment {
  readonly text: string;
  /** The bearer token's owner; null for an anonymous comment flow. */
  readonly account: string | null;
  readonly ip: string;
  readonly listing?: number;
  readonly device?: Device | null;
  readonly fingerprint?: string;
}

interface Judged {
  readonly findings: readonly Finding[];
  readonly reasons: readonly string[];
  readonly score: number;
  readonly ops: readonly StoreOp[];
  readonly deceived: boolean;
}

let clock: ManualClock;
let store: MemoryStore;
let detector: Detector;
let sequence = 0;

beforeEach(() => {
  clock = new ManualClock();
  store = new MemoryStore({ maxEntries: 100_000, clock });
  detector = createCommentSpamDetector(SETTINGS);
});

function inputFor(c: Comment): DetectorInput {
  return {
    id: `req-${++sequence}`,
    now: clock.now(),
    method: 'POST',
    path: `/api/listings/${c.listing ?? 1}/comments`,
    flow: { name: 'listing-comments', kind: 'comment' },
    signals: {
      ip: c.ip,
      prefix: `${c.ip.split('.').slice(0, 3).join('.')}.0/24`,
      fingerprint: c.fingerprint ?? 'fp-chrome-131',
      userAgent: CHROME,
      uaInconsistency: null,
      acceptsHtml: false,
    },
    fields: { text: c.text.trim() },
    bodyError: null,
    device: c.device ?? null,
    client: 'api',
    account: c.account === null ? null : hashToken(c.account),
  };
}

/** One comment through the detector; forwarded and accepted (201) unless the rules would deceive it. */
function post(c: Comment): Judged {
  const input = inputFor(c);
  const ops = detector.plan(input);
  const findings = detector.judge(input, store.execSync(ops));
  const score = combinedScore(findings);
  const deceived = score >= DECEIVE_SCORE;
  if (!deceived) {
    const action = score >= 30 ? 'tag' : 'allow';
    store.write(detector.learn!(input, { status: 201, result: 'success' }, { action, enforced: true, findings }));
  } else {
    store.write(detector.withheld!(input, { action: 'deceive', enforced: true, findings }));
  }
  return { findings, reasons: findings.map((f) => f.reason), score, ops, deceived };
}

/** A seeded generator, so every run of the suite sees the same "random" variations. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A spam template, lightly varied: a greeting, a word or two swapped, the price and link path changed. */
function spamVariant(random: () => number, i: number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  return [
    pick(['Great listing!', 'Nice item!', 'Great item!', 'Awesome listing!']),
    `I sell the same ${pick(['much', 'way', 'much'])} cheaper, check my shop at https://best-deals.shop/item/${i}`,
    `${pick(['free', 'fast', 'free'])} shipping on all orders over ${10 + Math.floor(random() * 40)} dollars, ${pick(['today only', 'this week only', 'today only'])}`,
  ].join(' ');
}

/** Comments people write under listings: varied, sometimes with a number or a link, some stock phrases. */
const HUMAN_COMMENTS = [
  'Is this still available?',
  'Is this still available? I could pick it up on Saturday morning.',
  'Hi, would you take 120 for it? I can collect today after work.',
  'Does the camera come with the original charger and the box?',
  'Any scratches on the screen? The photos are a bit dark.',
  'What size is the jacket exactly, is it closer to an M or an L?',
  'Lovely sofa. Would you consider 250 if I collect it myself this weekend?',
  'How old is the bike and has the chain been replaced recently?',
  'Can you ship to Leeds? Happy to pay for the postage.',
  'My daughter would love this desk, is the height adjustable?',
  'Is the price negotiable? I am a student and on a tight budget.',
  'Does the guitar need new strings or is it ready to play?',
  'I bought the same lamp last year, great quality, you will not regret it.',
  'Could you send a photo of the back of the fridge? I want to check the model number.',
  'Does the stroller fold flat enough for a small car boot?',
  'Still have the charger for this laptop? Mine broke last week.',
  'Hello, is the table solid wood or veneer?',
  'Would you deliver within the city centre for a small fee?',
  'I live two streets away, can I come and see it tonight?',
  'Here is the manual if anyone needs it: https://support.example.com/manuals/x200',
  'Great price. Does the drill come with both batteries?',
  'Can you hold it until Monday? I get paid on Friday.',
  'Is the tent waterproof? We are going camping in Wales next month.',
  'Text me on 07700 900123 if it is still for sale, thanks!',
  'How many hours has the piano been played, roughly?',
  'Does the tv have HDMI 2.1? I need it for a console.',
  'Is the colour closer to navy or to black in daylight?',
  'I think the listing says 2019 but the sticker says 2017, which one is right?',
  'Beautiful chair! Where did you originally buy it?',
  'Can I pay by bank transfer when I collect?',
  'Are the shoes worn a lot or almost new? What about the soles?',
  'Would you swap for a road bike of similar value?',
  'Hi! Is the kettle 1.7 litres or the smaller version?',
  'Does the printer still have ink in it, or do I need new cartridges?',
  'Is the coat dry clean only, or can it go in the washing machine?',
  'We had the same oven, the door seal tends to go, worth checking.',
  'Please let me know if the price drops, I am very interested.',
  'Any chance you have the matching chairs for this table?',
  'Is the kayak stable enough for a beginner on a calm lake?',
  'Sold? If not I can come at 6 pm with cash.',
];

describe('comment-spam: real people', () => {
  it('lets ordinary, varied comments through, stock phrases and the odd link or number included', () => {
    const stock = [
      'Is this still available?',
      'Still available?',
      'Sold?',
      'Interested!',
      'What is the lowest price?',
      'Can you do 50?',
    ];
    const reasons = new Set<string>();
    // Each person writes their own comment once; between them, 60 people send a stock question.
    for (let n = 0; n < 100; n++) {
      const text = n < HUMAN_COMMENTS.length ? HUMAN_COMMENTS[n]! : stock[n % stock.length]!;
      const fingerprint = BROWSER_BUILDS[n % BROWSER_BUILDS.length]!;
      const result = post({
        text,
        account: `user-${n}`,
        ip: `198.${18 + (n % 40)}.${n % 250}.7`,
        listing: n % 30,
        fingerprint,
      });
      expect(result.deceived, text).toBe(false);
      expect(result.ops.length).toBeLessThanOrEqual(MAX_OPS);
      for (const r of result.reasons) reasons.add(r);
      clock.advance(9_000);
    }
    expect([...reasons]).toEqual(['comment.links']);
  });

  it('tags, but never decides on, one long sentence that many people write the same way', () => {
    const text = 'Is this still available? I could pick it up on Saturday morning.';
    const results = Array.from({ length: 40 }, (_, n) =>
      post({
        text,
        account: `person-${n}`,
        ip: `198.51.${n}.7`,
        listing: n,
        fingerprint: BROWSER_BUILDS[n % BROWSER_BUILDS.length]!,
      }),
    );
    expect(results.at(-1)!.reasons).toEqual(['comment.near-duplicate']);
    expect(results.some((r) => r.deceived)).toBe(false);
  });

  it('does not sketch short stock phrases, however many people write them', () => {
    for (let n = 0; n < 100; n++) {
      const fingerprint = BROWSER_BUILDS[n % BROWSER_BUILDS.length]!;
      const result = post({
        text: 'Is this still available?',
        account: `buyer-${n}`,
        ip: `203.0.${n}.1`,
        listing: n,
        fingerprint,
      });
      expect(result.findings).toEqual([]);
      expect(result.ops.length).toBe(8); // rates and reputation only
    }
  });
});

describe('comment-spam: templates across accounts', () => {
  it('catches the later of 50 lightly varied spam comments from 50 accounts and IPs', () => {
    const random = seeded(7);
    const results = Array.from({ length: 50 }, (_, i) => {
      const r = post({
        text: spamVariant(random, i),
        account: `bot-${i}`,
        ip: `100.${64 + i}.${i}.9`,
        listing: i % 12,
      });
      clock.advance(30_000);
      return r;
    });
    expect(results.slice(0, 3).some((r) => r.reasons.includes('comment.near-duplicate'))).toBe(false);
    // From the tenth on, at least 95 % are near-duplicates with a link: deceived.
    const later = results.slice(10);
    expect(later.filter((r) => r.reasons.includes('comment.near-duplicate')).length).toBeGreaterThanOrEqual(38);
    expect(later.filter((r) => r.deceived).length).toBeGreaterThanOrEqual(38);
    expect(results.every((r) => r.ops.length <= MAX_OPS)).toBe(true);
  });

  it('tags, but does not decide on, a payload-free template alone', () => {
    const results = Array.from({ length: 30 }, (_, i) =>
      post({
        text: `Wow this is exactly what I was looking for, such a great seller and a ${i % 2 ? 'great' : 'fair'} price too`,
        account: `bot-${i}`,
        ip: `100.70.${i}.9`,
      }),
    );
    const last = results.at(-1)!;
    expect(last.reasons).toEqual(['comment.near-duplicate']);
    expect(last.deceived).toBe(false);
  });

  it('finds one account pasting one exact text on many listings', () => {
    const text = 'Contact me for a better offer on this, I have several in stock and ship quickly';
    const results = Array.from({ length: 6 }, (_, i) =>
      post({ text, account: 'seller-1', ip: '203.0.113.5', listing: i + 1 }),
    );
    expect(results[SETTINGS.listingsPerText - 1]!.reasons).not.toContain('comment.cross-listing');
    expect(results[SETTINGS.listingsPerText]!.reasons).toContain('comment.cross-listing');
  });
});

describe('comment-spam: rates and account reputation', () => {
  it('finds a young account posting at machine speed, and not the same account once it is older', () => {
    const texts = HUMAN_COMMENTS.slice(1, 12);
    const burst = texts.slice(0, 5).map((text, i) => post({ text, account: 'fresh', ip: '203.0.113.60', listing: i }));
    expect(burst.slice(0, SETTINGS.machineComments).every((r) => !r.reasons.includes('account.new-fast'))).toBe(true);
    expect(burst[SETTINGS.machineComments]!.reasons).toContain('account.new-fast');
    expect(burst[SETTINGS.machineComments]!.deceived).toBe(true);

    clock.advance(SETTINGS.minAccountAgeSeconds * 1000 + 1);
    const later = texts
      .slice(5, 10)
      .map((text, i) => post({ text, account: 'fresh', ip: '203.0.113.60', listing: 20 + i }));
    expect(later.some((r) => r.reasons.includes('account.new-fast'))).toBe(false);
  });

  it('counts comments per account, IP and fingerprint within the rate window', () => {
    let last: Judged | undefined;
    for (let i = 0; i <= SETTINGS.perIp; i++) {
      last = post({ text: HUMAN_COMMENTS[i]!, account: `shared-${i}`, ip: '192.0.2.44', listing: i });
      clock.advance(20_000);
    }
    expect(last!.reasons).toContain('comment.ip-rate');
    clock.advance(2 * SETTINGS.rateWindowSeconds * 1000);
    for (let i = 0; i <= SETTINGS.perAccount; i++) {
      last = post({
        text: HUMAN_COMMENTS[i]!,
        account: 'chatty',
        ip: `10.0.${i}.1`,
        listing: i,
        fingerprint: `fp-${i}`,
      });
      clock.advance(20_000);
    }
    expect(last!.reasons).toContain('comment.account-rate');
    for (let i = 0; i <= SETTINGS.perFingerprint; i++) {
      last = post({
        text: HUMAN_COMMENTS[i % 40]!,
        account: `stack-${i}`,
        ip: `10.9.${i}.1`,
        listing: i,
        fingerprint: 'fp-rare-stack',
      });
    }
    expect(last!.reasons).toContain('comment.fingerprint-rate');
  });

  it('carries a suspect signup source and a spam history to the account’s comments', () => {
    const device: Device = { id: '00000000000000aa', issuedAt: clock.now() };
    store.write([
      { kind: 'flagSet', key: signupKeys.suspectSource('dv', device.id), value: 'email.series', ttlMs: 3_600_000 },
    ]);
    const fromSuspectDevice = post({ text: HUMAN_COMMENTS[2]!, account: 'new-user', ip: '203.0.113.70', device });
    expect(fromSuspectDevice.reasons).toEqual(['account.suspect-source']);
    expect(fromSuspectDevice.deceived).toBe(false);

    // A tagged comment that scored 60 or more marks its account.
    const input = inputFor({ text: HUMAN_COMMENTS[3]!, account: 'tagged', ip: '203.0.113.71' });
    detector.judge(input, store.execSync(detector.plan(input)));
    const strong: Finding[] = [
      { source: 't', reason: 'comment.near-duplicate', score: 55 },
      { source: 't', reason: 'comment.ip-rate', score: 45 },
    ];
    store.write(
      detector.learn!(input, { status: 201, result: 'success' }, { action: 'tag', enforced: true, findings: strong }),
    );
    expect(post({ text: HUMAN_COMMENTS[4]!, account: 'tagged', ip: '203.0.113.71' }).reasons).toEqual([
      'account.suspect',
    ]);
  });

  it('learns nothing from a refused comment, and first sightings only once', () => {
    const input = inputFor({ text: HUMAN_COMMENTS[5]!, account: 'someone', ip: '203.0.113.80' });
    detector.judge(input, store.execSync(detector.plan(input)));
    expect(
      detector.learn!(input, { status: 401, result: 'failure' }, { action: 'allow', enforced: true, findings: [] }),
    ).toEqual([]);
    const learnt = detector.learn!(
      input,
      { status: 201, result: 'success' },
      { action: 'allow', enforced: true, findings: [] },
    );
    expect(learnt.map((op) => op.key)).toEqual([commentKeys.firstSeen(hashToken('someone'))]);
    store.write(learnt);
    const again = inputFor({ text: HUMAN_COMMENTS[6]!, account: 'someone', ip: '203.0.113.80' });
    detector.judge(again, store.execSync(detector.plan(again)));
    expect(
      detector.learn!(again, { status: 201, result: 'success' }, { action: 'allow', enforced: true, findings: [] }),
    ).toEqual([]);
  });

  it('carries the signup an account was created by, through the session its login opened', () => {
    const device: Device = { id: '00000000000000bb', issuedAt: clock.now() };
    store.write([
      { kind: 'flagSet', key: signupKeys.suspectSource('dv', device.id), value: 'email.patterned', ttlMs: 3_600_000 },
      {
        kind: 'flagSet',
        key: accountKeys.session(hashToken('token-of-farmed')),
        value: encodeBinding({ createdAt: clock.now(), suspectSignup: 'email.patterned,signup.no-page-visit' }),
        ttlMs: 3_600_000,
      },
    ]);
    const plain = post({ text: HUMAN_COMMENTS[2]!, account: 'token-of-farmed', ip: '203.0.113.90', device });
    // The account's own signup stands in for its source's: the same evidence counts once.
    expect(plain.reasons).toEqual(['account.suspect-signup']);
    expect(plain.deceived).toBe(false);
    const withLink = post({
      text: 'Cheaper here, same model and free delivery: https://deals.example.net/p/31',
      account: 'token-of-farmed',
      ip: '203.0.113.90',
      device,
      listing: 4,
    });
    expect(withLink.reasons).toEqual(['comment.links', 'account.suspect-signup']);
    expect(withLink.deceived).toBe(true);
  });

  it('ages an account from its creation when its session is bound, else from its first comment', () => {
    const twoDays = 2 * 86_400_000;
    store.write([
      {
        kind: 'flagSet',
        key: accountKeys.session(hashToken('token-of-old')),
        value: encodeBinding({ createdAt: clock.now() - twoDays, suspectSignup: null }),
        ttlMs: twoDays,
      },
      {
        kind: 'flagSet',
        key: accountKeys.session(hashToken('token-of-new')),
        value: encodeBinding({ createdAt: clock.now() - 60_000, suspectSignup: null }),
        ttlMs: twoDays,
      },
    ]);
    const burst = (account: string, ip: string) =>
      HUMAN_COMMENTS.slice(1, 6).map((text, i) => post({ text, account, ip, listing: i }));
    // Its first comments here, in a burst: an account created two days ago is not young.
    expect(burst('token-of-old', '203.0.113.91').some((r) => r.reasons.includes('account.new-fast'))).toBe(false);
    const young = burst('token-of-new', '203.0.113.92');
    expect(young[SETTINGS.machineComments]!.reasons).toContain('account.new-fast');
    expect(young[SETTINGS.machineComments]!.findings.find((f) => f.reason === 'account.new-fast')?.detail).toMatch(
      /created 60 s ago/,
    );
  });

  it('remembers an account whose comment was withheld (deceived or blocked) as suspect', () => {
    const random = seeded(5);
    const texts = Array.from({ length: 8 }, (_, i) => spamVariant(random, i));
    const results = texts.map((text, i) => post({ text, account: 'spammer', ip: '203.0.113.93', listing: i }));
    const firstWithheld = results.findIndex((r) => r.deceived);
    expect(firstWithheld).toBeGreaterThanOrEqual(0);
    expect(results[firstWithheld + 1]!.reasons).toContain('account.suspect');
    // Below the policy's suspect score nothing is recorded.
    const input = inputFor({ text: HUMAN_COMMENTS[7]!, account: 'mild', ip: '203.0.113.94' });
    detector.judge(input, store.execSync(detector.plan(input)));
    const mild: Finding[] = [{ source: 't', reason: 'comment.links', score: 35 }];
    expect(detector.withheld!(input, { action: 'block', enforced: true, findings: mild })).toEqual([]);
  });

  it('counts deceived comments in the near-duplicate sketches, so a later variant is still caught', () => {
    const random = seeded(23);
    // Ten farmed accounts (suspect signups): each variant with its link is deceived from the
    // first, so none of them is ever learnt from as a posted comment.
    for (let i = 0; i < 10; i++) {
      store.write([
        {
          kind: 'flagSet',
          key: accountKeys.session(hashToken(`farm-${i}`)),
          value: encodeBinding({ createdAt: clock.now(), suspectSignup: 'email.patterned' }),
          ttlMs: 3_600_000,
        },
      ]);
      const result = post({ text: spamVariant(random, i), account: `farm-${i}`, ip: `100.64.${i}.9`, listing: i });
      expect(result.deceived).toBe(true);
      clock.advance(30_000);
    }
    // An account with no history posts the next variant: the deceived ones are its duplicates.
    const next = post({ text: spamVariant(random, 10), account: 'clean-looking', ip: '100.64.99.9', listing: 11 });
    expect(next.reasons).toContain('comment.near-duplicate');
    expect(next.deceived).toBe(true);
  });

  it('counts IPs instead of accounts on an anonymous comment flow', () => {
    const random = seeded(11);
    let last: Judged | undefined;
    for (let i = 0; i < 12; i++) last = post({ text: spamVariant(random, i), account: null, ip: `100.80.${i}.1` });
    expect(last!.reasons).toContain('comment.near-duplicate');
    expect(last!.findings.find((f) => f.reason === 'comment.near-duplicate')?.detail).toMatch(/IPs posted/);
  });
});

describe('comment-spam: bounded memory', () => {
  it('holds the store at its cap under a flood of unique texts, and still catches a template within it', () => {
    const cap = 3_000;
    store = new MemoryStore({ maxEntries: cap, clock });
    const random = seeded(3);
    const word = (): string => {
      let w = '';
      for (let i = 0; i < 3 + Math.floor(random() * 6); i++) w += String.fromCharCode(97 + Math.floor(random() * 26));
      return w;
    };
    let largest = 0;
    let mostOps = 0;
    const spam: Judged[] = [];
    for (let i = 0; i < 4_000; i++) {
      const unique = Array.from({ length: 8 + Math.floor(random() * 20) }, word).join(' ');
      const r = post({ text: unique, account: `flood-${i}`, ip: `10.${(i >> 8) & 255}.${i & 255}.1` });
      mostOps = Math.max(mostOps, r.ops.length);
      if (i % 20 === 0)
        spam.push(post({ text: spamVariant(random, i), account: `bot-${i}`, ip: `100.90.${(i / 20) & 255}.1` }));
      largest = Math.max(largest, store.size);
      if (i % 100 === 0) clock.advance(1_000);
    }
    expect(largest).toBeLessThanOrEqual(cap);
    expect(store.stats().sketches).toBeLessThanOrEqual(cap);
    expect(mostOps).toBeLessThanOrEqual(MAX_OPS);
    // The template's buckets are touched by every variant, so LRU keeps them while unique texts churn.
    expect(spam.slice(20).filter((r) => r.deceived).length / spam.slice(20).length).toBeGreaterThanOrEqual(0.9);
  });
});
