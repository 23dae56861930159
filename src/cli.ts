/**
 * botgate's command line: one entry for every command, `--help` on each, one clear line and a
 * non-zero exit for anything a user can get wrong.
 */
import { UsageError } from './cli/usage-error.js';

const HELP = `botgate — an inline gateway that stops credential stuffing, account takeover, fake signups,
bot comments and scraping, with no change to the application.

Usage: botgate <command> [options]

Commands:
  run           run the gateway in front of an HTTP upstream
  demo          run the demo marketplace with botgate in front of it, and the admin listener
  check FILE    validate a policy file; one line per problem
  report        the business report for a time range, from the admin API or the events database
  eval          run simulated users and attackers against botgate and print the scoreboard
  marketplace   run the demo marketplace alone (the upstream used by demo, tests and the simulator)
  users import  hash the application's usernames so "never seen" means something from day one
  breached build  build the local breached-password filter from a password list

Run "botgate <command> --help" for a command's options.`;

type Command = (args: readonly string[]) => Promise<number>;

/** Each command is loaded only when run: `run` does not pay for the simulator's modules. */
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  run: async () => (await import('./cli/run.js')).runCommand,
  demo: async () => (await import('./cli/demo.js')).demoCommand,
  check: async () => (await import('./cli/check.js')).checkCommand,
  report: async () => (await import('./cli/report.js')).reportCommand,
  eval: async () => (await import('./cli/eval.js')).evalCommand,
  marketplace: async () => (await import('./cli/marketplace.js')).marketplaceCommand,
  users: async () => (await import('./cli/users.js')).usersCommand,
  breached: async () => (await import('./cli/breached.js')).breachedCommand,
};

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(HELP);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    console.log(process.env.npm_package_version ?? '0.1.0');
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(
      `Cannot run "botgate ${name}": no such command (expected one of: ${Object.keys(COMMANDS).join(', ')})`,
    );
    return 2;
  }
  return (await command())(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(err.message);
      process.exitCode = err.exitCode;
      return;
    }
    const known = err as { code?: string; message?: string; problems?: unknown };
    console.error(known.message ?? String(err));
    process.exitCode = 1;
  },
);
