/**
 * The policy document: what users write in botgate.yaml. Every key has a default here, and the
 * annotated botgate.example.yaml at the repository root documents each one; a test keeps them
 * in step. Unknown keys are rejected (a typo must not silently disable a protection).
 *
 * This is the document layer only. `compile.ts` turns it into the immutable policy the hot path
 * runs (router, CIDR lists, rule tables), so evaluation never looks config up by name.
 */
import { z } from 'zod';

export const MODES = ['monitor', 'enforce'] as const;
export const FLOW_KINDS = ['login', 'signup', 'comment', 'api', 'page', 'asset'] as const;
/** Ordered from mildest to most severe; the policy picks the most severe matching action. */
export const ACTIONS = ['allow', 'tag', 'tarpit', 'ratelimit', 'challenge', 'deceive', 'block'] as const;
export const RATE_KEYS = ['ip', 'prefix', 'fingerprint', 'username', 'device', 'email', 'flow'] as const;
export const FIELD_ROLES = ['username', 'password', 'email', 'text', 'identity'] as const;
const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', '*'] as const;

const hostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'expected HOST:PORT, for example 127.0.0.1:8080 (port 0 picks a free port)');
const name = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'expected a lower-case name of letters, digits, ".", "_" or "-" (at most 64)');
const positiveInt = z.number().int().positive();

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
  store: z
    .strictObject({
      type: z.literal('memory').default('memory'),
      /** Hard cap on keys; least recently used keys are evicted past it. */
      maxEntries: positiveInt.default(1_000_000),
    })
    .prefault({}),
  events: z
    .strictObject({
      /** Recent events kept in memory for the admin API. */
      ringSize: positiveInt.default(10_000),
      /** SQLite file for events; false turns it off. */
      sqlite: z.union([z.literal(false), z.string().min(1)]).default('botgate-events.db'),
      /** NDJSON events to `stdout` or a file path; false turns it off. */
      ndjson: z.union([z.literal(false), z.string().min(1)]).default(false),
      /** Most events waiting for a slow sink; past it events are dropped and counted. */
      maxBacklog: positiveInt.default(50_000),
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
});

/** The document as written, after defaults. */
export type PolicyDocument = z.infer<typeof policySchema>;
export type FlowDocument = z.infer<typeof flowSchema>;
export type RuleDocument = z.infer<typeof ruleSchema>;
export type Mode = (typeof MODES)[number];
export type FlowKind = (typeof FLOW_KINDS)[number];
export type Action = (typeof ACTIONS)[number];
export type RateKey = (typeof RATE_KEYS)[number];
export type FieldRole = (typeof FIELD_ROLES)[number];
