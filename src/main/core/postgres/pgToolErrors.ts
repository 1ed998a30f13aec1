// What pg_dump, pg_restore and psql say when they fail, turned into the same typed errors
// a pg connection gives (connectionErrors.ts), so an admin sees "wrong password" whether
// the catalog query or the dump hit it. Their stderr is quoted masked and trimmed.
import type { PasswordSource } from '../../../shared/api';
import type { ServerRef } from '../../../shared/profiles';
import { ReplicaDeskError } from '../errors';
import { maskSecrets } from '../secrets/secret';
import {
  AccessDeniedError,
  ConnectionFailedError,
  ConnectionTimeoutError,
  MissingPasswordError,
  MissingSchemaError,
  ServerUnavailableError,
  TlsCertificateError,
  TlsRequiredError,
  TlsUnsupportedError,
  PostgresConnectionError,
  UnknownDatabaseError,
  UnreachableHostError,
  WrongPasswordError,
  describeTarget,
  type DbTarget,
} from './connectionErrors';
import { PgToolTooOldError } from './pgTools';

export class DiskFullError extends ReplicaDeskError {
  constructor(where: 'local' | 'server', detail: string) {
    super(
      'disk-full',
      where === 'local' ? `The disk ran full while writing the backup: ${detail}` : `The database server ran out of disk space during the restore: ${detail}`,
      where === 'local'
        ? 'Free space on the disk that holds the backups directory, or choose another backups directory, then resume the run.'
        : 'Nothing was kept: the restore ran in one transaction. Ask the DBA to free space on the replica database server, then resume the run.',
    );
  }
}

export class DumpFailedError extends ReplicaDeskError {
  constructor(detail: string) {
    super('dump-failed', `pg_dump failed: ${detail}`, 'Check the master database and the PostgreSQL server log; nothing was written to the backups directory.');
  }
}

export class RestoreFailedError extends ReplicaDeskError {
  constructor(tool: string, detail: string, hint?: string) {
    super(
      'restore-failed',
      `The restore failed (${tool}): ${detail}`,
      hint ??
        'Nothing was kept: the restore runs in one transaction, so the replica schema does not exist now. Correct the cause shown above (the PostgreSQL server log has more), then resume the run.',
    );
  }
}

export interface StallContext {
  /** The tool whose connection stopped moving. */
  tool: 'pg_dump' | 'psql';
  operation: 'dump' | 'restore';
  /** How long nothing moved when the watchdog gave up. */
  stalledMs: number;
  /** What else the watchdog found out (e.g. what the server says the session waits for). */
  detail?: string;
  /** The restore's COMMIT had been sent when it stalled, so it may have landed. */
  afterCommitSent?: boolean;
}

/** A dump or restore stream on which nothing moved for the watchdog's time (progressWatchdog.ts). */
export class StreamStalledError extends PostgresConnectionError {
  readonly tool: StallContext['tool'];
  readonly stalledMs: number;

  constructor(db: DbTarget, c: StallContext) {
    const seconds = Math.round(c.stalledMs / 100) / 10;
    const kept =
      c.operation === 'dump'
        ? 'The partial backup file was removed.'
        : c.afterCommitSent
          ? 'The restore had already sent its COMMIT, so it may or may not have landed; resuming drops the replica schema again and restores it anew.'
          : 'Nothing was kept: the restore runs in one transaction, which the server rolls back once it notices the closed connection.';
    super(
      'stream-stalled',
      db,
      `The ${c.operation} stalled: nothing moved for ${seconds} s on the connection of ${c.tool} to PostgreSQL at ${describeTarget(db)}` +
        `${c.detail ? ` (${c.detail})` : ''}. ${c.tool} was stopped.`,
      `${kept} Check the network between this machine and ${db.host} (VPN, proxy, firewall, NAT) and that the server is up and not blocked ` +
        `(pg_stat_activity, its log), then resume the run: replica-desk runs resume RUN_ID.`,
    );
    this.tool = c.tool;
    this.stalledMs = c.stalledMs;
  }
}

/** Keeps the last lines of a tool's stderr for an error message, masked. */
export class StderrTail {
  #lines: string[] = [];
  #partial = '';

  constructor(private readonly keep = 200) {}

  push(chunk: Buffer | string, onLine?: (line: string) => void): void {
    const text = this.#partial + chunk.toString();
    const lines = text.split(/\r?\n/);
    this.#partial = lines.pop() ?? '';
    for (const line of lines) {
      this.#lines.push(line);
      onLine?.(line);
    }
    if (this.#lines.length > this.keep) this.#lines.splice(0, this.#lines.length - this.keep);
  }

  /** The last `count` lines that are not progress chatter (pg_dump --verbose), masked. */
  text(count = 20, isChatter: (line: string) => boolean = () => false): string {
    const all = [...this.#lines, ...(this.#partial ? [this.#partial] : [])].filter((l) => l.trim().length > 0);
    const meaningful = all.filter((l) => !isChatter(l));
    return maskSecrets((meaningful.length > 0 ? meaningful : all).slice(-count).join('\n'));
  }
}

export interface ToolFailureContext {
  db: DbTarget;
  ref?: ServerRef;
  passwordSource?: PasswordSource;
  connectTimeoutMs: number;
  /** The schema the tool was asked for, for "no matching schemas". */
  schema?: string;
  where: 'local' | 'server';
}

const CONNECT_FAILURE = /connection to server .*failed|could not connect to server|could not translate host name|connection to database .*failed/i;

function classifyConnectFailure(text: string, c: ToolFailureContext): ReplicaDeskError {
  const db = c.db;
  if (/password authentication failed/i.test(text)) return new WrongPasswordError(db, { ref: c.ref, passwordSource: c.passwordSource });
  if (/no password supplied/i.test(text)) return new MissingPasswordError(db, c.ref);
  if (/database ".*" does not exist/i.test(text)) return new UnknownDatabaseError(db);
  if (/could not translate host name/i.test(text)) return new UnreachableHostError(db, 'ENOTFOUND');
  if (/Connection refused/i.test(text)) return new UnreachableHostError(db, 'ECONNREFUSED');
  if (/No route to host/i.test(text)) return new UnreachableHostError(db, 'EHOSTUNREACH');
  if (/Network is unreachable/i.test(text)) return new UnreachableHostError(db, 'ENETUNREACH');
  if (/timeout expired/i.test(text)) return new ConnectionTimeoutError(db, c.connectTimeoutMs, 'connect');
  if (/server does not support SSL/i.test(text)) return new TlsUnsupportedError(db);
  if (/no pg_hba\.conf entry.*(no encryption|SSL off)/i.test(text) && db.sslmode === 'disable') return new TlsRequiredError(db, text);
  if (/no pg_hba\.conf entry|not permitted to log in|permission denied for database/i.test(text)) return new AccessDeniedError(db, text);
  if (/certificate/i.test(text)) return new TlsCertificateError(db, text);
  if (/starting up|shutting down|too many clients|remaining connection slots|in recovery mode/i.test(text)) return new ServerUnavailableError(db, text);
  return new ConnectionFailedError(db, text);
}

/**
 * The typed error for a tool that exited non-zero with `stderr`; `fallback` makes the
 * error for anything not recognised (dump-failed, restore-failed…).
 */
export function classifyToolFailure(stderr: string, c: ToolFailureContext, fallback: (detail: string) => ReplicaDeskError): ReplicaDeskError {
  const text = maskSecrets(stderr.trim()) || 'it exited without a message';
  const mismatch = /server version: ([\d.]+\S*);\s*(pg_dump|pg_restore|psql) version: ([\d.]+\S*)/i.exec(text);
  if (/server version mismatch/i.test(text) || mismatch) {
    const serverMajor = Number(mismatch?.[1]?.split('.')[0] ?? 0);
    return new PgToolTooOldError(mismatch?.[2] ?? 'pg_dump', mismatch?.[3] ?? 'unknown', serverMajor);
  }
  if (/No space left on device|could not extend file|\b53100\b/i.test(text)) return new DiskFullError(c.where, text);
  if (CONNECT_FAILURE.test(text)) return classifyConnectFailure(text, c);
  if (c.schema && /no matching schemas were found/i.test(text)) return new MissingSchemaError(c.db, c.schema);
  return fallback(text);
}
