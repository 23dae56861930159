/**
 * Fake account creation: signups made in bulk to spam, scalp, farm promotions or stage fraud.
 * The costs a signup farm cannot avoid, and that one real person signing up does not pay:
 *
 * - mailboxes: each account needs an address that receives mail. Throwaway domains are free
 *   (and listed); one Gmail inbox folded a hundred ways is free (and folds back to one key
 *   here); generated names (`anna.kowalska48213`, `xk7qzv2t`) and numbered series
 *   (`jsmith01…jsmith40`) are cheap. A real person uses one ordinary address once;
 * - sources: the accounts come from somewhere: an IP, a network, a header fingerprint, a device
 *   cookie. Many signups from one of them within an hour is rare for people (a shared NAT is
 *   the exception, hence modest scores);
 * - the browser's path: a browser that signs up has loaded the signup page first (which set
 *   botgate's device cookie), and a person takes seconds to fill the form;
 * - one password for every account: a farm rarely invents a new one each time.
 *
 * Patterned local parts score low and never decide alone: people do pick odd names.
 *
 * Learning: a signup the application accepted (the flow's `outcome.success`) whose evidence
 * scored at least `suspectScore` is remembered as a suspect account (by username hash, or the
 * mailbox hash when the form has no username), and its IP and device as suspect sources, which
 * the comment-spam detector reads. Identities leave the request only as keyed hashes.
 */

import { randomBytes } from 'node:crypto';
import type { AccountCreationSettings } from '../config/schema.js';
import { type EmailAddress, parseEmail } from '../signals/email.js';
import { createKeyedHasher, deriveKey, type KeyedHasher } from '../signals/identity.js';
import type { StoreOp, StoreValue } from '../state/store.js';
import { combinedScore } from './combined-score.js';
import type { Detector, DetectorInput, Finding } from './detector.js';
import { loginKeys } from './login-keys.js';

const SOURCE = 'detector/account-creation';
const NONE: readonly never[] = [];
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * One finding alone blocks only where it is near proof (a throwaway domain, a third spelling of
 * one inbox, a device opening account after account); the rest add up (noisy or: 50 and 40 make
 * 70, the signup rules' bar). A header fingerprint is shared by every user of a browser build,
 * so its velocity is the weakest: an office NAT (IP) with a popular browser (fingerprint) stays
 * under the bar.
 */
export const ACCOUNT_CREATION_SCORES = {
  'email.disposable': 70,
  'email.mailbox-variants': 80,
  'email.lookalike': 50,
  'email.patterned': 20,
  'email.series': 35,
  'signup.ip-velocity': 50,
  'signup.prefix-velocity': 40,
  'signup.fingerprint-velocity': 30,
  'signup.device-velocity': 70,
  'signup.no-page-visit': 40,
  'signup.too-fast': 40,
  'signup.password-reuse': 60,
} as const;

type Reason = keyof typeof ACCOUNT_CREATION_SCORES;

/**
 * Store keys of signup detection, and the reputation it leaves for other detectors. Every key
 * holds an address, a device id, a fingerprint or a keyed hash; never a clear e-mail address.
 */
export const signupKeys = {
  /** Signups from a source within the window (counter). */
  signups: (source: 'ip' | 'pf' | 'fp' | 'dv', value: string) => `ac:${source}:${value}`,
  /** Distinct addresses seen for one folded mailbox (HyperLogLog). */
  mailboxAddresses: (mailboxHash: string) => `ac:mb:${mailboxHash}`,
  /** Distinct mailboxes of one numbered stem (HyperLogLog). */
  seriesMailboxes: (stemHash: string) => `ac:st:${stemHash}`,
  /** Distinct accounts signing up with one password hash (HyperLogLog). */
  passwordAccounts: (passwordHash: string) => `ac:pw:${passwordHash}`,
  /** An account created by a signup with findings (flag; value: its reasons). */
  suspectAccount: (accountHash: string) => `ac:sus:${accountHash}`,
  /** An IP or device that created an account with findings (flag; value: its reasons). */
  suspectSource: (source: 'ip' | 'dv', value: string) => `src:sus:${source}:${value}`,
} as const;

export interface AccountCreationOptions {
  /**
   * The node secret, for keyed hashes of mailboxes. Without one, a random key per process: the
   * detector works, but its mailbox keys do not match other nodes' or survive a restart.
   */
  readonly secret?: string | Buffer;
}

/** What plan worked out, kept for judge and learn (the gateway passes them the same input). */
interface Prepared {
  readonly email: EmailAddress | null;
  readonly mailboxHash: string | null;
  /** Index of each planned operation in the batch, -1 when not planned. */
  readonly at: {
    ip: number;
    prefix: number;
    fingerprint: number;
    device: number;
    mailbox: number;
    series: number;
    password: number;
    pageView: number;
  };
}

export function createAccountCreationDetector(
  config: AccountCreationSettings,
  options: AccountCreationOptions = {},
): Detector {
  const windowMs = config.windowSeconds * 1000;
  const mailboxWindowMs = config.mailboxWindowSeconds * 1000;
  const passwordWindowMs = config.passwordWindowSeconds * 1000;
  const seriesWindowMs = config.seriesWindowSeconds * 1000;
  const suspectAccountTtl = config.suspectAccountDays * DAY_MS;
  const suspectSourceTtl = config.suspectSourceHours * HOUR_MS;
  const hash: KeyedHasher = createKeyedHasher(deriveKey(options.secret ?? randomBytes(32), 'email'));
  const prepared = new WeakMap<DetectorInput, Prepared>();

  const prepare = (input: DetectorInput): Prepared => {
    const fields = input.fields;
    const raw = fields?.email ?? (fields?.username?.includes('@') ? fields.username : undefined);
    const email = raw === undefined ? null : parseEmail(raw);
    const mailboxHash = email === null ? null : hash(`m:${email.mailbox}`);
    const at = { ip: -1, prefix: -1, fingerprint: -1, device: -1, mailbox: -1, series: -1, password: -1, pageView: -1 };
    const result: Prepared = { email, mailboxHash, at };
    prepared.set(input, result);
    return result;
  };

  return {
    name: 'account-creation',
    appliesTo: (flow) => flow.kind === 'signup',

    plan(input) {
      const p = prepare(input);
      const { at, email, mailboxHash } = p;
      const s = input.signals;
      const ops: StoreOp[] = [];
      const push = (op: StoreOp): number => ops.push(op) - 1;
      at.ip = push({ kind: 'hit', key: signupKeys.signups('ip', s.ip), windowMs });
      at.prefix = push({ kind: 'hit', key: signupKeys.signups('pf', s.prefix), windowMs });
      at.fingerprint = push({ kind: 'hit', key: signupKeys.signups('fp', s.fingerprint), windowMs });
      if (input.device !== null) {
        at.device = push({ kind: 'hit', key: signupKeys.signups('dv', input.device.id), windowMs });
        at.pageView = push({ kind: 'flagGet', key: loginKeys.pageView(input.device.id) });
      }
      if (email !== null && mailboxHash !== null) {
        // The member is the address as typed (normalised), so retrying one address counts once
        // and only new spellings of the mailbox add up.
        const address = input.fields?.email ?? input.fields?.username ?? email.mailbox;
        at.mailbox = push({
          kind: 'distinct',
          key: signupKeys.mailboxAddresses(mailboxHash),
          windowMs: mailboxWindowMs,
          member: hash(`a:${address}`),
        });
        if (email.stem !== null) {
          at.series = push({
            kind: 'distinct',
            key: signupKeys.seriesMailboxes(hash(`s:${email.stem}`)),
            windowMs: seriesWindowMs,
            member: mailboxHash,
          });
        }
      }
      const account = input.fields?.usernameHash ?? mailboxHash;
      const password = input.fields?.passwordHash;
      if (password !== undefined && account !== null) {
        at.password = push({
          kind: 'distinct',
          key: signupKeys.passwordAccounts(password),
          windowMs: passwordWindowMs,
          member: account,
        });
      }
      return ops;
    },

    judge(input, results: readonly StoreValue[]): readonly Finding[] {
      const p = prepared.get(input) ?? prepare(input);
      const { at, email } = p;
      const findings: Finding[] = [];
      const add = (reason: Reason, detail: string): void => {
        findings.push({ source: SOURCE, reason, score: ACCOUNT_CREATION_SCORES[reason], detail });
      };
      const count = (index: number): number => (index < 0 ? 0 : ((results[index] as number | undefined) ?? 0));
      const per = `within ${config.windowSeconds} s`;

      if (email !== null) {
        if (email.disposable) add('email.disposable', `${email.domain} is a disposable e-mail domain`);
        if (email.lookalike) {
          add('email.lookalike', 'the address mixes Latin letters with look-alikes from another script');
        }
        if (email.pattern === 'digit-run') add('email.patterned', 'the local part is a name with a long run of digits');
        else if (email.pattern === 'random') add('email.patterned', 'the local part looks randomly generated');
        const variants = count(at.mailbox);
        if (variants >= config.mailboxVariants) {
          add(
            'email.mailbox-variants',
            `${variants} spellings of one mailbox (dots, +tags, look-alikes) signed up within ${config.mailboxWindowSeconds} s`,
          );
        }
        const series = count(at.series);
        if (series >= config.seriesAddresses) {
          add(
            'email.series',
            `${series} addresses of one numbered series signed up within ${config.seriesWindowSeconds} s`,
          );
        }
      }

      const ip = count(at.ip);
      if (ip > config.perIp) add('signup.ip-velocity', `${ip} signups from this IP ${per}`);
      const prefix = count(at.prefix);
      if (prefix > config.perPrefix)
        add('signup.prefix-velocity', `${prefix} signups from ${input.signals.prefix} ${per}`);
      const fingerprint = count(at.fingerprint);
      if (fingerprint > config.perFingerprint)
        add('signup.fingerprint-velocity', `${fingerprint} signups with this header fingerprint ${per}`);
      const device = count(at.device);
      if (device > config.perDevice) add('signup.device-velocity', `${device} signups from this device ${per}`);

      if (input.device !== null) {
        const viewed = at.pageView < 0 ? null : results[at.pageView];
        const elapsed = typeof viewed === 'string' ? input.now - Number(viewed) : Number.POSITIVE_INFINITY;
        if (elapsed >= 0 && elapsed < config.minFillMs)
          add('signup.too-fast', `posted ${elapsed} ms after its page loaded`);
      } else if (config.expectPageVisit && input.signals.userAgent.class === 'browser') {
        // A browser that signs up has loaded a page of this site, which set the device cookie;
        // an app's own HTTP stack is not a browser and is not held to this.
        add('signup.no-page-visit', 'a browser posted the signup without having loaded a page (no device cookie)');
      }

      const accounts = count(at.password);
      if (accounts > config.accountsPerPassword) {
        add(
          'signup.password-reuse',
          `${accounts} new accounts chose this password within ${config.passwordWindowSeconds} s`,
        );
      }
      return findings.length === 0 ? NONE : findings;
    },

    learn(input, outcome, decision) {
      if (outcome.result !== 'success' || combinedScore(decision.findings) < config.suspectScore) return NONE;
      const reasons = reasonList(decision.findings);
      const ops: StoreOp[] = [
        {
          kind: 'flagSet',
          key: signupKeys.suspectSource('ip', input.signals.ip),
          value: reasons,
          ttlMs: suspectSourceTtl,
        },
      ];
      if (input.device !== null) {
        ops.push({
          kind: 'flagSet',
          key: signupKeys.suspectSource('dv', input.device.id),
          value: reasons,
          ttlMs: suspectSourceTtl,
        });
      }
      const account = input.fields?.usernameHash ?? (prepared.get(input) ?? prepare(input)).mailboxHash;
      if (account !== null)
        ops.push({
          kind: 'flagSet',
          key: signupKeys.suspectAccount(account),
          value: reasons,
          ttlMs: suspectAccountTtl,
        });
      return ops;
    },
  };
}

/** Distinct reason codes, comma-separated and bounded: a flag's value says why, briefly. */
export function reasonList(findings: readonly Finding[]): string {
  const reasons = [...new Set(findings.map((f) => f.reason))].join(',');
  return reasons.length > 200 ? reasons.slice(0, 200) : reasons;
}
