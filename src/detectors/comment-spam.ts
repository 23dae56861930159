/**
 * Bot comments: one message, lightly varied, posted from many accounts to carry a link, a phone
 * number or a handle to as many readers as possible. What spam cannot avoid, and one person
 * commenting does not do:
 *
 * - repetition across accounts: the 50th variant of a template is still the template. Each
 *   comment's MinHash sketch (signals/text-sketch.ts) is cut into BANDS band hashes; for each,
 *   a HyperLogLog in the store counts the distinct accounts that posted a text with that band
 *   (`cs:b<i>:<hash>`). Any band reaching `duplicateAccounts` means near-duplicates from that
 *   many accounts. Being store keys, the buckets are shared by every node on Redis, expire with
 *   the window and are capped by the store's LRU like any key;
 * - the payload: links and contact details, which are the point of most spam;
 * - volume: comments per account, IP and header fingerprint; one account pasting one text on
 *   many listings (kept apart from near-duplicates across accounts, which are other evidence);
 * - young accounts at machine speed: an account first seen less than `minAccountAgeSeconds` ago
 *   posting more than `machineComments` within `machineWindowSeconds`.
 *
 * Stock phrases are human ("is this still available?"), so texts under `minWords` are not
 * sketched, and near-duplication alone scores below the deceive bar: it tags for moderation,
 * and decides only together with a payload, a young fast account, or volume.
 *
 * Account reputation, without an SDK: the account is the flow's declared `account` header or
 * cookie (the session credential), hashed. When botgate saw the signup or login that issued
 * that credential (account-sessions.ts), the comment knows the account's creation time and
 * whether its signup was suspect (`account.suspect-signup`, which then stands in for the weaker
 * `account.suspect-source` of the same signup). Otherwise botgate falls back on when it first
 * saw the account comment (its age here), on accounts whose comments were judged spam
 * (forwarded and tagged, or withheld: blocked or deceived), and on IPs and devices that created
 * suspect accounts.
 *
 * Deceived comments keep teaching: the band sketches and the rate counters are updated in
 * `plan`, before the decision, so a comment botgate answered itself counts like a posted one,
 * and `withheld` marks its account suspect.
 */
import type { CommentSpamSettings } from '../config/schema.js';
import { BANDS, sketchText, type TextSketch } from '../signals/text-sketch.js';
import type { StoreOp, StoreValue } from '../state/store.js';
import { reasonList, signupKeys } from './account-creation.js';
import { accountKeys, decodeBinding } from './account-sessions.js';
import { combinedScore } from './combined-score.js';
import type { Detector, DetectorInput, Finding } from './detector.js';

const SOURCE = 'detector/comment-spam';
const NONE: readonly never[] = [];
const DAY_MS = 86_400_000;

/**
 * Scores chosen against the comment rules' deceive bar of 70 (noisy or): a near-duplicate with
 * one link (55 + 35), a young account at machine speed, or near-duplicates on many listings
 * cross it; one link, one near-duplicate or one busy IP alone only tags.
 */
export const COMMENT_SPAM_SCORES = {
  /** From `duplicateAccounts` accounts; from `duplicateAccountsStrong`, NEAR_DUPLICATE_STRONG. */
  'comment.near-duplicate': 55,
  'comment.cross-listing': 45,
  /** One link or contact detail; two score 50, three or more 60 (LINK_SCORES). */
  'comment.links': 35,
  'comment.account-rate': 50,
  'comment.ip-rate': 45,
  'comment.fingerprint-rate': 30,
  'account.new-fast': 70,
  'account.suspect': 60,
  'account.suspect-signup': 60,
  'account.suspect-source': 45,
} as const;

/** Many accounts, still below the bar alone: a stock phrase can reach it on a busy site. */
export const NEAR_DUPLICATE_STRONG = 65;

/**
 * Findings that restate what is already known of the account or its source. An account is marked
 * suspect by what its comment itself showed, never by its reputation alone, which would only
 * feed on itself.
 */
const REPUTATION: ReadonlySet<string> = new Set([
  'account.suspect',
  'account.suspect-signup',
  'account.suspect-source',
]);

function ownScore(findings: readonly Finding[]): number {
  return combinedScore(findings.filter((f) => !REPUTATION.has(f.reason)));
}

/** Score of `comment.links` by the number of links and contact details (index capped at 3). */
export const LINK_SCORES = [0, 35, 50, 60] as const;

type Reason = keyof typeof COMMENT_SPAM_SCORES;

/** Store keys of comment detection. Accounts are keyed hashes; texts are 32/64-bit sketches. */
export const commentKeys = {
  /** Distinct accounts whose comment had this band hash (HyperLogLog). */
  band: (band: number, hash: number) => `cs:b${band}:${hash.toString(36)}`,
  /** Distinct listings (paths) where one account posted this exact normalised text (HyperLogLog). */
  listings: (exact: string, author: string) => `cs:x:${exact}:${author}`,
  /** Comments from a source within the rate window (counter). */
  comments: (source: 'ip' | 'fp' | 'ac', value: string) => `cs:${source}:${value}`,
  /** Comments from an account within the machine-speed window (counter). */
  burst: (account: string) => `cs:mc:${account}`,
  /** When an account was first seen commenting (flag; value: epoch ms). */
  firstSeen: (account: string) => `cs:first:${account}`,
  /** An account whose forwarded comment scored as spam (flag; value: its reasons). */
  suspectAccount: (account: string) => `cs:sus:${account}`,
} as const;

interface Prepared {
  readonly sketch: TextSketch | null;
  /** The account's first sighting was absent from the store: learn records it. */
  firstSighting: boolean;
  readonly at: {
    band: number;
    listings: number;
    ip: number;
    fingerprint: number;
    suspectIp: number;
    suspectDevice: number;
    account: number;
    burst: number;
    firstSeen: number;
    suspect: number;
    binding: number;
  };
}

export function createCommentSpamDetector(config: CommentSpamSettings): Detector {
  const windowMs = config.windowSeconds * 1000;
  const rateWindowMs = config.rateWindowSeconds * 1000;
  const machineWindowMs = config.machineWindowSeconds * 1000;
  const minAgeMs = config.minAccountAgeSeconds * 1000;
  const accountMemoryMs = config.accountMemoryDays * DAY_MS;
  const suspectTtl = config.suspectAccountDays * DAY_MS;
  const prepared = new WeakMap<DetectorInput, Prepared>();

  const prepare = (input: DetectorInput): Prepared => {
    const text = input.fields?.text;
    const result: Prepared = {
      sketch: text === undefined ? null : sketchText(text),
      firstSighting: false,
      at: {
        band: -1,
        listings: -1,
        ip: -1,
        fingerprint: -1,
        suspectIp: -1,
        suspectDevice: -1,
        account: -1,
        burst: -1,
        firstSeen: -1,
        suspect: -1,
        binding: -1,
      },
    };
    prepared.set(input, result);
    return result;
  };

  return {
    name: 'comment-spam',
    appliesTo: (flow) => flow.kind === 'comment',

    plan(input) {
      const { sketch, at } = prepare(input);
      const s = input.signals;
      const account = input.account;
      const ops: StoreOp[] = [];
      const push = (op: StoreOp): number => ops.push(op) - 1;
      if (sketch !== null && sketch.words >= config.minWords) {
        // Anonymous comment flows count distinct IPs instead of accounts.
        const author = account ?? `ip:${s.ip}`;
        at.band = ops.length;
        for (let band = 0; band < BANDS; band++) {
          ops.push({ kind: 'distinct', key: commentKeys.band(band, sketch.bands[band]!), windowMs, member: author });
        }
        at.listings = push({
          kind: 'distinct',
          key: commentKeys.listings(sketch.exact, author),
          windowMs,
          member: input.path,
        });
      }
      at.ip = push({ kind: 'hit', key: commentKeys.comments('ip', s.ip), windowMs: rateWindowMs });
      at.fingerprint = push({ kind: 'hit', key: commentKeys.comments('fp', s.fingerprint), windowMs: rateWindowMs });
      at.suspectIp = push({ kind: 'flagGet', key: signupKeys.suspectSource('ip', s.ip) });
      if (input.device !== null)
        at.suspectDevice = push({ kind: 'flagGet', key: signupKeys.suspectSource('dv', input.device.id) });
      if (account !== null) {
        at.account = push({ kind: 'hit', key: commentKeys.comments('ac', account), windowMs: rateWindowMs });
        at.burst = push({ kind: 'hit', key: commentKeys.burst(account), windowMs: machineWindowMs });
        at.firstSeen = push({ kind: 'flagGet', key: commentKeys.firstSeen(account) });
        at.suspect = push({ kind: 'flagGet', key: commentKeys.suspectAccount(account) });
        at.binding = push({ kind: 'flagGet', key: accountKeys.session(account) });
      }
      return ops;
    },

    judge(input, results: readonly StoreValue[]): readonly Finding[] {
      const p = prepared.get(input) ?? prepare(input);
      const { sketch, at } = p;
      const findings: Finding[] = [];
      const add = (reason: Reason, detail: string, score: number = COMMENT_SPAM_SCORES[reason]): void => {
        findings.push({ source: SOURCE, reason, score, detail });
      };
      const count = (index: number): number => (index < 0 ? 0 : ((results[index] as number | undefined) ?? 0));
      const flag = (index: number): string | null =>
        index < 0 ? null : ((results[index] as string | null | undefined) ?? null);

      if (sketch !== null) {
        if (at.band >= 0) {
          let accounts = 0;
          for (let band = 0; band < BANDS; band++) accounts = Math.max(accounts, count(at.band + band));
          if (accounts >= config.duplicateAccounts) {
            const strong = accounts >= config.duplicateAccountsStrong;
            add(
              'comment.near-duplicate',
              `${accounts} ${input.account === null ? 'IPs' : 'accounts'} posted near-duplicates of this text within ${config.windowSeconds} s`,
              strong ? NEAR_DUPLICATE_STRONG : COMMENT_SPAM_SCORES['comment.near-duplicate'],
            );
          }
          const listings = count(at.listings);
          if (listings > config.listingsPerText) {
            add(
              'comment.cross-listing',
              `this ${input.account === null ? 'IP' : 'account'} posted this exact text on ${listings} listings within ${config.windowSeconds} s`,
            );
          }
        }
        const payload = sketch.links + sketch.contacts;
        if (payload > 0) {
          add(
            'comment.links',
            `${sketch.links} links and ${sketch.contacts} contact details`,
            LINK_SCORES[Math.min(payload, 3)],
          );
        }
      }

      const per = `within ${config.rateWindowSeconds} s`;
      const ip = count(at.ip);
      if (ip > config.perIp) add('comment.ip-rate', `${ip} comments from this IP ${per}`);
      const fingerprint = count(at.fingerprint);
      if (fingerprint > config.perFingerprint)
        add('comment.fingerprint-rate', `${fingerprint} comments with this header fingerprint ${per}`);
      const binding = decodeBinding(flag(at.binding));
      if (binding?.suspectSignup != null) {
        add('account.suspect-signup', `this account was created by a signup with findings (${binding.suspectSignup})`);
      } else {
        const suspectSource = flag(at.suspectIp) ?? flag(at.suspectDevice);
        if (suspectSource !== null)
          add('account.suspect-source', `this IP or device created accounts with findings (${suspectSource})`);
      }

      if (at.account >= 0) {
        const comments = count(at.account);
        if (comments > config.perAccount) add('comment.account-rate', `${comments} comments from this account ${per}`);
        const first = flag(at.firstSeen);
        p.firstSighting = first === null;
        // The account's creation, when botgate saw it, is its true age; else its first comment.
        const created = binding?.createdAt ?? null;
        const age = created !== null ? input.now - created : first === null ? 0 : input.now - Number(first);
        const burst = count(at.burst);
        if (age < minAgeMs && burst > config.machineComments) {
          add(
            'account.new-fast',
            `${burst} comments within ${config.machineWindowSeconds} s from an account ${created !== null ? 'created' : 'first seen'} ${Math.round(age / 1000)} s ago`,
          );
        }
        const suspect = flag(at.suspect);
        if (suspect !== null) add('account.suspect', `earlier comments of this account were judged spam (${suspect})`);
      }
      return findings.length === 0 ? NONE : findings;
    },

    learn(input, outcome, decision) {
      const account = input.account;
      if (account === null || outcome.result !== 'success') return NONE;
      const firstSighting = prepared.get(input)?.firstSighting === true;
      const suspect = ownScore(decision.findings) >= config.suspectScore;
      if (!firstSighting && !suspect) return NONE;
      const ops: StoreOp[] = [];
      // Age counts from the first comment the application accepted; a plan-less input (no
      // judge ran) cannot tell a first sighting and records nothing rather than reset an age.
      if (firstSighting) {
        ops.push({
          kind: 'flagSet',
          key: commentKeys.firstSeen(account),
          value: String(input.now),
          ttlMs: accountMemoryMs,
        });
      }
      if (suspect) {
        const value = reasonList(decision.findings);
        ops.push({ kind: 'flagSet', key: commentKeys.suspectAccount(account), value, ttlMs: suspectTtl });
      }
      return ops;
    },

    withheld(input, decision) {
      // A comment botgate blocked or deceived on its own evidence leaves its account suspect, so
      // the account's next variant carries account.suspect although no comment was posted.
      const account = input.account;
      if (account === null || ownScore(decision.findings) < config.suspectScore) return NONE;
      const value = reasonList(decision.findings);
      return [{ kind: 'flagSet', key: commentKeys.suspectAccount(account), value, ttlMs: suspectTtl }];
    },
  };
}
