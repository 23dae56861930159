/**
 * What a decision's findings say about the request: which threat it belongs to, and whether the
 * evidence is strong enough to call it an attack. Computed once when an event is stored (two
 * columns), so the report groups and filters on it in SQL instead of parsing findings.
 *
 * Two grades of evidence, stated plainly because the report's numbers depend on them:
 * - a *strong* reason is evidence of an attack by itself: a tool's User-Agent posting a form, a
 *   source whose logins mostly fail, a password tried on many accounts, a deny-list entry, a rate
 *   rule tripped;
 * - a *weak* reason is odd but often human: an unknown username, a fast typist, a privacy
 *   browser missing a header, a login during attack mode without a known device.
 * An event is an **attack** when it carries at least one strong reason. Weak-only events count
 * as real users in the challenge rate (so the rate errs against botgate) and are not claimed as
 * attacks stopped (so the savings err low). Reasons that say nothing about the client
 * (`challenge.*`, `store.degraded`, `body.malformed`, `list.manual-allow`) are neutral.
 *
 * The threat is what the client was attempting: the category of the first strong reason in
 * THREATS order, else of the first weak one, else null. Reasons about the client rather than the
 * attempt (an automation tool, a rate rule tripped) take the threat of the flow they were found
 * on: a script posting logins is credential stuffing, the same script on listings is scraping. A reason code this table does not know (a detector added later) is weak when
 * its prefix names a category and neutral otherwise, so a new code never inflates the report.
 */
import type { FlowKind } from '../config/schema.js';
import type { Finding } from '../detectors/detector.js';

/** Threat categories, most specific first: an event's threat is the first its reasons point at. */
export const THREATS = [
  'account-takeover',
  'credential-cracking',
  'password-spraying',
  'credential-stuffing',
  'fake-accounts',
  'comment-spam',
  'scraping',
  'deny-list',
] as const;
export type Threat = (typeof THREATS)[number];

export const THREAT_WORDS: Readonly<Record<Threat, string>> = {
  'account-takeover': 'Account takeover',
  'credential-cracking': 'Credential cracking',
  'password-spraying': 'Password spraying',
  'credential-stuffing': 'Credential stuffing',
  'fake-accounts': 'Fake account creation',
  'comment-spam': 'Comment spam',
  scraping: 'Scraping',
  'deny-list': 'Deny lists (policy and operators)',
};

/** Actions that keep a request from reaching the application (tarpit answers 429 after a delay). */
export const STOP_ACTIONS = ['tarpit', 'ratelimit', 'challenge', 'deceive', 'block'] as const;
const STOP_SET: ReadonlySet<string> = new Set(STOP_ACTIONS);

/** Whether `action` is one of STOP_ACTIONS. */
export function isStopAction(action: string): boolean {
  return STOP_SET.has(action);
}

type Grade = 'strong' | 'weak';
interface ReasonClass {
  readonly threat: Threat | 'by-flow';
  readonly grade: Grade;
}

const strong = (threat: ReasonClass['threat']): ReasonClass => ({ threat, grade: 'strong' });
const weak = (threat: ReasonClass['threat']): ReasonClass => ({ threat, grade: 'weak' });

/** Known reason codes (detectors/reasons.ts). `by-flow`: the flow kind decides (FLOW_THREAT). */
const REASON_CLASSES: ReadonlyMap<string, ReasonClass> = new Map([
  ['ato.suspected', strong('account-takeover')],
  ['ato.device-flagged', strong('account-takeover')],
  ['cracking.many-passwords', strong('credential-cracking')],
  ['spraying.shared-password', strong('password-spraying')],
  ['stuffing.source-failures', strong('credential-stuffing')],
  ['stuffing.device-many-usernames', strong('credential-stuffing')],
  ['stuffing.many-usernames', weak('credential-stuffing')],
  ['stuffing.fingerprint-failures', weak('credential-stuffing')],
  ['account.under-attack', strong('credential-stuffing')],
  ['attack-mode.no-evidence', weak('credential-stuffing')],
  ['login.unknown-username', weak('credential-stuffing')],
  ['login.no-page-visit', weak('credential-stuffing')],
  ['login.too-fast', weak('credential-stuffing')],
  // Combo lists are breached passwords, but so are many real users' passwords.
  ['password.breached', weak('credential-stuffing')],
  ['email.disposable', weak('fake-accounts')],
  ['email.patterned', weak('fake-accounts')],
  ['email.mailbox-variants', strong('fake-accounts')],
  ['email.lookalike', strong('fake-accounts')],
  ['email.series', strong('fake-accounts')],
  ['signup.ip-velocity', weak('fake-accounts')],
  ['signup.fingerprint-velocity', weak('fake-accounts')],
  ['signup.no-page-visit', weak('fake-accounts')],
  ['signup.too-fast', weak('fake-accounts')],
  ['signup.prefix-velocity', strong('fake-accounts')],
  ['signup.device-velocity', strong('fake-accounts')],
  ['signup.password-reuse', strong('fake-accounts')],
  ['comment.links', weak('comment-spam')],
  ['comment.fingerprint-rate', weak('comment-spam')],
  ['comment.near-duplicate', strong('comment-spam')],
  ['comment.cross-listing', strong('comment-spam')],
  ['comment.account-rate', strong('comment-spam')],
  ['comment.ip-rate', strong('comment-spam')],
  ['account.new-fast', strong('comment-spam')],
  ['account.suspect', strong('comment-spam')],
  ['account.suspect-signup', strong('comment-spam')],
  ['account.suspect-source', strong('by-flow')],
  ['rate.exceeded', strong('by-flow')],
  // Strong on forms only (FORM_KINDS): scripts reading an API or pages are often legitimate.
  ['ua.automation', strong('by-flow')],
  ['ua.headless', strong('by-flow')],
  ['ua.inconsistent', weak('by-flow')],
  ['ua.empty', weak('by-flow')],
  ['ua.crawler', weak('by-flow')],
  ['scraping.device-breadth', strong('scraping')],
  ['scraping.cookieless', weak('scraping')],
  ['scraping.ip-breadth', weak('scraping')],
  ['list.deny', strong('deny-list')],
  ['list.manual-block', strong('deny-list')],
]);

/** Unknown codes whose prefix names a category are weak evidence of it. */
const PREFIX_THREAT: ReadonlyMap<string, ReasonClass['threat']> = new Map<string, ReasonClass['threat']>([
  ['ato', 'account-takeover'],
  ['cracking', 'credential-cracking'],
  ['spraying', 'password-spraying'],
  ['stuffing', 'credential-stuffing'],
  ['login', 'credential-stuffing'],
  ['signup', 'fake-accounts'],
  ['email', 'fake-accounts'],
  ['comment', 'comment-spam'],
  ['ua', 'by-flow'],
  ['scraping', 'scraping'],
]);

/**
 * For reasons whose threat is what the client was doing where it was found: a tool posting a
 * login is a takeover attempt by stuffing, the same tool on listing pages is scraping.
 */
const FLOW_THREAT: Readonly<Record<FlowKind, Threat>> = {
  login: 'credential-stuffing',
  signup: 'fake-accounts',
  comment: 'comment-spam',
  api: 'scraping',
  page: 'scraping',
  asset: 'scraping',
};

/** Where a tool's User-Agent is evidence of an attack by itself: no one logs in with curl. */
const FORM_KINDS: ReadonlySet<FlowKind> = new Set(['login', 'signup', 'comment']);
const STRONG_ON_FORMS_ONLY: ReadonlySet<string> = new Set(['ua.automation', 'ua.headless']);

const THREAT_RANK: ReadonlyMap<Threat, number> = new Map(THREATS.map((t, i) => [t, i]));

export interface ThreatVerdict {
  /** The category the findings point at, or null when none does. */
  readonly threat: Threat | null;
  /** At least one strong reason: counted as an attack, never as a real user. */
  readonly attack: boolean;
}

const NONE: ThreatVerdict = Object.freeze({ threat: null, attack: false });

export function classifyThreat(findings: readonly Pick<Finding, 'reason'>[], flowKind: FlowKind): ThreatVerdict {
  if (findings.length === 0) return NONE;
  let strongThreat: Threat | null = null;
  let weakThreat: Threat | null = null;
  for (const { reason } of findings) {
    const known = REASON_CLASSES.get(reason);
    const cls: ReasonClass | null = known ?? prefixClass(reason);
    if (cls === null) continue;
    const threat = cls.threat === 'by-flow' ? FLOW_THREAT[flowKind] : cls.threat;
    const grade =
      cls.grade === 'strong' && STRONG_ON_FORMS_ONLY.has(reason) && !FORM_KINDS.has(flowKind) ? 'weak' : cls.grade;
    if (grade === 'strong') strongThreat = earlier(strongThreat, threat);
    else weakThreat = earlier(weakThreat, threat);
  }
  if (strongThreat !== null) return { threat: strongThreat, attack: true };
  return weakThreat === null ? NONE : { threat: weakThreat, attack: false };
}

function prefixClass(reason: string): ReasonClass | null {
  const dot = reason.indexOf('.');
  const threat = dot === -1 ? undefined : PREFIX_THREAT.get(reason.slice(0, dot));
  return threat === undefined ? null : weak(threat);
}

function earlier(current: Threat | null, candidate: Threat): Threat {
  if (current === null) return candidate;
  return (THREAT_RANK.get(candidate) as number) < (THREAT_RANK.get(current) as number) ? candidate : current;
}

export function isThreat(value: string): value is Threat {
  return THREAT_RANK.has(value as Threat);
}
