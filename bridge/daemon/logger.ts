// pino JSON logs on stderr; pino-pretty (in-process, synchronous) when asked or when stderr is a
// terminal. Synchronous destinations so the last lines before exit are never lost.
import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';
import type PinoPretty from 'pino-pretty';
import type { LogFormat, LogLevel } from '../config/config-keys.js';

// Loaded only for a pretty log: a daemon logging JSON does not carry the formatter and its
// dependencies (about 2 MB resident).
const require = createRequire(import.meta.url);

export type { Logger };

export function createLogger(level: LogLevel, format: LogFormat, isTty = process.stderr.isTTY === true): Logger {
  const pretty = format === 'pretty' || (format === 'auto' && isTty);
  const base = { name: 'goose-bridge' };
  if (pretty) {
    const pinoPretty = require('pino-pretty') as typeof PinoPretty;
    return pino({ level, base }, pinoPretty({ destination: 2, sync: true, colorize: isTty, translateTime: 'SYS:HH:MM:ss.l' }));
  }
  return pino({ level, base, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ fd: 2, sync: true }));
}
