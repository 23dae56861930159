import { deepFreeze } from '../config/load.js';
import { type PolicyDocument, policySchema } from '../config/schema.js';
import { createLogger } from '../gateway/logger.js';
import { startGateway } from '../gateway/start.js';
import { parseCommand } from './parse.js';
import { policyFromFlags } from './policy-source.js';
import { untilSignal } from './signals.js';
import { UsageError } from './usage-error.js';

export const RUN_HELP = `Usage: botgate run [--config FILE] [--upstream URL] [--listen HOST:PORT]
                   [--admin-listen HOST:PORT] [--trusted-proxies CIDR[,CIDR…]] [--mode monitor|enforce]
                   [--store memory|redis://HOST:PORT]

Runs the gateway in front of an HTTP upstream. Without --config it uses the bundled default
policy (botgate.example.yaml), which protects common login, signup and comment routes, so
"botgate run --upstream http://127.0.0.1:3000" is a complete deployment. Each flag overrides
the policy file. Port 0 means any free port. On start it prints one JSON line on stdout with
every address it listens on: {"gateway":"http://…","admin":"http://…"}.

  --config FILE              policy file (YAML); see botgate.example.yaml
  --upstream URL             the application to protect (upstream.url)
  --listen HOST:PORT         gateway address (listen)
  --admin-listen HOST:PORT   admin address: /healthz, /readyz, /metrics, /api/* (admin.listen)
  --trusted-proxies LIST     load balancers whose X-Forwarded-For is believed (trustedProxies)
  --mode MODE                monitor (decide and record, never block) or enforce (mode)
  --store STORE              memory, or a redis:// or rediss:// URL shared by every node (store);
                             other store settings (prefix, timeoutMs, failMode) come from the policy
  --log-level LEVEL          info, warn, error or silent (default info; logs go to stderr)
  -h, --help                 this help

Environment: BOTGATE_SECRET (HMAC key; set the same on every node), BOTGATE_ADMIN_TOKEN.
SIGTERM or SIGINT stop it gracefully: in-flight requests finish, events are flushed, exit 0.
SIGHUP reloads the policy file (flows, rules, lists, mode, thresholds): all of it or nothing.
On the Redis store (with BOTGATE_SECRET set) the reload is published, and every other node of
the same store.prefix takes it; see docs/deployment.md.`;

export async function runCommand(args: readonly string[]): Promise<number> {
  const { values } = parseCommand('run', args, {
    config: { type: 'string' },
    upstream: { type: 'string' },
    listen: { type: 'string' },
    'admin-listen': { type: 'string' },
    'trusted-proxies': { type: 'string', multiple: true },
    mode: { type: 'string' },
    store: { type: 'string' },
    'log-level': { type: 'string', default: 'info' },
  });
  if (values.help) {
    console.log(RUN_HELP);
    return 0;
  }
  const flags = {
    config: values.config,
    upstream: values.upstream,
    listen: values.listen,
    adminListen: values['admin-listen'],
    trustedProxies: values['trusted-proxies'],
    mode: values.mode,
  };
  const load = async () => applyStoreFlag(await policyFromFlags(flags), values.store);
  const doc = await load();
  const logger = createLogger(logLevel(values['log-level']));
  const gateway = await startGateway(doc, { logger });
  process.stdout.write(`${JSON.stringify({ gateway: gateway.gatewayUrl, admin: gateway.adminUrl })}\n`);
  logger.info('botgate is running', {
    gateway: gateway.gatewayUrl,
    admin: gateway.adminUrl,
    upstream: doc.upstream.url,
    mode: doc.mode,
  });
  // SIGHUP reloads the policy file: the whole new policy or nothing, the reason logged.
  const onHangup = (): void => {
    load()
      .then((next) => {
        gateway.reload(next);
        logger.info('policy reloaded', { config: values.config ?? 'bundled default', mode: next.mode });
      })
      .catch((err: unknown) =>
        logger.error('policy reload refused; the running policy is kept', { reason: (err as Error).message }),
      );
  };
  process.on('SIGHUP', onHangup);
  const signal = await untilSignal();
  process.off('SIGHUP', onHangup);
  logger.info('stopping', { signal });
  await gateway.close();
  return 0;
}

export function logLevel(value: string | undefined): 'info' | 'warn' | 'error' | 'silent' {
  switch (value) {
    case 'warn':
    case 'error':
    case 'silent':
      return value;
    default:
      return 'info';
  }
}

/**
 * `--store memory` or `--store redis://…` over the policy's `store` section. A URL keeps the
 * policy's other Redis settings when it already uses Redis, else takes their defaults; the cap
 * on local entries is kept either way.
 */
export function applyStoreFlag(doc: PolicyDocument, flag: string | undefined): PolicyDocument {
  if (flag === undefined) return doc;
  const current = doc.store;
  const wanted =
    flag === 'memory'
      ? { type: 'memory', maxEntries: current.maxEntries }
      : current.type === 'redis'
        ? { ...current, url: flag }
        : { type: 'redis', url: flag, maxEntries: current.maxEntries };
  const parsed = policySchema.shape.store.safeParse(wanted);
  if (!parsed.success) {
    throw new UsageError(
      `Cannot use --store: expected "memory" or a redis:// or rediss:// URL such as redis://127.0.0.1:6379 (received "${withoutPassword(flag)}")`,
    );
  }
  return deepFreeze({ ...doc, store: parsed.data });
}

function withoutPassword(value: string): string {
  return value.replace(/^([a-z]+:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
}
