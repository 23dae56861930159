import { createReadStream } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { BreachedPasswords } from '../signals/breached-passwords.js';
import { parseCommand } from './parse.js';
import { UsageError } from './usage-error.js';

export const BREACHED_HELP = `Usage: botgate breached build LIST --out FILE

Builds the breached-password filter that detection.login.breachedPasswordsFile loads: a Bloom
filter of the passwords in LIST (one per line, e.g. a public list of leaked passwords), about
1 % false positives, no false negatives, about 1.2 bytes a password. The list never leaves this
machine and the gateway never calls a network service to check a password.

  --out FILE   where to write the filter
  -h, --help   this help`;

export async function breachedCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommand('breached', args, { out: { type: 'string' } }, true);
  if (values.help || positionals[0] !== 'build') {
    console.log(BREACHED_HELP);
    return values.help ? 0 : 2;
  }
  const list = positionals[1];
  if (list === undefined || values.out === undefined)
    throw new UsageError(
      'Cannot run "botgate breached build": expected LIST and --out FILE (see botgate breached --help)',
    );
  // Size the filter from the file: a line is at least 2 bytes, most are about 9.
  const { size } = await stat(list).catch(() => {
    throw new UsageError(`Cannot read the password list: no such file (received "${list}")`);
  });
  const filter = BreachedPasswords.create(Math.max(1_000, Math.ceil(size / 8)));
  let count = 0;
  for await (const line of createInterface({
    input: createReadStream(list, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  })) {
    if (line.length === 0) continue;
    filter.add(line);
    count++;
  }
  await writeFile(values.out, filter.toFile());
  console.error(`botgate breached build: ${count} passwords into ${values.out}`);
  return 0;
}
