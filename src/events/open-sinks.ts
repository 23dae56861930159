/**
 * The sinks the policy's `events` section asks for, opened at startup so that a bad path or an
 * unreachable database fails there with one clear error (a missing directory, a file that is not
 * a database, a refused connection). `readableSink` prefers Postgres, which every node writes,
 * then SQLite, for reading events back.
 */
import type { PolicyDocument } from '../config/schema.js';
import { NdjsonEventSink } from './ndjson-sink.js';
import { PostgresEventSink } from './postgres-sink.js';
import { type EventArchive, type EventQuery, type EventSink, isEventArchive, isEventQuery } from './sink.js';
import { SqliteEventSink } from './sqlite-sink.js';

export interface OpenSinksOptions {
  /** Where `ndjson: stdout` writes; default process.stdout. */
  readonly stdout?: NodeJS.WritableStream;
}

/** The local sinks (SQLite, NDJSON), opened synchronously. */
export function openSinks(config: PolicyDocument['events'], options: OpenSinksOptions = {}): EventSink[] {
  const sinks: EventSink[] = [];
  if (config.sqlite !== false) sinks.push(new SqliteEventSink(config.sqlite));
  try {
    if (config.ndjson === 'stdout') sinks.push(NdjsonEventSink.toStream(options.stdout ?? process.stdout));
    else if (config.ndjson !== false) sinks.push(NdjsonEventSink.toFile(config.ndjson));
  } catch (error) {
    closeQuietly(sinks);
    throw error;
  }
  return sinks;
}

/** Every sink the section asks for: Postgres first (connected and migrated), then the local ones. */
export async function openEventSinks(
  config: PolicyDocument['events'],
  options: OpenSinksOptions = {},
): Promise<EventSink[]> {
  const local = openSinks(config, options);
  if (config.postgres === undefined) return local;
  try {
    return [await PostgresEventSink.open({ url: config.postgres }), ...local];
  } catch (error) {
    closeQuietly(local);
    throw error;
  }
}

/** The first sink that can be read back (for events the ring no longer holds), if any. */
export function readableSink(sinks: readonly EventSink[]): (EventSink & EventQuery) | undefined {
  return sinks.find((sink): sink is EventSink & EventQuery => isEventQuery(sink));
}

/** The first sink that answers searches and aggregates (the console's report), if any. */
export function archiveSink(sinks: readonly EventSink[]): (EventSink & EventArchive) | undefined {
  return sinks.find((sink): sink is EventSink & EventArchive => isEventArchive(sink));
}

function closeQuietly(sinks: readonly EventSink[]): void {
  for (const sink of sinks) sink.close().catch(() => {});
}
