/**
 * The SQLite worker thread: owns one SqliteArchive and answers the SqliteEventSink's calls, one
 * at a time, in order. A call is `{ id, op, args }`; the answer `{ id, value }` or `{ id, error }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteArchive } from './sqlite-archive.js';

export type ArchiveOp =
  | 'write'
  | 'get'
  | 'recent'
  | 'search'
  | 'decisionCounts'
  | 'accountCounts'
  | 'series'
  | 'topSources'
  | 'attackModeTransitions'
  | 'close';

export interface ArchiveCall {
  readonly id: number;
  readonly op: ArchiveOp;
  readonly args: readonly unknown[];
}

export type ArchiveAnswer =
  | { readonly id: number; readonly value: unknown }
  | { readonly id: number; readonly error: string };

const port = parentPort;
if (port !== null) {
  const archive = new SqliteArchive((workerData as { path: string }).path);
  port.on('message', (call: ArchiveCall) => {
    try {
      const method = archive[call.op] as (...args: unknown[]) => unknown;
      const value = method.apply(archive, call.args as unknown[]);
      port.postMessage({ id: call.id, value } satisfies ArchiveAnswer);
    } catch (error) {
      port.postMessage({
        id: call.id,
        error: error instanceof Error ? error.message : String(error),
      } satisfies ArchiveAnswer);
    }
  });
}
