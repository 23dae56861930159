/**
 * The policy a command runs with: a file, or the bundled default, then the environment, then
 * command-line flags, each later one winning. Flags are checked one by one with their own
 * message, then the whole result is checked again, so a flag can never produce a policy that
 * `botgate check` would refuse.
 */
import { applyEnvironment, deepFreeze, defaultPolicyPath, loadPolicyFile } from '../config/load.js';
import { PolicyError } from '../config/problems.js';
import { MODES, type Mode, type PolicyDocument } from '../config/schema.js';
import { addressProblem, checkPolicy } from '../config/validate.js';
import { checkHostPort, UsageError } from './usage-error.js';

export interface PolicyFlags {
  readonly config?: string | undefined;
  readonly upstream?: string | undefined;
  readonly listen?: string | undefined;
  readonly adminListen?: string | undefined;
  readonly trustedProxies?: readonly string[] | undefined;
  readonly mode?: string | undefined;
}

export async function policyFromFlags(
  flags: PolicyFlags,
  env: NodeJS.ProcessEnv = process.env,
): Promise<PolicyDocument> {
  const base = applyEnvironment(await loadPolicyFile(flags.config ?? defaultPolicyPath()), env);
  const doc: PolicyDocument = {
    ...base,
    ...(flags.listen === undefined ? {} : { listen: checkHostPort('--listen', flags.listen) }),
    ...(flags.mode === undefined ? {} : { mode: checkMode(flags.mode) }),
    upstream: flags.upstream === undefined ? base.upstream : { ...base.upstream, url: checkUpstream(flags.upstream) },
    admin:
      flags.adminListen === undefined
        ? base.admin
        : { ...base.admin, listen: checkHostPort('--admin-listen', flags.adminListen) },
    trustedProxies: flags.trustedProxies === undefined ? base.trustedProxies : checkProxies(flags.trustedProxies),
  };
  const problems = checkPolicy(doc);
  if (problems.length > 0)
    throw new PolicyError(`${flags.config ?? 'the default policy'} with command-line flags`, problems);
  return deepFreeze(doc);
}

function checkUpstream(value: string): string {
  let url: URL | null = null;
  try {
    url = new URL(value);
  } catch {}
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new UsageError(
      `Cannot use --upstream: expected an http:// or https:// URL such as http://127.0.0.1:3000 (received "${value}")`,
    );
  }
  return value;
}

function checkMode(value: string): Mode {
  if (!(MODES as readonly string[]).includes(value)) {
    throw new UsageError(`Cannot use --mode: expected one of ${MODES.join(', ')} (received "${value}")`);
  }
  return value as Mode;
}

function checkProxies(entries: readonly string[]): string[] {
  const list = entries
    .flatMap((e) => e.split(','))
    .map((e) => e.trim())
    .filter((e) => e !== '');
  for (const entry of list) {
    const why = addressProblem(entry);
    if (why) throw new UsageError(`Cannot use --trusted-proxies: ${why} (received "${entry}")`);
  }
  return list;
}
