// "Test connection" for one server: find its password where the admin keeps it, connect
// as the content server would, and report what the admin needs to trust the profile —
// server version, whether the schema is there, which kind of content server the schema
// belongs to, and whether the connection is encrypted. A missing schema is a finding of the report, not a failure.
// A database behind an SSH tunnel is reached through it, and the report (or the error's
// payload) says how each hop did: the host key it presented and how long it took, or that
// it failed and why, or that it was never tried.
import type pg from 'pg';
import type { ConnectionReport } from '../../../shared/api';
import { formatServerRef, type Server, type ServerRef } from '../../../shared/profiles';
import { ReplicaDeskError } from '../errors';
import type { Logger } from '../logging/logger';
import { withDeadline } from '../topology/deadline';
import type { LocalForward } from '../tunnels/localForward';
import { hopSecretLookup, type HopSecretLookup } from '../tunnels/hopSecrets';
import { openProbePool, type RouteContextSource } from '../tunnels/probePool';
import { routeContextFor } from '../tunnels/sshConfig';
import { RouteAttempt } from '../tunnels/routeAttempt';
import { RouteAttemptError } from '../tunnels/routeAttemptError';
import { dbRouteOf } from '../tunnels/sshRoute';
import type { TunnelPool } from '../tunnels/tunnelPool';
import { resolveDbPassword } from '../secrets/dbPassword';
import type { EndpointBoundSecretStore } from '../secrets/endpointBoundSecretStore';
import { qualified, resolveTableName, schemaExists } from './catalog';
import { DEFAULT_CONNECT_TIMEOUT_MS, openClient } from './connect';
import { ConnectionTimeoutError, classifyConnectionError } from './connectionErrors';
import { connectionEncryption } from './connectionEncryption';

export interface ConnectionTestOptions {
  /** Bounds opening the SSH route (all hops), the connect and each probe query. Default 10 s. */
  timeoutMs?: number;
  /** Hop secrets; default the keychain's (hopSecretLookup over secretStore). */
  hopSecrets?: HopSecretLookup;
  /** ~/.ssh/config for aliases. */
  routeContext?: RouteContextSource;
}

/** `repository_server_type` from the schema's system table; null when table or row is missing. */
export async function readRepositoryServerType(client: pg.ClientBase, schema: string): Promise<string | null> {
  const table = await resolveTableName(client, schema, 'system');
  if (!table) return null;
  const result = await client.query<{ content: string | null }>(
    `SELECT content FROM ${qualified(schema, table)} WHERE property = 'repository_server_type' LIMIT 1`,
  );
  return result.rows[0]?.content ?? null;
}

export async function testServerConnection(
  server: Server,
  ref: ServerRef,
  secretStore: EndpointBoundSecretStore,
  env: NodeJS.ProcessEnv,
  log: Logger,
  options: ConnectionTestOptions = {},
): Promise<ConnectionReport> {
  const started = performance.now();
  const { db } = server;
  const timeoutMs = options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const where = { host: db.host, port: db.port, database: db.database, user: db.user, schema: db.schema, sslmode: db.sslmode ?? 'prefer' };
  let client: pg.Client | undefined;
  let passwordSource: ConnectionReport['passwordSource'] = 'none';
  let pool: TunnelPool | undefined;
  let attempt: RouteAttempt | undefined;
  let forward: LocalForward | undefined;
  try {
    const route = db.tunnel ? dbRouteOf(server, await (options.routeContext ?? routeContextFor)(env)) : null;
    if (route) {
      pool = openProbePool({ env, hopSecrets: options.hopSecrets ?? hopSecretLookup(secretStore), readyTimeoutMs: timeoutMs });
      const routeAttempt = (attempt = new RouteAttempt(route));
      const giveUp = new AbortController();
      forward = await withDeadline(
        attempt.open(pool, ref, { signal: giveUp.signal }),
        timeoutMs,
        () => routeAttempt.giveUp(timeoutMs) ?? new ConnectionTimeoutError(db, timeoutMs, 'connect'),
        () => giveUp.abort(),
      );
    }
    const password = await resolveDbPassword(secretStore, ref, db, env);
    passwordSource = password.source;
    if (password.warning) log.warn(`connection test ${formatServerRef(ref)}: ${password.warning}`);
    client = await openClient(forward ? { ...db, connectTo: { host: forward.host, port: forward.port } } : db, password.secret, {
      timeoutMs,
      statementTimeoutMs: timeoutMs,
      applicationName: 'replica-desk connection test',
      ref,
      passwordSource,
      env,
    });
    const version = await client.query<{ version: string; num: string }>(
      "SELECT current_setting('server_version') AS version, current_setting('server_version_num') AS num",
    );
    const exists = await schemaExists(client, db.schema);
    const report: ConnectionReport = {
      ref: { installation: ref.installation, server: ref.server },
      serverVersion: version.rows[0]?.version ?? '',
      serverVersionNum: Number(version.rows[0]?.num ?? 0),
      schema: db.schema,
      schemaExists: exists,
      repositoryServerType: exists ? await readRepositoryServerType(client, db.schema) : null,
      passwordSource,
      ...(password.warning ? { passwordWarning: password.warning } : {}),
      encryption: connectionEncryption(client),
      elapsedMs: Math.round(performance.now() - started),
      ...(attempt ? { route: (({ view, hops }) => ({ view, hops }))(attempt.outcome()) } : {}),
    };
    log.info(`connection test ${formatServerRef(ref)}: ok`, {
      ...where,
      serverVersion: report.serverVersion,
      schemaExists: report.schemaExists,
      repositoryServerType: report.repositoryServerType,
      passwordSource,
      encryption: report.encryption,
      elapsedMs: report.elapsedMs,
      ...(report.route ? { route: report.route.hops.map((h) => `${h.description} ${h.status} ${h.hostKeyFingerprint ?? ''}`.trim()) } : {}),
    });
    return report;
  } catch (error) {
    // Through a tunnel, "connection closed" may really be a dropped hop or a refused forward.
    const onRoute = attempt && pool && forward && !client ? attempt.failureOnRoute(pool, forward) : null;
    const classified =
      onRoute ?? (error instanceof ReplicaDeskError ? error : classifyConnectionError(error, db, { ref, passwordSource, timeoutMs }));
    log.warn(`connection test ${formatServerRef(ref)}: ${classified.code}`, {
      ...where,
      message: classified.message,
      passwordSource,
      elapsedMs: Math.round(performance.now() - started),
      ...(attempt ? { route: attempt.outcome().hops.map((h) => `${h.description} ${h.status}`) } : {}),
    });
    // The app shows each hop's outcome from the error's payload.
    throw attempt ? new RouteAttemptError(classified, attempt.outcome()) : classified;
  } finally {
    await client?.end().catch(() => undefined);
    await pool?.close();
  }
}
