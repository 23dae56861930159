/**
 * What `botgate eval` measures by default: the demo marketplace and a gateway in front of it, in
 * this process, on free loopback ports. The gateway runs the bundled default policy (or
 * `config`), trusts loopback as its load balancer (so the simulator's X-Forwarded-For is the
 * client address), with a random secret and admin token and no event files: a run leaves nothing
 * behind. `mode: monitor` shows what the policy would do without stopping anything.
 */
import { randomBytes } from 'node:crypto';
import { policyFromFlags } from '../src/cli/policy-source.js';
import { deepFreeze } from '../src/config/load.js';
import type { PolicyDocument } from '../src/config/schema.js';
import { startMarketplace } from '../src/demo/marketplace.js';
import type { DemoUser } from '../src/demo/users.js';
import { silentLogger } from '../src/gateway/logger.js';
import { startGateway } from '../src/gateway/start.js';

export interface EvalEnvironment {
  readonly gatewayUrl: string;
  readonly upstreamUrl: string;
  close(): Promise<void>;
}

export interface EnvironmentOptions {
  readonly users: readonly DemoUser[];
  /** A policy file; default the bundled botgate.example.yaml. */
  readonly config?: string | undefined;
  /** `monitor` or `enforce`, overriding the policy's mode. */
  readonly mode?: string | undefined;
}

export async function startEvalEnvironment(options: EnvironmentOptions): Promise<EvalEnvironment> {
  const marketplace = await startMarketplace({ host: '127.0.0.1', port: 0, users: options.users });
  try {
    const base = await policyFromFlags({
      config: options.config,
      mode: options.mode,
      listen: '127.0.0.1:0',
      adminListen: '127.0.0.1:0',
      upstream: marketplace.url,
    });
    const doc: PolicyDocument = deepFreeze({
      ...base,
      trustedProxies: [...base.trustedProxies, '127.0.0.0/8', '::1'],
      admin: { ...base.admin, token: randomBytes(18).toString('base64url') },
      secret: base.secret ?? randomBytes(32).toString('hex'),
      events: { ...base.events, sqlite: false, ndjson: false },
    });
    const gateway = await startGateway(doc, { logger: silentLogger });
    return {
      gatewayUrl: gateway.gatewayUrl,
      upstreamUrl: marketplace.url,
      async close() {
        await gateway.close();
        await marketplace.close();
      },
    };
  } catch (err) {
    await marketplace.close();
    throw err;
  }
}
