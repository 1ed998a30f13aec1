// Opens a pg client the way libpq would for the same settings: sslmode with libpq's
// meaning (including the allow/prefer fallbacks that pg itself does not do), the root
// certificate where libpq looks for it, and a deadline that holds even when a server
// accepts the TCP connection and then never answers. Errors leave here classified.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import type { PasswordSource } from '../../../shared/api';
import type { Server, ServerRef } from '../../../shared/profiles';
import type { Secret } from '../secrets/secret';
import {
  ConnectionTimeoutError,
  MissingPasswordError,
  classifyConnectionError,
  isPlainRejectedByHba,
  isServerWithoutTls,
  isTlsRejectedByHba,
} from './connectionErrors';

/** What a connection needs; a profile's `server.db` is one. */
export type DbSettings = Pick<Server['db'], 'host' | 'port' | 'database' | 'user' | 'sslmode'>;
export type SslMode = NonNullable<Server['db']['sslmode']>;

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export interface OpenClientOptions {
  /** Bounds the whole connect, including an allow/prefer retry. Default 10 s. */
  timeoutMs?: number;
  applicationName?: string;
  /**
   * Sets the server's statement_timeout and pg's client-side query_timeout. Probes pass
   * a few seconds; long work (restores) leaves it unset, which means no limit.
   */
  statementTimeoutMs?: number;
  /** Only improves hints (e.g. which `secrets set` command to run). */
  ref?: ServerRef;
  passwordSource?: PasswordSource;
  /** Where PGSSLROOTCERT is looked up for verify-ca/verify-full. Default process.env. */
  env?: NodeJS.ProcessEnv;
}

type Transport = { tls: false } | { tls: true; verify: 'none' | 'ca' | 'full' };

/** The attempts libpq makes for each sslmode, in order. */
function transportsFor(mode: SslMode): Transport[] {
  switch (mode) {
    case 'disable':
      return [{ tls: false }];
    case 'allow':
      return [{ tls: false }, { tls: true, verify: 'none' }];
    case 'prefer':
      return [{ tls: true, verify: 'none' }, { tls: false }];
    case 'require':
      return [{ tls: true, verify: 'none' }];
    case 'verify-ca':
      return [{ tls: true, verify: 'ca' }];
    case 'verify-full':
      return [{ tls: true, verify: 'full' }];
  }
}

// libpq reads the CA from sslrootcert, PGSSLROOTCERT or ~/.postgresql/root.crt. Without
// one of those Node's bundled CAs apply, which suits servers with a public certificate.
function rootCertificate(env: NodeJS.ProcessEnv): string | undefined {
  const file = env.PGSSLROOTCERT || join(env.HOME || homedir(), '.postgresql', 'root.crt');
  if (file === 'system' || !existsSync(file)) return undefined;
  return readFileSync(file, 'utf8');
}

function sslOption(transport: Transport, env: NodeJS.ProcessEnv): false | ConnectionOptions {
  if (!transport.tls) return false;
  if (transport.verify === 'none') return { rejectUnauthorized: false };
  const ca = rootCertificate(env);
  const options: ConnectionOptions = { rejectUnauthorized: true, ...(ca ? { ca } : {}) };
  // verify-ca trusts any certificate the CA signed, whatever host name it carries.
  if (transport.verify === 'ca') options.checkServerIdentity = () => undefined;
  return options;
}

/** Whether libpq would try the next transport after this failure. */
function shouldFallBack(error: unknown, tried: Transport): boolean {
  if (tried.tls) return isServerWithoutTls(error) || isTlsRejectedByHba(error);
  return isPlainRejectedByHba(error);
}

async function connectOnce(
  db: DbSettings,
  password: Secret | null,
  transport: Transport,
  remainingMs: number,
  options: OpenClientOptions,
): Promise<pg.Client> {
  const client = new pg.Client({
    host: db.host,
    port: db.port,
    database: db.database,
    user: db.user,
    // With no password pg would read PGPASSWORD and ~/.pgpass on its own; the caller has
    // already looked where we look, so a server asking for one gets a clear error instead.
    password: password
      ? password.reveal()
      : () => {
          throw new MissingPasswordError(db, options.ref);
        },
    ssl: sslOption(transport, options.env ?? process.env),
    application_name: options.applicationName ?? 'replica-desk',
    connectionTimeoutMillis: Math.max(1, remainingMs),
    ...(options.statementTimeoutMs
      ? { statement_timeout: options.statementTimeoutMs, query_timeout: options.statementTimeoutMs + 1_000 }
      : {}),
  });
  // An idle client whose server goes away emits 'error'; unhandled, that kills the process.
  // The next query on it fails with its own error, which is where callers look.
  client.on('error', () => undefined);

  let guard: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    // pg's own timer covers the socket; this one also covers a stuck TLS handshake or
    // password callback. It fires a little later so pg can clean up first.
    guard = setTimeout(() => {
      client.end().catch(() => undefined);
      reject(new ConnectionTimeoutError(db, options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, 'connect'));
    }, remainingMs + 250);
  });
  try {
    await Promise.race([client.connect(), deadline]);
    return client;
  } catch (error) {
    client.end().catch(() => undefined);
    throw error;
  } finally {
    clearTimeout(guard);
  }
}

/**
 * Connects to `db` with libpq's sslmode semantics. The password goes only into pg's
 * `password` option. Rejects with a classified ReplicaDeskError (see connectionErrors.ts).
 * The caller must `end()` the client.
 */
export async function openClient(
  db: DbSettings,
  password: Secret | null,
  options: OpenClientOptions = {},
): Promise<pg.Client> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const stopAt = Date.now() + timeoutMs;
  const transports = transportsFor(db.sslmode ?? 'prefer');
  let lastError: unknown;
  let tlsAttempted = false;
  for (const [i, transport] of transports.entries()) {
    const remainingMs = stopAt - Date.now();
    if (remainingMs <= 0) throw new ConnectionTimeoutError(db, timeoutMs, 'connect');
    try {
      return await connectOnce(db, password, transport, remainingMs, options);
    } catch (error) {
      lastError = error;
      const last = i === transports.length - 1;
      if (last || !shouldFallBack(error, transport)) break;
      tlsAttempted ||= transport.tls;
    }
  }
  throw classifyConnectionError(lastError, db, {
    ref: options.ref,
    passwordSource: options.passwordSource,
    timeoutMs,
    tlsAttempted,
  });
}
