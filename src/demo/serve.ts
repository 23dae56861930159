/**
 * Runs the demo marketplace as a process of its own, for integration tests and benchmarks that
 * want the upstream off the gateway's event loop:
 *
 *   node --import tsx src/demo/serve.ts [--host 127.0.0.1] [--port 0] [--users FILE.csv | --count 500]
 *
 * When it is ready it prints one line, `demo marketplace listening on <url>`, and it stops
 * cleanly on SIGINT or SIGTERM. A bad flag or users file prints one line and exits with 1.
 */
import { parseArgs } from 'node:util';
import { startMarketplace } from './marketplace.js';
import { DEFAULT_DEMO_USER_COUNT, generateDemoUsers, loadUsersCsv } from './users.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
      users: { type: 'string' },
      count: { type: 'string', default: String(DEFAULT_DEMO_USER_COUNT) },
    },
    strict: true,
  });
  const port = Number(values.port);
  const count = Number(values.count);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`Cannot start: --port must be 0–65535 (received "${values.port}")`);
  if (!Number.isInteger(count) || count < 0)
    throw new Error(`Cannot start: --count must be a whole number (received "${values.count}")`);
  const users = values.users === undefined ? generateDemoUsers(count) : await loadUsersCsv(values.users);

  const market = await startMarketplace({ host: values.host, port, users });
  process.stdout.write(`demo marketplace listening on ${market.url} (${users.length} users)\n`);
  const stop = (): void => {
    market.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
