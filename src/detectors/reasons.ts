/**
 * Every reason code botgate can emit, in words, for the explain view and the docs. A finding's
 * own `detail` says what was measured; this says what the code means.
 */
export const REASONS: Readonly<Record<string, string>> = {
  'ua.automation': 'The User-Agent is an HTTP library or attack tool, not a browser or the site’s app.',
  'ua.headless': 'The User-Agent says the browser runs headless or under automation.',
  'ua.empty': 'The request has no User-Agent; every browser and most apps send one.',
  'ua.inconsistent': 'The User-Agent claims a browser, but the request lacks headers that browser always sends.',
  'ua.crawler': 'A self-declared crawler posted to a form that crawlers have no reason to use.',
  'body.malformed': 'The body could not be read as the flow’s declared format; it was forwarded and marked.',
  'rate.exceeded': 'More requests than the rule allows within its window.',
  'list.deny': 'The address or fingerprint is on the deny list.',
  'stuffing.source-failures': 'Most logins from this source failed, across several usernames: credential stuffing.',
  'stuffing.fingerprint-failures':
    'Most logins with this header fingerprint failed; weak alone, since a browser build shares one fingerprint.',
  'stuffing.many-usernames':
    'Many different usernames from one address or network; weak alone, since people share NATs.',
  'stuffing.device-many-usernames':
    'One device tried many different usernames; a person rarely signs in to more than a couple of accounts.',
  'login.unknown-username': 'The username never logged in or signed up successfully here; weak alone.',
  'login.no-page-visit': 'A browser posted the login without having loaded any page of the site first.',
  'login.too-fast': 'The login was posted sooner after its page loaded than a person types.',
  'scraping.device-breadth':
    'One device fetched far more distinct pages than a person reads (detection.scraping.pathsPerDevice): scraping.',
  'scraping.cookieless':
    'A client kept coming back without the cookie it was given, as scrapers that start every request afresh do.',
  'scraping.ip-breadth':
    'Very many distinct pages from one address; weak alone, offices and carrier NATs browse a lot.',
  'request.malformed':
    'The request was refused: its framing, headers or body could be read more than one way, as request smuggling relies on.',
  'request.ambiguous':
    'The path or body could be read differently by the application than by botgate (recorded in monitor mode, refused when enforcing).',
  'store.degraded':
    'The shared store was unreachable and failMode is closed: protected flows are challenged until it is back.',
  'password.breached': 'The password is in the breached-password list: it may come from a combo list.',
  'cracking.many-passwords': 'Many different passwords were tried on one account: credential cracking.',
  'spraying.shared-password': 'One password failed on many accounts: password spraying.',
  'account.under-attack': 'This account had many failed logins from several addresses just before.',
  'ato.device-flagged': 'This device completed a login that was a suspected account takeover.',
  'ato.suspected': 'A login succeeded with attack evidence: a suspected account takeover.',
  'attack-mode.no-evidence':
    'The login flow is under attack and this login carries no positive evidence (known device, known network).',
  'attack-mode.started':
    'The login flow entered attack mode: failures or unknown usernames rose far above the learned baseline.',
  'attack-mode.ended': 'The login flow left attack mode.',
  'email.disposable': 'The signup used a disposable (throwaway) e-mail domain.',
  'email.mailbox-variants':
    'Several spellings of one mailbox (Gmail dots, +tags, look-alike letters) signed up: one inbox opening many accounts.',
  'email.lookalike': 'The e-mail address mixes Latin letters with look-alikes from another script.',
  'email.patterned': 'The e-mail local part looks machine-made (a name with a long digit run, or random); weak alone.',
  'email.series': 'Many addresses of one numbered series (anna01, anna02…) signed up recently.',
  'signup.ip-velocity': 'Many signups from this IP address recently; weak alone, since people share NATs.',
  'signup.prefix-velocity': 'Many signups from this network (/24 or /48) recently.',
  'signup.fingerprint-velocity':
    'Many signups with this header fingerprint recently; weak alone, since a browser build shares one fingerprint.',
  'signup.device-velocity': 'One device opened many accounts recently.',
  'signup.no-page-visit': 'A browser posted the signup without having loaded any page of the site first.',
  'signup.too-fast': 'The signup was posted sooner after its page loaded than a person fills a form.',
  'signup.password-reuse': 'Many new accounts chose the same password recently: one operator creating accounts.',
  'comment.near-duplicate':
    'Near-duplicates of this comment were posted from many accounts recently: one template, lightly varied.',
  'comment.cross-listing': 'This account posted this exact comment on many listings recently.',
  'comment.links': 'The comment carries links, phone numbers or messaging handles; weak alone.',
  'comment.account-rate': 'This account posted many comments recently.',
  'comment.ip-rate': 'Many comments from this IP address recently.',
  'comment.fingerprint-rate': 'Many comments with this header fingerprint recently; weak alone.',
  'account.new-fast': 'An account created or first seen recently is posting faster than a person writes.',
  'account.suspect': 'Earlier comments of this account were judged spam.',
  'account.suspect-signup': 'This session belongs to an account whose signup had findings.',
  'account.suspect-source': 'This IP address or device recently created accounts whose signups had findings.',
  'challenge.cleared':
    'A clearance from a solved challenge, worth what this challenge demands, let the request through.',
  'challenge.clearance-insufficient':
    'The request carried a clearance earned by an easier challenge (fewer bits, or without the CAPTCHA) than this one demands, so it was challenged again.',
  'challenge.solved': 'A challenge was solved and a clearance issued.',
  'challenge.failed': 'A challenge solution was refused; no clearance was issued.',
};

export function reasonInWords(reason: string): string {
  return REASONS[reason] ?? 'No description for this reason code.';
}

/** The decision's source in words: `rule/<name>`, `list/deny`, `default/allow`, `gateway/<answer>`. */
export function sourceInWords(source: string): string {
  const slash = source.indexOf('/');
  const kind = slash === -1 ? source : source.slice(0, slash);
  const name = slash === -1 ? '' : source.slice(slash + 1);
  switch (kind) {
    case 'rule':
      return `Decided by the policy rule "${name}".`;
    case 'list':
      return name === 'deny'
        ? 'The source is on the deny list.'
        : 'The source is on the allow list; detection was skipped.';
    case 'default':
      return 'No rule matched, so the default applied.';
    case 'gateway':
      return `Answered by the gateway itself (${name.replace(/_/g, ' ')}).`;
    case 'detector':
      return `Found by the ${name} detector.`;
    case 'store':
      return 'Decided by the store fail mode: the shared store was unreachable.';
    case 'clearance':
      return name === 'insufficient'
        ? 'A valid clearance was presented, but it was earned by an easier challenge than this one demands.'
        : 'A valid clearance from a solved challenge satisfied the challenge.';
    case 'challenge':
      return name === 'forced'
        ? 'Challenged because the flow forces a challenge (challenge.force).'
        : `The challenge verification: ${name}.`;
    default:
      return source;
  }
}
