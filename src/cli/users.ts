import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createUsernameHasher } from '../signals/fields.js';
import { parseCommand } from './parse.js';
import { policyFromFlags } from './policy-source.js';
import { UsageError } from './usage-error.js';

export const USERS_HELP = `Usage: botgate users import FILE|- [--config FILE] [--out FILE]

Bootstraps "never seen" usernames. Reads the application's usernames (or login e-mails), one
per line, from FILE or standard input, and writes their keyed hashes under the node secret
(BOTGATE_SECRET or the policy's secret) to --out, or to detection.login.knownUsernamesFile of the
policy. The gateway loads that file on start as known usernames. The clear usernames are never
written anywhere; the hashes are useless without the secret.

  --config FILE   policy whose secret and knownUsernamesFile to use (default: the bundled one)
  --out FILE      where to write the hashes (default: detection.login.knownUsernamesFile)
  -h, --help      this help`;

export async function usersCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommand(
    'users',
    args,
    { config: { type: 'string' }, out: { type: 'string' } },
    true,
  );
  if (values.help || positionals[0] !== 'import') {
    console.log(USERS_HELP);
    return values.help ? 0 : 2;
  }
  const source = positionals[1];
  if (source === undefined)
    throw new UsageError('Cannot run "botgate users import": expected a file of usernames, or - for standard input');
  const doc = await policyFromFlags({ config: values.config });
  if (doc.secret === undefined) {
    throw new UsageError('Cannot hash usernames: no secret (set BOTGATE_SECRET to the value every gateway node uses)');
  }
  const out = values.out ?? doc.detection.login.knownUsernamesFile;
  if (out === undefined) {
    throw new UsageError(
      'Cannot import usernames: give --out FILE, or set detection.login.knownUsernamesFile in the policy',
    );
  }
  const hash = createUsernameHasher(doc.secret);
  const input = source === '-' ? process.stdin : createReadStream(source, 'utf8');
  const output = createWriteStream(out, { flags: 'a', mode: 0o600 });
  const seen = new Set<string>();
  for await (const line of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
    const username = line.trim();
    if (username === '') continue;
    const h = hash(username);
    if (seen.has(h)) continue;
    seen.add(h);
    if (!output.write(`${h}\n`)) await new Promise<void>((r) => output.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => output.end((err?: Error | null) => (err ? reject(err) : resolve())));
  console.error(`botgate users import: wrote ${seen.size} username hashes to ${out}`);
  return 0;
}
