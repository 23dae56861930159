/**
 * Time as a session sees it. The runner gives every session the real clock (milliseconds since
 * the run started, sleeps that end early when the run is stopped); the planner gives each
 * session a virtual clock that advances by its sleeps and never waits, so a whole scenario can
 * be laid out in milliseconds without a network.
 */
export interface SimClock {
  /** Milliseconds since the run started. */
  now(): number;
  /** Waits `ms`; resolves early (never rejects) when the run is stopped. */
  sleep(ms: number): Promise<void>;
}

export function realClock(startedAt: number, signal: AbortSignal): SimClock {
  return {
    now: () => performance.now() - startedAt,
    sleep(ms) {
      if (signal.aborted || ms <= 0) return Promise.resolve();
      return new Promise((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        signal.addEventListener('abort', done, { once: true });
      });
    },
  };
}

export class VirtualClock implements SimClock {
  constructor(private time: number) {}
  now(): number {
    return this.time;
  }
  sleep(ms: number): Promise<void> {
    this.time += Math.max(0, ms);
    return Promise.resolve();
  }
}
