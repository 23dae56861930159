import { applyEnvironment, loadPolicyFile } from '../config/load.js';
import { formatProblem, PolicyError } from '../config/problems.js';
import { parseCommand } from './parse.js';
import { UsageError } from './usage-error.js';

export const CHECK_HELP = `Usage: botgate check FILE

Validates a policy file without running anything: the YAML, every key against the schema
(unknown keys are refused), addresses, route patterns and rule references, then the
environment's overrides as \`run\` would apply them (BOTGATE_SECRET, BOTGATE_ADMIN_TOKEN,
BOTGATE_CAPTCHA_SECRET): an enabled challenge.captcha needs its secret in the file or in
BOTGATE_CAPTCHA_SECRET. Prints one line per problem, "path: what is wrong (received …)", and
exits 1 when there is any; exits 0 when the policy is valid.`;

export async function checkCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommand('check', args, {}, true);
  if (values.help) {
    console.log(CHECK_HELP);
    return 0;
  }
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0)
    throw new UsageError('Cannot run "botgate check": expected exactly one policy file (see botgate check --help)');
  try {
    const doc = applyEnvironment(await loadPolicyFile(file), process.env);
    console.log(`${file}: valid (${doc.flows.length} flows, ${doc.rules.length} rules, mode ${doc.mode})`);
    return 0;
  } catch (err) {
    if (!(err instanceof PolicyError)) throw err;
    if (err.problems.length === 0) {
      console.error(err.message);
      return 1;
    }
    for (const p of err.problems) console.error(`${file}:${p.line ?? 0}: ${formatProblem(p)}`);
    return 1;
  }
}
