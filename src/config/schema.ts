/**
 * The policy document: what users write in botgate.yaml. Every key has a default here, and the
 * annotated botgate.example.yaml at the repository root documents each one; a test keeps them
 * in step. Unknown keys are rejected (a typo must not silently disable a protection).
 *
 * This is the document layer only. `compile.ts` turns it into the immutable policy the hot path
 * runs (router, CIDR lists, rule tables), so evaluation never looks config up by name.
 */
import { z } from 'zod';
import { FAIL_MODES } from '../state/degraded-mode.js';

export const MODES = ['monitor', 'enforce'] as const;
export const FLOW_KINDS = ['login', 'signup', 'comment', 'api', 'page', 'asset'] as const;
/** Ordered from mildest to most severe; the policy picks the most severe matching action. */
export const ACTIONS = ['allow', 'tag', 'tarpit', 'ratelimit', 'challenge', 'deceive', 'block'] as const;
/**
 * What a rate limit counts by. `client` is the device cookie when the client carries one, else
 * the IP: people behind one carrier-grade NAT each have their own budget, while a client that
 * drops its cookies shares its address's.
 */
export const RATE_KEYS = ['client', 'ip', 'prefix', 'fingerprint', 'username', 'device', 'email', 'flow'] as const;
/** External CAPTCHA providers botgate can escalate to (challenge.captcha). */
export const CAPTCHA_PROVIDERS = ['turnstile', 'hcaptcha'] as const;
export const FIELD_ROLES = ['username', 'password', 'email', 'text', 'identity'] as const;
const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', '*'] as const;

const hostPort = z
  .string()
  .regex(
    /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/,
    'expected HOST:PORT, for example 127.0.0.1:8080 (port 0 picks a free port)',
  );
const name = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'expected a lower-case name of letters, digits, ".", "_" or "-" (at most 64)');
const positiveInt = z.number().int().positive();

/** How to recognise one kind of upstream answer; every given condition must hold. */
const outcomeMatchSchema = z.strictObject({
  /** Status codes, for example [401] or [302]. */
  status: z.array(z.number().int().min(100).max(599)).min(1).optional(),
  /** The Location header starts with this (a path such as /account, or a full URL). */
  redirectTo: z.string().min(1).optional(),
  /** The response body contains this text within its first 64 KiB, such as "Invalid username or password". */
  bodyContains: z.string().min(1).optional(),
});

const flowSchema = z.strictObject({
  /** Unique name, used in rules, metrics and events. */
  name,
  /** What the flow is, which decides the detectors that look at it. A custom flow names any kind here and sets `detectors`. */
  kind: z.enum(FLOW_KINDS),
  match: z.strictObject({
    /** Methods this flow covers; `*` means every method. */
    methods: z.array(z.enum(HTTP_METHODS)).min(1).default(['*']),
    /** Path pattern: literal segments, `:param` segments and a trailing `*` wildcard. */
    path: z.string().regex(/^\//, 'expected a path pattern starting with "/", for example /api/listings/:id/comments'),
    /** Optional Host header to match (without port); absent matches every host. */
    host: z.string().min(1).optional(),
  }),
  /**
   * Body fields this flow reads, by role: a field name, or a dotted path into a JSON body
   * (`user.email`). Only flows that declare fields have their body buffered (up to
   * limits.maxBodyBytes); every other body streams through untouched.
   */
  fields: z.partialRecord(z.enum(FIELD_ROLES), z.string().min(1)).optional(),
  /**
   * How the application says a request of this flow succeeded or failed, so botgate learns
   * from its answers (failed logins, created accounts). Each is one match or a list of matches
   * (any of them). Failure is checked first; an answer that matches neither is `unknown`.
   * Absent: outcomes are not learnt for this flow.
   */
  outcome: z
    .strictObject({
      success: z.union([outcomeMatchSchema, z.array(outcomeMatchSchema).min(1)]).optional(),
      failure: z.union([outcomeMatchSchema, z.array(outcomeMatchSchema).min(1)]).optional(),
    })
    .optional(),
  /**
   * Where the account a request acts as is found: a request header (`authorization`) or a
   * cookie (`session`). Its value is hashed with the node secret, never stored.
   */
  account: z
    .strictObject({
      header: z.string().min(1).optional(),
      cookie: z.string().min(1).optional(),
    })
    .optional(),
  /**
   * Where the application puts the session it opens when this flow succeeds (a login, a signup):
   * a cookie it sets, or a string field of its JSON answer (`token`, `data.accessToken`). botgate
   * binds that session, hashed, to the account, so a flow whose `account` presents it (a comment)
   * carries the account's origin and age. Needs `outcome.success`. Absent: no binding.
   */
  session: z
    .strictObject({
      cookie: z.string().min(1).optional(),
      json: z.string().min(1).optional(),
    })
    .refine((s) => s.cookie !== undefined || s.json !== undefined, 'give a cookie name, a JSON field, or both')
    .optional(),
  /**
   * How the application's body parser reads a declared field sent more than once (a repeated
   * form field, `name[]`, a JSON key given twice): `first` (URLSearchParams, Go, Flask), `last`
   * (PHP, JSON.parse) or `reject` (refuse with 400, never forwarded). Default (absent): reject,
   * since botgate cannot know which copy the application would judge. See src/signals/body-fields.ts.
   */
  bodyParser: z.strictObject({ duplicates: z.enum(['first', 'last', 'reject']).default('reject') }).optional(),
});

const listSchema = z.strictObject({
  /** CIDRs or single addresses, IPv4 or IPv6. */
  ips: z.array(z.string()).default([]),
  /** Header fingerprints as shown in events. */
  fingerprints: z.array(z.string()).default([]),
});

const ruleSchema = z
  .strictObject({
    name,
    /** Flow names or kinds this rule applies to; absent means every flow. */
    flows: z.array(z.string().min(1)).min(1).optional(),
    /** A counting rule: more than `limit` requests per `key` within `windowSeconds`. */
    ratelimit: z
      .strictObject({
        key: z.enum(RATE_KEYS),
        limit: positiveInt,
        windowSeconds: positiveInt,
      })
      .optional(),
    /** A findings rule: matches when any listed reason was found, or the score reaches `score`. */
    when: z
      .strictObject({
        reasons: z.array(z.string().min(1)).min(1).optional(),
        score: z.number().min(0).max(100).optional(),
        /** Only for this kind of client: `browser` (accepts HTML) or `api`; absent means both. */
        client: z.enum(['browser', 'api']).optional(),
      })
      .optional(),
    action: z.enum(ACTIONS),
  })
  .superRefine((rule, ctx) => {
    const kinds = Number(rule.ratelimit !== undefined) + Number(rule.when !== undefined);
    if (kinds !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: 'a rule needs exactly one of "ratelimit" (a counter) or "when" (reasons or a score)',
      });
    }
    if (rule.when && rule.when.reasons === undefined && rule.when.score === undefined) {
      ctx.addIssue({ code: 'custom', path: ['when'], message: 'expected "reasons", "score" or both' });
    }
  });

const seconds = positiveInt;

/** Thresholds of the login detectors; each is a documented key in botgate.example.yaml. */
const loginDetectionSchema = z.strictObject({
  /** Window of the per-source login counts (usernames, attempts, failures). */
  windowSeconds: seconds.default(600),
  /** Distinct usernames from one IP within the window that make "many usernames" (weak alone: shared NATs). */
  usernamesPerIp: positiveInt.default(5),
  /** The same for one /24 or /48 network. */
  usernamesPerPrefix: positiveInt.default(20),
  /** The same for one device cookie: one device rarely signs in to more than a couple of accounts. */
  usernamesPerDevice: positiveInt.default(4),
  /** Failure ratio of a source's forwarded logins that marks it as stuffing… */
  failureRatio: z.number().min(0).max(1).default(0.6),
  /** …once it has made at least this many. */
  minAttempts: positiveInt.default(5),
  /** Fingerprints are shared by every user of a browser build: a higher bar before their failure ratio counts. */
  fingerprintMinAttempts: positiveInt.default(50),
  fingerprintFailureRatio: z.number().min(0).max(1).default(0.8),
  /** A login posted sooner than this after its page was loaded is faster than a person types. */
  minTypingMs: positiveInt.default(800),
  /** How long a username that logged in or signed up successfully stays "known". */
  knownUsernameDays: positiveInt.default(90),
  /**
   * A file of keyed username hashes, one per line, made by `botgate users import` from the
   * application's usernames, loaded as "known" on start, so that "never seen" means something
   * from the first day. Absent: botgate learns usernames from successful logins and signups.
   */
  knownUsernamesFile: z.string().min(1).optional(),
  /**
   * A breached-password filter made by `botgate breached build` from a password list; a login
   * with a password in it carries `password.breached` (a signal, never a block alone).
   */
  breachedPasswordsFile: z.string().min(1).optional(),
  /** How long a device that logged a user in is remembered as that user's device. */
  knownDeviceDays: positiveInt.default(180),
  /** Credential cracking: distinct passwords tried on one account within crackingWindowSeconds. */
  passwordsPerAccount: positiveInt.default(6),
  crackingWindowSeconds: seconds.default(3_600),
  /** Password spraying: distinct accounts failing with one password within crackingWindowSeconds. */
  accountsPerPassword: positiveInt.default(8),
  /** An account is "under attack" after this many failures from at least accountFailureSources IPs within crackingWindowSeconds. */
  accountFailures: positiveInt.default(5),
  accountFailureSources: positiveInt.default(3),
});

const attackModeSchema = z.strictObject({
  /** How often each node re-evaluates every login flow. */
  evaluateEverySeconds: seconds.default(5),
  /** The recent window compared with the learned baseline. */
  windowSeconds: seconds.default(60),
  /** Fewer forwarded logins than this in the window never start attack mode (quiet sites). */
  minAttempts: positiveInt.default(30),
  /** Failure ratio that starts attack mode when it is also `baselineFactor` times the baseline. */
  failureRatio: z.number().min(0).max(1).default(0.5),
  /** The same for the share of never-seen usernames. */
  unknownRatio: z.number().min(0).max(1).default(0.5),
  baselineFactor: z.number().min(1).default(2),
  /**
   * The share of never-seen usernames counts only once at least this share of successful
   * logins over `coverageWindowSeconds` were by known usernames: on a new deployment every
   * real user is never-seen too.
   */
  minKnownCoverage: z.number().min(0).max(1).default(0.7),
  coverageWindowSeconds: seconds.default(3_600),
  /** Attack mode ends after the window has looked normal for this long. */
  coolDownSeconds: seconds.default(120),
});

/** Thresholds of the scraping detector (api and page flows). */
const scrapingSchema = z.strictObject({
  /** Window of the per-client counts. */
  windowSeconds: seconds.default(300),
  /** Distinct paths one device cookie fetches in the window before it is scraping: a person reads tens, not hundreds. */
  pathsPerDevice: positiveInt.default(120),
  /** Distinct paths from one IP; weak alone (an office or a carrier NAT browses a lot). */
  pathsPerIp: positiveInt.default(400),
  /** Requests from one IP and header fingerprint that came back without the cookie they were given. */
  cookielessRequests: positiveInt.default(30),
});

const takeoverSchema = z.strictObject({
  /** How long an account with a suspected takeover stays flagged (x-botgate-ato on its device's requests). */
  flagHours: positiveInt.default(24),
  /** Optional webhook told of each suspected takeover (POST JSON, retried, never blocking a request). */
  webhook: z
    .strictObject({
      url: z.url({ protocol: /^https?$/ }),
      timeoutMs: positiveInt.default(2_000),
      retries: z.number().int().min(0).max(10).default(3),
    })
    .optional(),
});

/**
 * Thresholds of the account-creation detector (docs/detection.md). Counts are "more than N within
 * the window"; the email checks need no threshold.
 */
const accountCreationSchema = z.strictObject({
  /** Window of the per-source signup counts. */
  windowSeconds: seconds.default(3_600),
  /** Signups from one IP within the window; more is a finding (weak alone: shared NATs). */
  perIp: positiveInt.default(5),
  /** The same for one /24 or /48 network. */
  perPrefix: positiveInt.default(20),
  /** The same for one header fingerprint, which every user of a browser build shares: keep it high. */
  perFingerprint: positiveInt.default(50),
  /** The same for one device cookie: a device rarely opens more than a couple of accounts. */
  perDevice: positiveInt.default(3),
  /** Distinct addresses of one normalised mailbox (dots, +tags, look-alikes folded) that make a finding… */
  mailboxVariants: positiveInt.min(2).default(3),
  /** …within this window. */
  mailboxWindowSeconds: seconds.default(7 * 86_400),
  /** Distinct accounts signing up with one password hash within passwordWindowSeconds; more is a finding. */
  accountsPerPassword: positiveInt.default(10),
  passwordWindowSeconds: seconds.default(3_600),
  /** Distinct addresses of one name stem with different numbers (anna.k01, anna.k02…) within seriesWindowSeconds. */
  seriesAddresses: positiveInt.min(2).default(5),
  seriesWindowSeconds: seconds.default(3_600),
  /** A browser signup without botgate's device cookie (no page visit first) is a finding; false for sites that never serve pages through botgate. */
  expectPageVisit: z.boolean().default(true),
  /** A signup posted sooner than this after its page loaded is faster than a person fills a form. */
  minFillMs: positiveInt.default(3_000),
  /** A created account whose signup scored at least this is remembered as suspect, and so are its IP and device. */
  suspectScore: z.number().min(0).max(100).default(40),
  /** How long a suspect account is remembered. */
  suspectAccountDays: positiveInt.default(30),
  /** How long a suspect IP or device is remembered (IPs change hands: keep it short). */
  suspectSourceHours: positiveInt.default(24),
});

/** Thresholds of the comment-spam detector (docs/detection.md). */
const commentSpamSchema = z.strictObject({
  /** Window of the near-duplicate buckets and the identical-text count (their TTL in the store). */
  windowSeconds: seconds.default(3_600),
  /** Comments with fewer words are not sketched: short stock phrases ("is this still available?") are human. */
  minWords: positiveInt.default(6),
  /** Distinct accounts posting near-duplicates of one text within the window that make a finding… */
  duplicateAccounts: positiveInt.min(2).default(5),
  /** …and a strong one. */
  duplicateAccountsStrong: positiveInt.min(2).default(15),
  /** Distinct listings (paths) where one account posted one identical text within the window; more is a finding. */
  listingsPerText: positiveInt.default(3),
  /** Window of the posting rates. */
  rateWindowSeconds: seconds.default(600),
  /** Comments per account, IP and header fingerprint within the rate window; more is a finding. */
  perAccount: positiveInt.default(10),
  perIp: positiveInt.default(15),
  perFingerprint: positiveInt.default(60),
  /** "Machine speed": more than machineComments from one account within machineWindowSeconds… */
  machineComments: positiveInt.default(3),
  machineWindowSeconds: seconds.default(60),
  /** …counts against an account first seen less than this long ago. */
  minAccountAgeSeconds: seconds.default(86_400),
  /** How long an account's first sighting is remembered (past it, or once evicted, it looks new again). */
  accountMemoryDays: positiveInt.default(30),
  /** An account whose comment (accepted, or blocked or deceived) scored at least this on its own evidence is remembered as suspect. */
  suspectScore: z.number().min(0).max(100).default(60),
  suspectAccountDays: positiveInt.default(7),
});

/** Hard cap on keys; least recently used keys are evicted past it. */
const maxEntries = positiveInt.default(1_000_000);

/**
 * Where counters, sketches, flags and nonces live: `memory` (the default: this process; each node
 * counts alone) or `redis` (shared by every node, so an attack spread over them is seen as one).
 * See docs/deployment.md.
 */
const storeSchema = z
  .discriminatedUnion(
    'type',
    [
      z.strictObject({
        type: z.literal('memory').default('memory'),
        maxEntries,
      }),
      z.strictObject({
        type: z.literal('redis'),
        /** redis://[user:password@]host:port[/db], or rediss:// for TLS. With `cluster`, one seed node. */
        url: z.url({
          protocol: /^rediss?$/,
          error: (issue) =>
            `${issue.input === undefined ? 'required with type redis: ' : 'expected '}a redis:// or rediss:// URL, for example redis://127.0.0.1:6379`,
        }),
        /** The URL names a node of a Redis Cluster. Default false (a single Redis, or a proxy in front of one). */
        cluster: z.boolean().default(false),
        /** Every key starts with `{prefix}:`; the braces are the Cluster hash tag. Same on every node of one deployment. */
        prefix: z
          .string()
          .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'expected 1 to 64 letters, digits, ".", "_", ":" or "-" (no braces)')
          .default('botgate'),
        /** Budget of each Redis call; past it the request is decided on local state. Default 50 ms. */
        timeoutMs: positiveInt.max(10_000).default(50),
        /** While Redis is slow or down: `open` decides on this node's memory, `closed` challenges login, signup and comment flows. */
        failMode: z.enum(FAIL_MODES).default('open'),
        /** Cap on keys of the local fallback, which mirrors this node's traffic. */
        maxEntries,
      }),
    ],
    { error: (issue) => (issue.code === 'invalid_union' ? 'expected type "memory" or "redis"' : undefined) },
  )
  .prefault({});

/** Where botgate sends a CAPTCHA secret or loads the widget from: never plain HTTP beyond this machine. */
const captchaUrl = z.url({ protocol: /^https?$/ }).refine(
  (u) => {
    const url = new URL(u);
    return url.protocol === 'https:' || ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
  },
  { message: 'expected an https:// URL (http:// only to a loopback address such as 127.0.0.1)' },
);

const difficultyRangeSchema = z
  .strictObject({
    /** Leading zero bits asked of the least risky challenged request (18: about half a second in a browser). */
    base: z.number().int().min(1).max(32).default(18),
    /** Bits asked at risk score 100; each extra bit doubles the work. */
    max: z.number().int().min(1).max(32).default(21),
  })
  .refine((r) => r.max >= r.base, { message: 'expected max to be at least base' });

/**
 * Escalation of the riskiest challenged requests to an external CAPTCHA (Cloudflare Turnstile or
 * hCaptcha), on top of the proof of work. Off by default: when on, the challenge page of that
 * band loads the provider's script (the JSON challenge names it to other clients), and each
 * redemption calls the provider's siteverify.
 */
const captchaSchema = z.strictObject({
  /** Default false: every challenge is proof of work only and nothing is loaded from elsewhere. */
  enabled: z.boolean().default(false),
  /** `turnstile` (Cloudflare) or `hcaptcha`. */
  provider: z.enum(CAPTCHA_PROVIDERS).default('turnstile'),
  /** The public site key the widget is rendered with; required when enabled. */
  siteKey: z.string().min(1).max(128).optional(),
  /** The siteverify secret; BOTGATE_CAPTCHA_SECRET overrides it (prefer the variable). Required when enabled; never logged. */
  secret: z.string().min(1).max(256).optional(),
  /** Default: the provider's documented siteverify URL. https, or http to a loopback address (tests). */
  verifyUrl: captchaUrl.optional(),
  /** Default: the provider's documented script URL (explicit rendering). Same rule as verifyUrl. */
  scriptUrl: captchaUrl.optional(),
  /** Challenged requests with at least this risk score (0–100) get the CAPTCHA. Default 90. */
  minScore: z.number().min(0).max(100).default(90),
  /** Budget of one siteverify call; past it the provider counts as down. Default 2000 ms. */
  timeoutMs: positiveInt.max(10_000).default(2_000),
  /** Oldest challenge_ts accepted, in seconds (Turnstile tokens live 300 s). Default 300. */
  maxAgeSeconds: positiveInt.max(3_600).default(300),
  /** Turnstile only: the action the widget is rendered with and siteverify must echo. */
  action: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,32}$/, 'expected 1 to 32 letters, digits, "_" or "-", as Turnstile accepts')
    .optional(),
});

const challengeSchema = z.strictObject({
  /** Proof-of-work difficulty by default, rising with the request's risk score. */
  difficulty: difficultyRangeSchema.prefault({}),
  /** Per-flow difficulty, by flow name, overriding `difficulty`. */
  flows: z.record(z.string(), difficultyRangeSchema).default({}),
  /** How long a solved challenge's clearance cookie lasts. */
  clearanceMinutes: positiveInt.max(1440).default(60),
  /**
   * Earlier node secrets still accepted for clearances they signed, for rotating `secret`
   * without challenging everyone again: each is honoured for `graceMinutes` after its tokens
   * were issued. Remove a leaked one at once.
   */
  previousSecrets: z.array(z.string().min(16, 'expected a secret of at least 16 characters')).default([]),
  graceMinutes: positiveInt.default(60),
  /** Flows (names or kinds) whose browser navigations are always challenged without a clearance (to try the challenge). */
  force: z.array(z.string().min(1)).default([]),
  captcha: captchaSchema.prefault({}),
});

export const policySchema = z.strictObject({
  /** `monitor` computes and records every decision but forwards everything; `enforce` acts. */
  mode: z.enum(MODES).default('enforce'),
  /** Gateway listener. */
  listen: hostPort.default('127.0.0.1:8080'),
  upstream: z
    .strictObject({
      /** The application botgate protects. */
      url: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:3000'),
      /** Keep-alive connections to the upstream. */
      connections: positiveInt.default(128),
      connectTimeoutMs: positiveInt.default(2_000),
      /** Time to the upstream's response headers before botgate answers 504. */
      responseTimeoutMs: positiveInt.default(30_000),
      /** Send the client's Host header upstream (true) or the upstream URL's host (false). */
      preserveHost: z.boolean().default(true),
    })
    .prefault({}),
  admin: z
    .strictObject({
      listen: hostPort.default('127.0.0.1:9090'),
      /** Bearer token for /api/*; BOTGATE_ADMIN_TOKEN overrides it. Without either, /api/* is refused. */
      token: z.string().min(16, 'expected a token of at least 16 characters').optional(),
    })
    .prefault({}),
  /** HMAC key for usernames, passwords and cookies; BOTGATE_SECRET overrides it. Set it to the same value on every node. */
  secret: z.string().min(16, 'expected a secret of at least 16 characters').optional(),
  /** Peers whose X-Forwarded-For is believed. By default no proxy is trusted. */
  trustedProxies: z.array(z.string()).default([]),
  limits: z
    .strictObject({
      /** Largest body buffered for a flow with fields; 413 past it. */
      maxBodyBytes: positiveInt.default(65_536),
      /** Most header lines in a request; 431 past it. */
      maxHeaderLines: positiveInt.max(1000).default(100),
      /** Largest request head in bytes (Node's maxHeaderSize); 431 past it. */
      maxHeaderBytes: positiveInt.default(16_384),
      /** Longest request target (path and query) in bytes; 414 past it. At most maxHeaderBytes, which bounds the request line too. */
      maxUrlBytes: positiveInt.default(8_192),
      /** Connections one client address may hold open at once; more are closed at once. Trusted proxies are exempt. */
      maxConnectionsPerIp: positiveInt.default(256),
      /** Time for a client to send the whole request head. */
      headersTimeoutMs: positiveInt.default(10_000),
      /** Time for a client to send the whole request. */
      requestTimeoutMs: positiveInt.default(30_000),
      /** Idle time before a keep-alive client connection is closed. */
      keepAliveTimeoutMs: positiveInt.default(5_000),
      /** How often Node checks the two timeouts above; its 30 s default makes a 2 s timeout fire at 30 s. */
      connectionsCheckingIntervalMs: positiveInt.default(1_000),
      /** On SIGTERM, how long in-flight requests may take before the process exits anyway. */
      shutdownGraceMs: positiveInt.default(10_000),
    })
    .prefault({}),
  store: storeSchema,
  events: z
    .strictObject({
      /** Recent events kept in memory for the admin API. */
      ringSize: positiveInt.default(10_000),
      /** SQLite file for events; false turns it off. */
      sqlite: z.union([z.literal(false), z.string().min(1)]).default('botgate-events.db'),
      /** NDJSON events to `stdout` or a file path; false turns it off. */
      ndjson: z.union([z.literal(false), z.string().min(1)]).default(false),
      /**
       * Postgres URL for events shared by several nodes (the console and `botgate report` then see
       * them all); absent: no Postgres. Migrations run on start. Read back in preference to SQLite.
       */
      postgres: z
        .url({
          protocol: /^postgres(ql)?$/,
          error: 'expected a postgres:// URL, for example postgres://botgate@127.0.0.1:5432/botgate',
        })
        .optional(),
      /** Most events waiting for a slow sink; past it events are dropped and counted. */
      maxBacklog: positiveInt.default(50_000),
      /** Requests refused by the HTTP parser recorded (and logged) per second at most; the rest are counted only. */
      maxProtocolErrorsPerSecond: positiveInt.default(20),
    })
    .prefault({}),
  /** The business report (console, `GET /api/report`, `botgate report`). */
  report: z
    .strictObject({
      /** What one taken-over account costs the business (fraud, support, churn), in USD; losses avoided = accounts protected × this. */
      costPerAccountUsd: z.number().min(0).default(3.6),
    })
    .prefault({}),
  flows: z.array(flowSchema).default([]),
  lists: z
    .strictObject({
      allow: listSchema.prefault({}),
      deny: listSchema.prefault({}),
    })
    .prefault({}),
  rules: z.array(ruleSchema).default([]),
  challenge: challengeSchema.prefault({}),
  detection: z
    .strictObject({
      login: loginDetectionSchema.prefault({}),
      attackMode: attackModeSchema.prefault({}),
      takeover: takeoverSchema.prefault({}),
      accountCreation: accountCreationSchema.prefault({}),
      commentSpam: commentSpamSchema.prefault({}),
      scraping: scrapingSchema.prefault({}),
    })
    .prefault({}),
});

/** The document as written, after defaults. */
export type PolicyDocument = z.infer<typeof policySchema>;
export type FlowDocument = z.infer<typeof flowSchema>;
export type RuleDocument = z.infer<typeof ruleSchema>;
export type LoginDetection = z.infer<typeof loginDetectionSchema>;
export type ChallengeSettings = z.infer<typeof challengeSchema>;
export type CaptchaSettings = z.infer<typeof captchaSchema>;
export type CaptchaProviderName = (typeof CAPTCHA_PROVIDERS)[number];
export type AttackModeSettings = z.infer<typeof attackModeSchema>;
export type TakeoverSettings = z.infer<typeof takeoverSchema>;
export type ScrapingSettings = z.infer<typeof scrapingSchema>;
export type AccountCreationSettings = z.infer<typeof accountCreationSchema>;
export type CommentSpamSettings = z.infer<typeof commentSpamSchema>;
export type Mode = (typeof MODES)[number];
export type FlowKind = (typeof FLOW_KINDS)[number];
export type Action = (typeof ACTIONS)[number];
export type RateKey = (typeof RATE_KEYS)[number];
export type FieldRole = (typeof FIELD_ROLES)[number];
export type StoreDocument = z.infer<typeof storeSchema>;
