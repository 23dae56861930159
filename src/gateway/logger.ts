/**
 * The small logging surface the gateway needs, so tests can pass a silent or capturing logger
 * instead of a process-global one. `createLogger` backs it with pino on stderr (stdout is kept
 * for the address line and NDJSON events).
 */
import pino from 'pino';

export interface Logger {
  info(message: string, detail?: Record<string, unknown>): void;
  warn(message: string, detail?: Record<string, unknown>): void;
  error(message: string, detail?: Record<string, unknown>): void;
}

export function createLogger(level: 'info' | 'warn' | 'error' | 'silent' = 'info'): Logger {
  const log = pino({ level, base: { service: 'botgate' } }, pino.destination({ fd: 2, sync: false }));
  return {
    info: (message, detail) => log.info(detail ?? {}, message),
    warn: (message, detail) => log.warn(detail ?? {}, message),
    error: (message, detail) => log.error(detail ?? {}, message),
  };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
