/** One fuzz target: a property over attacker-shaped input, run in batches until time is up. */
import type fc from 'fast-check';

export interface FuzzTarget {
  // biome-ignore lint/suspicious/noExplicitAny: a target is a sync or an async property over any input shape.
  readonly property: fc.IProperty<any> | fc.IAsyncProperty<any>;
  /** Runs per seed: small for slow targets, so time-bounding stays close. */
  readonly batch: number;
  close?(): Promise<void>;
}
