/**
 * A mistake on the command line: printed as one line naming the flag and the fix, exit code 2
 * (as getopt tools do), never a stack trace.
 */
export class UsageError extends Error {
  readonly exitCode = 2;
}

/** `HOST:PORT` for listen flags; port 0 picks any free port. */
export function checkHostPort(flag: string, value: string): string {
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(value);
  if (!match || Number(match[2]) > 65_535) {
    throw new UsageError(
      `Cannot use ${flag}: expected HOST:PORT such as 127.0.0.1:8080, port 0 for any free port (received "${value}")`,
    );
  }
  return value;
}
