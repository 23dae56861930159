/**
 * Progress while a run goes: a bar redrawn in place on a terminal, a plain line every few
 * seconds otherwise (CI logs, pipes). Always on stderr: stdout carries the scoreboard.
 */
import type { Progress } from './runner.js';

export interface ProgressReporter {
  update(progress: Progress): void;
  done(): void;
}

const BAR = 28;
const PLAIN_EVERY_MS = 5_000;

export function progressReporter(stream: NodeJS.WriteStream = process.stderr, label = 'eval'): ProgressReporter {
  const tty = stream.isTTY === true;
  let lastPlain = -PLAIN_EVERY_MS;
  let drawn = false;
  return {
    update(p) {
      const fraction = p.sessionsTotal === 0 ? 1 : p.sessionsDone / p.sessionsTotal;
      const text = `${Math.round(fraction * 100)}% · ${p.sessionsDone}/${p.sessionsTotal} sessions · ${p.requests} requests · ${Math.round(p.elapsedMs / 1000)} s`;
      if (tty) {
        const filled = Math.round(fraction * BAR);
        stream.write(`\r${label} [${'='.repeat(filled)}${' '.repeat(BAR - filled)}] ${text}\x1b[K`);
        drawn = true;
      } else if (p.elapsedMs - lastPlain >= PLAIN_EVERY_MS) {
        lastPlain = p.elapsedMs;
        stream.write(`${label}: ${text}\n`);
      }
    },
    done() {
      if (drawn) stream.write('\n');
    },
  };
}
