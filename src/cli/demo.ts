import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BackgroundTraffic, startBackgroundTraffic } from '../../sim/background.js';
import { deepFreeze } from '../config/load.js';
import type { PolicyDocument } from '../config/schema.js';
import { startMarketplace } from '../demo/marketplace.js';
import { type DemoUser, generateDemoUsers, loadUsersCsv } from '../demo/users.js';
import { createLogger, type Logger } from '../gateway/logger.js';
import { splitHostPort, startGateway } from '../gateway/start.js';
import { parseCommand } from './parse.js';
import { policyFromFlags } from './policy-source.js';
import { applyStoreFlag, logLevel } from './run.js';
import { untilSignal } from './signals.js';
import { checkHostPort } from './usage-error.js';

export const DEMO_HELP = `Usage: botgate demo [--listen HOST:PORT] [--admin-listen HOST:PORT] [--upstream-listen HOST:PORT]
                    [--users FILE] [--store memory|redis://HOST:PORT] [--no-traffic] [--force-challenge]

Starts three things and prints their addresses as one JSON line on stdout:
the demo marketplace (the upstream), the gateway in front of it with the bundled default policy,
and the admin listener: {"gateway":…,"admin":…,"upstream":…,"adminToken":…}.
Nothing else is needed: state is in memory (or on Redis with --store) and events go to a SQLite file in the temp folder.
In the demo, loopback is a trusted proxy, so a load balancer's X-Forwarded-For on 127.0.0.1
sets the client IP.

  --listen HOST:PORT            gateway address (default 127.0.0.1:8080; port 0 = any free port)
  --admin-listen HOST:PORT      admin address (default 127.0.0.1:9090)
  --upstream-listen HOST:PORT   demo marketplace address (default 127.0.0.1:3000)
  --users FILE                  seed the marketplace's accounts from a CSV (username,email,password)
  --store STORE                 memory (default), or a redis:// URL: run several demos on one Redis
  --no-traffic                  do not run background simulator traffic
  --force-challenge             challenge every browser navigation that has no clearance yet,
                                to try the proof-of-work challenge (policy key challenge.force)
  --log-level LEVEL             info, warn, error or silent (default warn)
  -h, --help                    this help

The admin token comes from BOTGATE_ADMIN_TOKEN when set; otherwise one is generated and printed.`;

export async function demoCommand(args: readonly string[]): Promise<number> {
  const { values } = parseCommand('demo', args, {
    listen: { type: 'string', default: '127.0.0.1:8080' },
    'admin-listen': { type: 'string', default: '127.0.0.1:9090' },
    'upstream-listen': { type: 'string', default: '127.0.0.1:3000' },
    users: { type: 'string' },
    store: { type: 'string' },
    traffic: { type: 'boolean', default: true },
    'force-challenge': { type: 'boolean', default: false },
    'log-level': { type: 'string', default: 'warn' },
  });
  if (values.help) {
    console.log(DEMO_HELP);
    return 0;
  }
  const [upstreamHost, upstreamPort] = splitHostPort(checkHostPort('--upstream-listen', values['upstream-listen']));
  const users = values.users ? await loadUsersCsv(values.users) : generateDemoUsers();
  const marketplace = await startMarketplace({ host: upstreamHost, port: upstreamPort, users });

  const base = applyStoreFlag(
    await policyFromFlags({ listen: values.listen, adminListen: values['admin-listen'], upstream: marketplace.url }),
    values.store,
  );
  const doc: PolicyDocument = deepFreeze({
    ...base,
    trustedProxies: [...base.trustedProxies, '127.0.0.0/8', '::1'],
    admin: { ...base.admin, token: base.admin.token ?? randomBytes(18).toString('base64url') },
    secret: base.secret ?? randomBytes(32).toString('hex'),
    challenge: values['force-challenge']
      ? { ...base.challenge, force: ['page', 'login', 'signup', 'comment', 'api'] }
      : base.challenge,
    events: {
      ...base.events,
      sqlite: base.events.sqlite === false ? false : join(tmpdir(), `botgate-demo-${process.pid}.db`),
    },
  });
  const logger = createLogger(logLevel(values['log-level']));
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  try {
    gateway = await startGateway(doc, { logger });
  } catch (err) {
    await marketplace.close();
    throw err;
  }
  process.stdout.write(
    `${JSON.stringify({ gateway: gateway.gatewayUrl, admin: gateway.adminUrl, upstream: marketplace.url, adminToken: gateway.adminToken })}\n`,
  );
  process.stderr.write(
    `botgate demo is running.\n  marketplace through botgate: ${gateway.gatewayUrl}/\n` +
      `  the console (token above):   ${gateway.adminUrl}/console/\n  the marketplace directly:    ${marketplace.url}/\n` +
      'Press Ctrl-C to stop.\n',
  );
  // A few requests a second of simulated people and a slow stuffer, so the console shows activity.
  const traffic = values.traffic ? backgroundTraffic(gateway.gatewayUrl, users, logger) : undefined;
  if (traffic)
    process.stderr.write('Background traffic: simulated people and a slow attacker (--no-traffic turns it off).\n');
  await untilSignal();
  await traffic?.stop();
  await gateway.close();
  await marketplace.close();
  return 0;
}

/** The simulator talks to loopback only; a gateway listening elsewhere gets no background traffic. */
function backgroundTraffic(
  gatewayUrl: string,
  users: readonly DemoUser[],
  logger: Logger,
): BackgroundTraffic | undefined {
  try {
    return startBackgroundTraffic({ gatewayUrl, users });
  } catch (err) {
    logger.warn('no background traffic', { reason: (err as Error).message });
    return undefined;
  }
}
