// Opens a pg client the way libpq would for the same settings: sslmode with libpq's
// meaning (including the allow/prefer fallbacks that pg itself does not do), the root
// certificate where libpq looks for it, and a deadline that holds even when a server
// accepts the TCP connection and then never answers. Errors leave here classified.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isIP, type Socket } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import type { PasswordSource } from '../../../shared/api';
import type { Server, ServerRef } from '../../../shared/profiles';
import type { Secret } from '../secrets/secret';
import {
  ConnectionTimeoutError,
  MissingPasswordError,
  type DbTarget,
  classifyConnectionError,
  isPlainRejectedByHba,
  isServerWithoutTls,
  isTlsRejectedByHba,
} from './connectionErrors';
import { negotiateSsl } from './sslNegotiation';

/** What a connection needs; a profile's `server.db` is one. */
export type DbSettings = Pick<Server['db'], 'host' | 'port' | 'database' | 'user' | 'sslmode'> & {
  /**
   * Where to open the TCP connection when it is not `host:port`: a run's local SSH forward
   * (tunnels/). `host` then still names the server for TLS verification, pgpass and messages.
   */
  connectTo?: { host: string; port: number };
};

/** The address a connection to `db` dials. */
export const dialAddress = (db: DbSettings): { host: string; port: number } => db.connectTo ?? { host: db.host, port: db.port };
export type SslMode = NonNullable<Server['db']['sslmode']>;

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/**
 * TCP keepalive for every pg client: after 10 s of silence the OS probes the peer (Node's
 * libuv then probes every second, 10 times), so an idle connection to a vanished server
 * fails instead of hanging for the OS default of two hours. It does not help while a
 * query waits for an answer, nor when a proxy or NAT keeps answering for a frozen peer:
 * queryTimeoutMs bounds those.
 */
export const PG_KEEPALIVE_INITIAL_DELAY_MS = 10_000;

export interface OpenClientOptions {
  /** Bounds the whole connect, including an allow/prefer retry. Default 10 s. */
  timeoutMs?: number;
  applicationName?: string;
  /**
   * Sets the server's statement_timeout and pg's client-side query_timeout. Probes pass
   * a few seconds; long work (restores) leaves it unset, which means no limit.
   */
  statementTimeoutMs?: number;
  /**
   * A client-side bound on every query of this client, without a server statement_timeout:
   * for long-lived clients (a run's) whose statements set their own server-side timeouts
   * (the fix-ups, the drop) but must never wait forever on a connection that froze. Only
   * the client knows its answer is not coming, so the limit lives here; the server would
   * happily wait for input that a frozen network never delivers. Pick it above the longest
   * server-side timeout the client's statements use, so those report first and precisely.
   * When it fires the query rejects with ConnectionTimeoutError (code 'timeout', phase
   * 'query') and the client is ended: the protocol state is unknown, pg would otherwise
   * queue every later query behind the unanswered one, and a closed socket makes the server
   * roll back the session's open transaction. It replaces the client-side part of
   * statementTimeoutMs when both are given.
   */
  queryTimeoutMs?: number;
  /** Only improves hints (e.g. which `secrets set` command to run). */
  ref?: ServerRef;
  passwordSource?: PasswordSource;
  /** Where PGSSLROOTCERT is looked up for verify-ca/verify-full. Default process.env. */
  env?: NodeJS.ProcessEnv;
}

/** `negotiate`: TLS if the server offers it, else plain text on the same connection (prefer). */
type Transport = { tls: false } | { tls: true; verify: 'none' | 'ca' | 'full' } | { tls: 'negotiate' };

/** The attempts libpq makes for each sslmode, in order. */
function transportsFor(mode: SslMode): Transport[] {
  switch (mode) {
    case 'disable':
      return [{ tls: false }];
    case 'allow':
      return [{ tls: false }, { tls: true, verify: 'none' }];
    case 'prefer':
      // A server without TLS answers SSLRequest with 'N' and the same connection goes on in
      // plain text; only a TLS connection that pg_hba.conf refuses costs a second one.
      return [{ tls: 'negotiate' }, { tls: false }];
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
  if (transport.tls === 'negotiate' || transport.verify === 'none') return { rejectUnauthorized: false };
  const ca = rootCertificate(env);
  const options: ConnectionOptions = { rejectUnauthorized: true, ...(ca ? { ca } : {}) };
  // verify-ca trusts any certificate the CA signed, whatever host name it carries.
  if (transport.verify === 'ca') options.checkServerIdentity = () => undefined;
  return options;
}

/** Whether libpq would try the next transport after this failure. */
function shouldFallBack(error: unknown, tried: Transport): boolean {
  // After 'N' the negotiated connection was plain, and an hba refusal names "no encryption".
  if (tried.tls === 'negotiate') return isTlsRejectedByHba(error);
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
  const queryTimeoutMs = options.queryTimeoutMs ?? (options.statementTimeoutMs ? options.statementTimeoutMs + 1_000 : undefined);
  const plainSsl = sslOption(transport, options.env ?? process.env);
  // Through a forward, pg dials 127.0.0.1: the certificate must still match the server's name.
  const ssl = plainSsl && db.connectTo && isIP(db.host) === 0 ? { ...plainSsl, servername: db.host } : plainSsl;
  const makeClient = (stream?: () => Socket): pg.Client => {
    const client = new pg.Client({
      host: dialAddress(db).host,
      port: dialAddress(db).port,
      database: db.database,
      user: db.user,
      // With no password pg would read PGPASSWORD and ~/.pgpass on its own; the caller has
      // already looked where we look, so a server asking for one gets a clear error instead.
      password: password
        ? password.reveal()
        : () => {
            throw new MissingPasswordError(db, options.ref);
          },
      // A negotiated stream is already TLS or deliberately plain: pg must not ask again.
      ssl: stream ? false : ssl,
      ...(stream ? { stream } : {}),
      application_name: options.applicationName ?? 'replica-desk',
      connectionTimeoutMillis: Math.max(1, remainingMs),
      // A negotiated stream got its keepalive on the TCP socket, beneath any TLS.
      keepAlive: !stream,
      keepAliveInitialDelayMillis: PG_KEEPALIVE_INITIAL_DELAY_MS,
      ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
      ...(queryTimeoutMs ? { query_timeout: queryTimeoutMs } : {}),
    });
    // An idle client whose server goes away emits 'error'; unhandled, that kills the process.
    // The next query on it fails with its own error, which is where callers look.
    client.on('error', () => undefined);
    if (queryTimeoutMs) boundQueries(client, db, queryTimeoutMs);
    return client;
  };

  let client: pg.Client | undefined;
  const gaveUp = new AbortController();
  let guard: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    // pg's own timer covers the socket; this one also covers the SSL negotiation, a stuck TLS
    // handshake or password callback. It fires a little later so pg can clean up first.
    guard = setTimeout(() => {
      const error = new ConnectionTimeoutError(db, options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, 'connect');
      gaveUp.abort(error);
      client?.end().catch(() => undefined);
      reject(error);
    }, remainingMs + 250);
  });
  const connecting = (async () => {
    if (transport.tls === 'negotiate') {
      const negotiated = await negotiateSsl({
        ...dialAddress(db),
        ...(db.connectTo ? { serverName: db.host } : {}),
        tls: ssl || {},
        keepAliveInitialDelayMs: PG_KEEPALIVE_INITIAL_DELAY_MS,
        signal: gaveUp.signal,
      });
      client = makeClient(() => negotiated.stream);
    } else {
      client = makeClient();
    }
    if (gaveUp.signal.aborted) throw gaveUp.signal.reason;
    await client.connect();
    return client;
  })();
  connecting.catch(() => undefined);
  try {
    return await Promise.race([connecting, deadline]);
  } catch (error) {
    gaveUp.abort(error);
    client?.end().catch(() => undefined);
    throw error;
  } finally {
    clearTimeout(guard);
  }
}

const isQueryReadTimeout = (error: unknown): boolean => error instanceof Error && error.message === 'Query read timeout';

/**
 * Makes pg's client-side query_timeout (set on `client`) end the client and reject with a
 * typed error (see OpenClientOptions.queryTimeoutMs). Wraps the instance's query(): pg offers no
 * hook for its timeout, and callers keep the plain pg.Client type.
 */
function boundQueries(client: pg.Client, db: DbTarget, timeoutMs: number): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const bounded = (...args: unknown[]): unknown => {
    const result = query(...args);
    if (!(result instanceof Promise)) return result;
    return result.catch((error: unknown) => {
      if (!isQueryReadTimeout(error)) throw error;
      // With the timed-out query still active, end() destroys the socket instead of waiting on it.
      void client.end().catch(() => undefined);
      throw new ConnectionTimeoutError(db, timeoutMs, 'query', error);
    });
  };
  client.query = bounded as typeof client.query;
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
      tlsAttempted ||= transport.tls !== false;
    }
  }
  throw classifyConnectionError(lastError, db, {
    ref: options.ref,
    passwordSource: options.passwordSource,
    timeoutMs,
    tlsAttempted,
  });
}
