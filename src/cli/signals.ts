/** Resolves on the first SIGTERM or SIGINT, so a command can shut down gracefully and exit 0. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const done = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', done);
      process.off('SIGINT', done);
      resolve(signal);
    };
    process.on('SIGTERM', done);
    process.on('SIGINT', done);
  });
}
