/**
 * Where the gateway hands every decision. `record` is synchronous and O(1) in the traffic: it
 * pushes the event into the ring and into each sink's backlog, and calls live listeners if there
 * are any. Writing happens later, from a timer, in batches: every `flushIntervalMs` (200 ms by
 * default), or at once when a backlog reaches `batchSize` (1 000). Each sink has its own backlog
 * and at most one batch in flight, so a slow sink delays only itself.
 *
 * Bounds and losses, stated plainly: a backlog holds at most `maxBacklog` events (plus the one
 * batch in flight); past it the oldest waiting events are dropped and counted. A failed batch
 * goes back to the front of its backlog and is retried after a pause that doubles from the flush
 * interval up to `maxRetryDelayMs`, so a sink that recovers within its backlog loses nothing.
 * Events still waiting when the process dies without `close()` are lost; the timer is unref'd,
 * so whoever owns the recorder must `close()` it on shutdown (bounded by its own grace timer, as
 * a hung sink can keep `flush` waiting).
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { type Clock, systemClock } from '../state/clock.js';
import { Backlog } from './backlog.js';
import type { DecisionEvent } from './event.js';
import { EventRing } from './ring.js';
import type { EventSink } from './sink.js';

export interface RecorderOptions {
  /** Events kept in memory for the live view and `get(id)`. */
  readonly ringSize: number;
  /** Most events waiting for one sink; past it the oldest are dropped and counted. */
  readonly maxBacklog: number;
  readonly sinks?: readonly EventSink[];
  /** How long an event may wait before its batch is written. Default 200 ms. */
  readonly flushIntervalMs?: number;
  /** Most events in one write; a backlog reaching it is written without waiting. Default 1 000. */
  readonly batchSize?: number;
  /** Longest pause before retrying a failing sink. Default 5 000 ms. */
  readonly maxRetryDelayMs?: number;
  readonly clock?: Clock;
  /** Told of every failed batch, failed close and throwing listener (`source`: sink name or `listener`), e.g. to log it. */
  readonly onError?: (error: unknown, source: string) => void;
}

export interface SinkStats {
  readonly name: string;
  /** Events the sink has stored. */
  readonly written: number;
  /** Events dropped because the backlog was full (or the recorder closed). */
  readonly dropped: number;
  /** Batches the sink failed to write (each retried later). */
  readonly failures: number;
  /** Events waiting, including a batch in flight. */
  readonly backlog: number;
}

export interface RecorderStats {
  readonly recorded: number;
  readonly sinks: readonly SinkStats[];
}

export type EventListener = (event: DecisionEvent) => void;

class SinkLane {
  readonly backlog: Backlog;
  written = 0;
  dropped = 0;
  failures = 0;
  inFlight = 0;
  consecutiveFailures = 0;
  /** Clock time before which a failing sink is left alone. */
  retryAt = 0;
  writing: Promise<void> | null = null;

  constructor(
    readonly sink: EventSink,
    maxBacklog: number,
  ) {
    this.backlog = new Backlog(maxBacklog);
  }
}

export class EventRecorder {
  readonly ring: EventRing;
  private readonly lanes: readonly SinkLane[];
  private readonly flushIntervalMs: number;
  private readonly batchSize: number;
  private readonly maxRetryDelayMs: number;
  private readonly clock: Clock;
  private readonly onError: (error: unknown, source: string) => void;
  private listeners: readonly EventListener[] = [];
  private recorded = 0;
  private timer: NodeJS.Timeout | null = null;
  private soon: NodeJS.Immediate | null = null;
  private closed = false;
  private closing: Promise<void> | null = null;

  constructor(options: RecorderOptions) {
    this.ring = new EventRing(options.ringSize);
    this.lanes = (options.sinks ?? []).map((sink) => new SinkLane(sink, options.maxBacklog));
    this.flushIntervalMs = options.flushIntervalMs ?? 200;
    this.batchSize = options.batchSize ?? 1_000;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 5_000;
    this.clock = options.clock ?? systemClock;
    const onError = options.onError;
    // A throwing error handler must not break recording or leave a write promise rejected.
    this.onError = (error, source) => {
      try {
        onError?.(error, source);
      } catch {}
    };
  }

  record(event: DecisionEvent): void {
    this.recorded++;
    this.ring.push(event);
    if (this.lanes.length > 0) {
      if (this.closed) {
        for (const lane of this.lanes) lane.dropped++;
      } else {
        for (const lane of this.lanes) {
          lane.dropped += lane.backlog.push(event);
          // `===`, not `>=`: one early write per crossing, not one per event while a sink is paused.
          if (lane.backlog.size === this.batchSize && this.soon === null) this.soon = setImmediate(this.tick);
        }
        if (this.timer === null) this.schedule();
      }
    }
    const listeners = this.listeners;
    for (let i = 0; i < listeners.length; i++) {
      try {
        (listeners[i] as EventListener)(event);
      } catch (error) {
        this.onError(error, 'listener');
      }
    }
  }

  /** Calls `listener` with every event recorded from now on; returns the unsubscribe function. */
  onEvent(listener: EventListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  stats(): RecorderStats {
    return {
      recorded: this.recorded,
      sinks: this.lanes.map((lane) => ({
        name: lane.sink.name,
        written: lane.written,
        dropped: lane.dropped,
        failures: lane.failures,
        backlog: lane.backlog.size + lane.inFlight,
      })),
    };
  }

  /**
   * Writes everything waiting, ignoring retry pauses, and resolves when every sink has either
   * caught up or failed a batch (that batch stays in the backlog). Never rejects.
   */
  async flush(): Promise<void> {
    await Promise.all(this.lanes.map((lane) => this.flushLane(lane)));
  }

  /** Flushes, then closes every sink. Events recorded afterwards stay in the ring only. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    this.cancelTimers();
    await this.flush();
    await Promise.all(
      this.lanes.map(async (lane) => {
        try {
          await lane.sink.close();
        } catch (error) {
          this.onError(error, lane.sink.name);
        }
      }),
    );
  }

  private schedule(): void {
    this.timer = setTimeout(this.tick, this.flushIntervalMs);
    this.timer.unref();
  }

  private cancelTimers(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.soon !== null) clearImmediate(this.soon);
    this.timer = null;
    this.soon = null;
  }

  /** Starts a write on every idle sink that has events and is not pausing after a failure. */
  private readonly tick = (): void => {
    this.cancelTimers();
    if (this.closed) return;
    const now = this.clock.now();
    let waiting = false;
    for (const lane of this.lanes) {
      if (lane.writing !== null || lane.backlog.size === 0) continue;
      if (now < lane.retryAt) waiting = true;
      else this.run(lane, 'full-batches');
    }
    if (waiting) this.schedule();
  };

  private async flushLane(lane: SinkLane): Promise<void> {
    while (lane.writing !== null) await lane.writing;
    if (lane.backlog.size > 0) await this.run(lane, 'everything');
  }

  /**
   * The only place a sink is written, keeping one batch in flight per sink. `full-batches`
   * writes one batch, then more only while whole batches wait (smaller remainders wait for the
   * next tick, which keeps batches large); `everything` empties the backlog.
   */
  private run(lane: SinkLane, until: 'full-batches' | 'everything'): Promise<void> {
    const writing = this.drain(lane, until).finally(() => {
      lane.writing = null;
      if (!this.closed && lane.backlog.size > 0 && this.timer === null) this.schedule();
    });
    lane.writing = writing;
    return writing;
  }

  private async drain(lane: SinkLane, until: 'full-batches' | 'everything'): Promise<void> {
    const minimum = until === 'everything' ? 1 : this.batchSize;
    do {
      if (!(await this.writeBatch(lane))) return;
      // Let requests run between batches: a synchronous sink (SQLite) would otherwise hold the
      // event loop for the whole backlog.
      if (lane.backlog.size >= minimum) await yieldToEventLoop();
    } while (lane.backlog.size >= minimum);
  }

  private async writeBatch(lane: SinkLane): Promise<boolean> {
    const batch = lane.backlog.take(this.batchSize);
    lane.inFlight = batch.length;
    try {
      await lane.sink.write(batch);
    } catch (error) {
      lane.inFlight = 0;
      lane.failures++;
      lane.consecutiveFailures++;
      lane.dropped += lane.backlog.restore(batch);
      const pause = this.flushIntervalMs * 2 ** Math.min(lane.consecutiveFailures - 1, 30);
      lane.retryAt = this.clock.now() + Math.min(pause, this.maxRetryDelayMs);
      this.onError(error, lane.sink.name);
      return false;
    }
    lane.inFlight = 0;
    lane.written += batch.length;
    lane.consecutiveFailures = 0;
    lane.retryAt = 0;
    return true;
  }
}
