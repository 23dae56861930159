import { startMarketplace } from '../demo/marketplace.js';
import { generateDemoUsers, loadUsersCsv } from '../demo/users.js';
import { splitHostPort } from '../gateway/start.js';
import { parseCommand } from './parse.js';
import { untilSignal } from './signals.js';
import { checkHostPort } from './usage-error.js';

export const MARKETPLACE_HELP = `Usage: botgate marketplace [--listen HOST:PORT] [--users FILE]

Runs the demo marketplace alone: the upstream application that "botgate demo", the simulator
and the tests put botgate in front of. Prints {"upstream":"http://…"} on stdout.

  --listen HOST:PORT   where it listens (default 127.0.0.1:3000; port 0 = any free port)
  --users FILE         seed accounts from a CSV file with columns username,email,password
                       (default: 500 generated users, see docs/demo.md)
  -h, --help           this help`;

export async function marketplaceCommand(args: readonly string[]): Promise<number> {
  const { values } = parseCommand('marketplace', args, {
    listen: { type: 'string', default: '127.0.0.1:3000' },
    users: { type: 'string' },
  });
  if (values.help) {
    console.log(MARKETPLACE_HELP);
    return 0;
  }
  const [host, port] = splitHostPort(checkHostPort('--listen', values.listen));
  const users = values.users ? await loadUsersCsv(values.users) : generateDemoUsers();
  const marketplace = await startMarketplace({ host, port, users });
  process.stdout.write(`${JSON.stringify({ upstream: marketplace.url })}\n`);
  await untilSignal();
  await marketplace.close();
  return 0;
}
