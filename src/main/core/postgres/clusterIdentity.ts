// Which cluster and database a connection really reached. Host names cannot tell: one
// server answers to 127.0.0.1, localhost, a DNS alias and a Unix socket alike. The
// system identifier written by initdb can, and pg_control_system() hands it to ordinary
// users (PostgreSQL 10 and later; checked with a plain LOGIN role on 15).
import type { ClientBase } from 'pg';
import { ReplicaDeskError } from '../errors';

export interface ClusterIdentity {
  /** pg_control_system().system_identifier: a 64-bit number, kept as a string. */
  systemIdentifier: string;
  database: string;
  /** e.g. 150004 */
  serverVersionNum: number;
  /** e.g. 15; 9.6 for the old two-part numbering. */
  serverMajor: number;
}

/** What names one schema wherever it is reached from. */
export interface SchemaIdentity {
  systemIdentifier: string;
  database: string;
  schema: string;
}

export class ClusterIdentityUnavailableError extends ReplicaDeskError {
  constructor(reason: 'old-server' | 'no-privilege', user: string, cause?: unknown) {
    super(
      'cluster-identity-unavailable',
      reason === 'old-server'
        ? 'The server is older than PostgreSQL 10, so it cannot say which cluster it is (pg_control_system() is missing).'
        : `User "${user}" may not call pg_control_system(), so Replica Desk cannot tell which cluster this is.`,
      reason === 'old-server'
        ? 'Replica Desk needs PostgreSQL 10 or later to prove that a replica is not the master. Upgrade the server.'
        : `Ask the DBA to run: GRANT EXECUTE ON FUNCTION pg_catalog.pg_control_system() TO "${user}";`,
      { cause },
    );
  }
}

/** 150004 → 15; 90624 → 9.6 */
export function majorOf(serverVersionNum: number): number {
  if (serverVersionNum >= 100_000) return Math.floor(serverVersionNum / 10_000);
  return Math.floor(serverVersionNum / 10_000) + (Math.floor(serverVersionNum / 100) % 100) / 10;
}

export async function readClusterIdentity(client: ClientBase): Promise<ClusterIdentity> {
  const version = await client.query<{ num: string; usr: string }>(
    `SELECT current_setting('server_version_num') AS num, current_user AS usr`,
  );
  const serverVersionNum = Number(version.rows[0]?.num);
  const user = version.rows[0]?.usr ?? '';
  if (serverVersionNum < 100_000) throw new ClusterIdentityUnavailableError('old-server', user);
  try {
    const result = await client.query<{ sysid: string; db: string }>(
      `SELECT system_identifier::text AS sysid, current_database() AS db FROM pg_catalog.pg_control_system()`,
    );
    const row = result.rows[0];
    if (!row) throw new Error('pg_control_system() returned no row');
    return { systemIdentifier: row.sysid, database: row.db, serverVersionNum, serverMajor: majorOf(serverVersionNum) };
  } catch (error) {
    if ((error as { code?: string }).code === '42501') throw new ClusterIdentityUnavailableError('no-privilege', user, error);
    throw error;
  }
}

/**
 * Whether two references reach the same schema. A physical standby, or a cluster copied
 * from another's base backup, shares its system identifier, so such a pair counts as the
 * same: a false alarm is the safe way to be wrong here.
 */
export function sameSchema(a: SchemaIdentity, b: SchemaIdentity): boolean {
  return a.systemIdentifier === b.systemIdentifier && a.database === b.database && a.schema === b.schema;
}

/** Tables with their indexes and TOAST, in bytes: what a dump of the schema is at most about. */
export async function schemaSizeBytes(client: ClientBase, schema: string): Promise<number> {
  const result = await client.query<{ bytes: string }>(
    `SELECT coalesce(sum(pg_catalog.pg_total_relation_size(c.oid)), 0)::text AS bytes
       FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'm')`,
    [schema],
  );
  return Number(result.rows[0]?.bytes ?? 0);
}

export async function countTables(client: ClientBase, schema: string): Promise<number> {
  const result = await client.query<{ n: string }>(
    `SELECT count(*)::text AS n
       FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')`,
    [schema],
  );
  return Number(result.rows[0]?.n ?? 0);
}
