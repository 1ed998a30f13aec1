// What can go wrong when reaching a PostgreSQL server, as typed errors the admin can act
// on. Each message names host:port/database and the user, never a password; any text
// quoted from the server or a library goes through maskSecrets first.
import type { PasswordSource } from '../../../shared/api';
import { formatServerRef, type ServerRef } from '../../../shared/profiles';
import { ReplicaDeskError } from '../errors';
import { maskSecrets } from '../secrets/secret';

export interface DbTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  sslmode?: string;
}

export interface ConnectionErrorContext {
  ref?: ServerRef;
  passwordSource?: PasswordSource;
  timeoutMs?: number;
  /** Set by openClient when a TLS attempt came before the failing plain one (sslmode prefer). */
  tlsAttempted?: boolean;
}

export const describeTarget = (db: DbTarget): string => `${db.host}:${db.port}/${db.database} as user "${db.user}"`;

const secretsCommand = (ref?: ServerRef): string =>
  `replica-desk secrets set ${ref ? formatServerRef(ref) : 'INSTALLATION/SERVER'} db`;

/** Base of every error about reaching a database; `db` says which one. */
export class PostgresConnectionError extends ReplicaDeskError {
  constructor(
    code: string,
    readonly db: DbTarget,
    message: string,
    hint: string,
    options?: { cause?: unknown },
  ) {
    super(code, maskSecrets(message), hint, options);
  }
}

export class WrongPasswordError extends PostgresConnectionError {
  constructor(db: DbTarget, context: ConnectionErrorContext = {}, cause?: unknown) {
    const from =
      context.passwordSource === 'pgpassfile' ? ' (taken from the pgpass file)' : context.passwordSource === 'keychain' ? ' (taken from the keychain)' : '';
    super(
      'wrong-password',
      db,
      `PostgreSQL at ${describeTarget(db)} rejected the password${from}.`,
      `Store the correct password with \`${secretsCommand(context.ref)}\`` +
        (context.passwordSource === 'pgpassfile' ? ', or correct the matching line in your pgpass file (PGPASSFILE or ~/.pgpass).' : '.'),
      { cause },
    );
  }
}

export class AccessDeniedError extends PostgresConnectionError {
  constructor(db: DbTarget, detail: string, cause?: unknown) {
    super(
      'access-denied',
      db,
      `PostgreSQL at ${describeTarget(db)} refused the connection: ${detail}`,
      "Check db.user and db.database in the profile, and ask the DBA to allow this client's address, user and database in pg_hba.conf.",
      { cause },
    );
  }
}

export class TlsRequiredError extends PostgresConnectionError {
  constructor(db: DbTarget, detail: string, cause?: unknown) {
    super(
      'tls-required',
      db,
      `PostgreSQL at ${describeTarget(db)} requires an encrypted (TLS) connection, but sslmode is "${db.sslmode ?? 'prefer'}": ${detail}`,
      'Set db.sslmode to "require" (or "verify-full" with the server\'s CA certificate) in the server\'s profile. If TLS is already expected, ask the DBA whether pg_hba.conf has an entry for this address, user and database at all.',
      { cause },
    );
  }
}

export class TlsUnsupportedError extends PostgresConnectionError {
  constructor(db: DbTarget, cause?: unknown) {
    super(
      'tls-unsupported',
      db,
      `PostgreSQL at ${describeTarget(db)} does not support TLS, but sslmode is "${db.sslmode ?? 'prefer'}".`,
      'Ask the DBA to enable ssl on the server, or set db.sslmode to "prefer" or "disable" if an unencrypted connection is acceptable on this network.',
      { cause },
    );
  }
}

export class TlsCertificateError extends PostgresConnectionError {
  constructor(db: DbTarget, detail: string, cause?: unknown) {
    super(
      'tls-certificate',
      db,
      `The TLS certificate of PostgreSQL at ${describeTarget(db)} could not be verified (sslmode "${db.sslmode ?? 'prefer'}"): ${detail}`,
      `Put the CA certificate that signed the server's certificate in ~/.postgresql/root.crt or point PGSSLROOTCERT at it; for verify-full the certificate must also name "${db.host}". Use sslmode "require" to encrypt without verifying.`,
      { cause },
    );
  }
}

const UNREACHABLE_REASONS: Record<string, string> = {
  ECONNREFUSED: 'the connection was refused (nothing listens on that port)',
  ENOTFOUND: 'the host name could not be resolved',
  EAI_AGAIN: 'the host name could not be resolved (DNS did not answer)',
  EHOSTUNREACH: 'there is no route to the host',
  ENETUNREACH: 'the network is unreachable',
};

export class UnreachableHostError extends PostgresConnectionError {
  constructor(db: DbTarget, systemCode: string, cause?: unknown) {
    super(
      'unreachable-host',
      db,
      `Cannot reach PostgreSQL at ${describeTarget(db)}: ${UNREACHABLE_REASONS[systemCode] ?? systemCode}.`,
      'Check db.host and db.port in the profile, that PostgreSQL is running there, and that no firewall blocks the port.',
      { cause },
    );
  }
}

export class UnknownDatabaseError extends PostgresConnectionError {
  constructor(db: DbTarget, cause?: unknown) {
    super(
      'unknown-database',
      db,
      `Database "${db.database}" does not exist on PostgreSQL at ${describeTarget(db)}.`,
      'Check db.database in the profile (psql\'s \\l lists the databases), or ask the DBA to create the database.',
      { cause },
    );
  }
}

export class MissingPasswordError extends PostgresConnectionError {
  constructor(db: DbTarget, ref?: ServerRef) {
    super(
      'missing-password',
      db,
      `PostgreSQL at ${describeTarget(db)} asks for a password, and neither the keychain nor a pgpass file has one.`,
      `Store it with \`${secretsCommand(ref)}\`, or add the line "${db.host}:${db.port}:${db.database}:${db.user}:PASSWORD" to ~/.pgpass (mode 0600) or the file PGPASSFILE names.`,
    );
  }
}

export class ConnectionTimeoutError extends PostgresConnectionError {
  constructor(db: DbTarget, timeoutMs: number, phase: 'connect' | 'query', cause?: unknown) {
    const seconds = Math.round(timeoutMs / 100) / 10;
    super(
      'timeout',
      db,
      phase === 'connect'
        ? `PostgreSQL at ${describeTarget(db)} did not complete the connection within ${seconds} s.`
        : `A query on PostgreSQL at ${describeTarget(db)} did not finish in time.`,
      phase === 'connect'
        ? 'Check that db.host and db.port point at PostgreSQL and not at another service, that no firewall silently drops the packets, and that the server is not overloaded.'
        : 'The server may be overloaded or a lock may block the query; check pg_stat_activity on the server and try again.',
      { cause },
    );
  }
}

export class ServerUnavailableError extends PostgresConnectionError {
  constructor(db: DbTarget, detail: string, cause?: unknown) {
    super(
      'server-unavailable',
      db,
      `PostgreSQL at ${describeTarget(db)} cannot take the connection now: ${detail}`,
      'The server is starting, shutting down or out of connection slots; wait a moment and try again, or ask the DBA.',
      { cause },
    );
  }
}

export class MissingSchemaError extends PostgresConnectionError {
  constructor(db: DbTarget, readonly schema: string) {
    super(
      'missing-schema',
      db,
      `Schema "${schema}" does not exist in ${describeTarget(db)}.`,
      'Check db.schema in the profile: it defaults to db.user, because CoreMedia names a server\'s schema after its database role.',
    );
  }
}

/** Anything else; the server's or library's own words are kept (masked). */
export class ConnectionFailedError extends PostgresConnectionError {
  constructor(db: DbTarget, detail: string, cause?: unknown) {
    super(
      'connection-failed',
      db,
      `PostgreSQL at ${describeTarget(db)} failed: ${detail}`,
      "Check the server's settings in the profile and the PostgreSQL server log; the Replica Desk log has details.",
      { cause },
    );
  }
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** The SQLSTATE of a server error, e.g. 28P01. */
function sqlStateOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && 'severity' in (error as object) ? code : undefined;
}

/** A Node system error code (ECONNREFUSED…), also inside an AggregateError from dual-stack dialing. */
function systemCodeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      const innerCode = systemCodeOf(inner);
      if (innerCode) return innerCode;
    }
  }
  return undefined;
}

export const isServerWithoutTls = (error: unknown): boolean => messageOf(error) === 'The server does not support SSL connections';

// pg_hba.conf rejections end with the connection's encryption: "no encryption" and
// "SSL encryption" since PostgreSQL 14, "SSL off" and "SSL on" before.
const hbaRejection = (error: unknown): string | null =>
  sqlStateOf(error) === '28000' && /no pg_hba\.conf entry/.test(messageOf(error)) ? messageOf(error) : null;
export const isPlainRejectedByHba = (error: unknown): boolean => /(no encryption|SSL off)\s*$/.test(hbaRejection(error) ?? '');
export const isTlsRejectedByHba = (error: unknown): boolean => /(SSL encryption|SSL on)\s*$/.test(hbaRejection(error) ?? '');

const TIMEOUT_TEXT = /timeout expired|connection timeout|Query read timeout/i;
const TLS_REQUIRED_TEXT = /SSL connection is required|requires? (an )?(SSL|TLS|encrypt)|(SSL|TLS|encryption) (is )?required/i;
const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Turns whatever pg, the socket or TLS threw into the typed error the admin can act on. */
export function classifyConnectionError(error: unknown, db: DbTarget, context: ConnectionErrorContext = {}): ReplicaDeskError {
  if (error instanceof MissingPasswordError && context.ref && !error.hint.includes(formatServerRef(context.ref))) {
    return new MissingPasswordError(db, context.ref);
  }
  if (error instanceof ReplicaDeskError) return error;
  const text = maskSecrets(messageOf(error));
  const state = sqlStateOf(error);
  const code = (error as { code?: unknown } | null)?.code;

  if (state === '28P01') return new WrongPasswordError(db, context, error);
  if (state === '3D000') return new UnknownDatabaseError(db, error);
  if (state === '57014') return new ConnectionTimeoutError(db, context.timeoutMs ?? 0, 'query', error);
  if (state === '57P03' || state === '53300' || state === '57P01') return new ServerUnavailableError(db, text, error);
  if (isPlainRejectedByHba(error)) {
    // After a refused TLS attempt (sslmode prefer), TLS would not have helped either.
    return context.tlsAttempted ? new AccessDeniedError(db, text, error) : new TlsRequiredError(db, text, error);
  }
  if (state === '28000' && TLS_REQUIRED_TEXT.test(text)) return new TlsRequiredError(db, text, error);
  if (state === '28000') return new AccessDeniedError(db, text, error);
  if (isServerWithoutTls(error)) {
    // sslmode allow only tries TLS after the server refused plain text.
    return db.sslmode === 'allow'
      ? new AccessDeniedError(db, 'the unencrypted connection was refused and the server does not support TLS', error)
      : new TlsUnsupportedError(db, error);
  }
  if (typeof code === 'string' && CERTIFICATE_CODES.has(code)) return new TlsCertificateError(db, text, error);
  if (TIMEOUT_TEXT.test(text) || systemCodeOf(error) === 'ETIMEDOUT') {
    return new ConnectionTimeoutError(db, context.timeoutMs ?? 0, /Query read timeout/i.test(text) ? 'query' : 'connect', error);
  }
  const system = systemCodeOf(error);
  if (system && system in UNREACHABLE_REASONS) return new UnreachableHostError(db, system, error);
  if (TLS_REQUIRED_TEXT.test(text)) return new TlsRequiredError(db, text, error);
  return new ConnectionFailedError(db, state ? `${text} (SQLSTATE ${state})` : text, error);
}

/** A connection that was working and then went away: a cut network, a restarted or crashed server. */
export class ConnectionLostError extends PostgresConnectionError {
  constructor(db: DbTarget, during: string, detail: string, cause?: unknown) {
    super(
      'connection-lost',
      db,
      `Lost the connection to ${describeTarget(db)} during "${during}": ${detail}`,
      'The network or the database server went away. Check both (is the server up, did it restart?), then `replica-desk runs resume RUN_ID`.',
      { cause },
    );
  }
}

const CONNECTION_LOSS = /Connection terminated|ECONNRESET|EPIPE|ECONNREFUSED|ETIMEDOUT|socket hang up|connection error|terminating connection|server closed the connection|Client was closed|not queryable/i;
const CONNECTION_LOSS_CODES = new Set(['57P01', '57P02', '57P03', '08000', '08003', '08006']);

/** Whether an unclassified error from pg means the connection itself is gone. */
export function isConnectionLoss(error: unknown): boolean {
  if (!(error instanceof Error) || error instanceof ReplicaDeskError) return false;
  const code = (error as { code?: string }).code;
  return (code !== undefined && CONNECTION_LOSS_CODES.has(code)) || CONNECTION_LOSS.test(error.message);
}
