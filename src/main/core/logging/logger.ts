// Append-only log of what the core did, one line per event. Every line passes through
// maskSecrets, so a password that reaches a message (e.g. quoted by a library) is masked.
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { maskSecrets } from '../secrets/secret';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  readonly file: string | null;
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export function formatLogLine(level: LogLevel, message: string, fields?: Record<string, unknown>, now = new Date()): string {
  const extra = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
  return maskSecrets(`${now.toISOString()} ${level.toUpperCase()} ${message}${extra}`);
}

/** A logger writing to `file`, or nowhere when `file` is null. */
export function createLogger(file: string | null): Logger {
  if (file) mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const log = (level: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (!file) return;
    appendFileSync(file, `${formatLogLine(level, message, fields)}\n`, { mode: 0o600 });
  };
  return {
    file,
    log,
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
  };
}
