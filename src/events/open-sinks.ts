/**
 * The sinks the policy's `events` section asks for, opened at startup so that a bad path fails
 * there with one clear error (a missing directory, a file that is not a database). SQLite comes
 * first, so `readableSink` prefers it for reading events back.
 */
import type { PolicyDocument } from '../config/schema.js';
import { NdjsonEventSink } from './ndjson-sink.js';
import { type EventQuery, type EventSink, isEventQuery } from './sink.js';
import { SqliteEventSink } from './sqlite-sink.js';

export interface OpenSinksOptions {
  /** Where `ndjson: stdout` writes; default process.stdout. */
  readonly stdout?: NodeJS.WritableStream;
}

export function openSinks(config: PolicyDocument['events'], options: OpenSinksOptions = {}): EventSink[] {
  const sinks: EventSink[] = [];
  if (config.sqlite !== false) sinks.push(new SqliteEventSink(config.sqlite));
  try {
    if (config.ndjson === 'stdout') sinks.push(NdjsonEventSink.toStream(options.stdout ?? process.stdout));
    else if (config.ndjson !== false) sinks.push(NdjsonEventSink.toFile(config.ndjson));
  } catch (error) {
    for (const sink of sinks) sink.close().catch(() => {});
    throw error;
  }
  return sinks;
}

/** The first sink that can be read back (for events the ring no longer holds), if any. */
export function readableSink(sinks: readonly EventSink[]): (EventSink & EventQuery) | undefined {
  return sinks.find((sink): sink is EventSink & EventQuery => isEventQuery(sink));
}
