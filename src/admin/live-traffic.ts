/**
 * This node's decisions per second for the last hour, by flow kind and action: the console's
 * live chart. Fed by the recorder's listener, so it sees every decision whatever the sinks are
 * (none, a slow Postgres) and costs one array increment per request, no allocation.
 *
 * Memory is fixed: one slot per second of the window, each holding a counter per kind × action.
 * Events arrive in close to time order (they are recorded when the response ends); one older than
 * its slot's second is dropped, which only happens past the window.
 *
 * Per node by design: the live view answers "what is this gateway doing now". The report reads
 * the event archive, which Postgres shares across nodes.
 */
import { ACTIONS, type Action, FLOW_KINDS, type FlowKind } from '../config/schema.js';
import type { DecisionEvent } from '../events/event.js';
import type { Clock } from '../state/clock.js';

const ACTION_INDEX: ReadonlyMap<string, number> = new Map(ACTIONS.map((a, i) => [a, i]));
const KIND_INDEX: ReadonlyMap<string, number> = new Map(FLOW_KINDS.map((k, i) => [k, i]));
const PER_SLOT = ACTIONS.length * FLOW_KINDS.length;

export interface LivePoint {
  /** Start of the bucket, ms since the epoch. */
  readonly bucket: number;
  readonly counts: Readonly<Record<Action, number>>;
}

export interface LiveSeries {
  readonly from: number;
  readonly to: number;
  readonly bucketMs: number;
  /** Every bucket of the window, oldest first, empty ones included (a chart needs the gaps). */
  readonly points: readonly LivePoint[];
  readonly totals: Readonly<Record<Action, number>>;
}

export class LiveTraffic {
  readonly windowSeconds: number;
  private readonly seconds: Float64Array;
  private readonly counts: Uint32Array;

  constructor(
    private readonly clock: Clock,
    windowSeconds = 3_600,
  ) {
    this.windowSeconds = windowSeconds;
    this.seconds = new Float64Array(windowSeconds).fill(-1);
    this.counts = new Uint32Array(windowSeconds * PER_SLOT);
  }

  /** Counts one event; other types than `decision` are not traffic. A bound function, for `onEvent`. */
  readonly observe = (event: DecisionEvent): void => {
    if (event.type !== 'decision') return;
    const action = ACTION_INDEX.get(event.action);
    const kind = KIND_INDEX.get(event.flowKind);
    if (action === undefined || kind === undefined) return;
    const second = Math.floor(event.time / 1000);
    const slot = second % this.windowSeconds;
    const held = this.seconds[slot] as number;
    if (held !== second) {
      if (held > second) return;
      this.seconds[slot] = second;
      this.counts.fill(0, slot * PER_SLOT, (slot + 1) * PER_SLOT);
    }
    const at = slot * PER_SLOT + kind * ACTIONS.length + action;
    this.counts[at] = (this.counts[at] as number) + 1;
  };

  /** The last `windowMs` up to now in buckets of `bucketMs` (whole seconds), for one flow kind or all. */
  series(windowMs: number, bucketMs: number, kind?: FlowKind): LiveSeries {
    const bucketSeconds = Math.max(1, Math.round(bucketMs / 1000));
    const size = bucketSeconds * 1000;
    const now = this.clock.now();
    const to = (Math.floor(now / size) + 1) * size;
    const from = Math.max(to - Math.ceil(windowMs / size) * size, to - this.windowSeconds * 1000);
    const kinds = kind === undefined ? FLOW_KINDS.map((_, i) => i) : [KIND_INDEX.get(kind) as number];
    const totals = zero();
    const points: LivePoint[] = [];
    for (let bucket = from; bucket < to; bucket += size) {
      const counts = zero();
      for (let second = bucket / 1000; second < (bucket + size) / 1000; second++) {
        const slot = second % this.windowSeconds;
        if (this.seconds[slot] !== second) continue;
        for (const k of kinds) {
          const base = slot * PER_SLOT + k * ACTIONS.length;
          for (let a = 0; a < ACTIONS.length; a++) counts[ACTIONS[a] as Action] += this.counts[base + a] as number;
        }
      }
      for (const a of ACTIONS) totals[a] += counts[a];
      points.push({ bucket, counts });
    }
    return { from, to, bucketMs: size, points, totals };
  }
}

function zero(): Record<Action, number> {
  return { allow: 0, tag: 0, tarpit: 0, ratelimit: 0, challenge: 0, deceive: 0, block: 0 };
}
