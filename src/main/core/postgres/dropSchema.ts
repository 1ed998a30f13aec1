// The one destructive statement of a restore. Whatever the preflight proved about this
// target, the connection that drops is checked again here: a profile edited meanwhile, a
// DNS name that moved or a pooled connection must not turn a replica drop into a master drop.
import type { ClientBase } from 'pg';
import { ReplicaDeskError } from '../errors';
import { quoteIdent, schemaExists } from './catalog';
import { readClusterIdentity } from './clusterIdentity';

export class WrongTargetError extends ReplicaDeskError {
  constructor(
    readonly schema: string,
    readonly expected: { systemIdentifier: string; database: string },
    readonly actual: { systemIdentifier: string; database: string },
  ) {
    super(
      'wrong-target',
      `Refused to drop schema "${schema}": the connection reached database "${actual.database}" of cluster ${actual.systemIdentifier}, ` +
        `but the replica was checked as database "${expected.database}" of cluster ${expected.systemIdentifier}.`,
      'Nothing was dropped. The replica profile now points somewhere else than when it was checked (a changed host, port, database or DNS name). ' +
        'Check the replica profile (`replica-desk profiles list`), then start the restore again so the preflight runs anew.',
    );
  }
}

export class SchemaInUseError extends ReplicaDeskError {
  constructor(readonly schema: string, lockTimeoutMs: number, cause?: unknown) {
    super(
      'schema-in-use',
      `Could not drop schema "${schema}" within ${Math.round(lockTimeoutMs / 1000)} s: another session holds a lock on its tables.`,
      'Nothing was dropped. Something still uses the replica database, probably the replica server itself. Stop it, check that no session of its database user remains, then resume the run.',
      { cause },
    );
  }
}

export interface DropSchemaOptions {
  /** The cluster and database that the preflight identified as the replica's. */
  expect: { systemIdentifier: string; database: string };
  /** How long to wait for locks before giving up. Default 30 s. */
  lockTimeoutMs?: number;
  /** How long the drop may take once it has its locks. Default 10 min. */
  statementTimeoutMs?: number;
  /** Runs in the drop's transaction, after the identity check; throws to refuse the drop. */
  beforeDrop?: (client: ClientBase) => Promise<void>;
}

const LOCK_NOT_AVAILABLE = '55P03';
const QUERY_CANCELED = '57014';

export class DropTimedOutError extends ReplicaDeskError {
  constructor(readonly schema: string, statementTimeoutMs: number, cause?: unknown) {
    super(
      'drop-timeout',
      `Dropping schema "${schema}" did not finish within ${Math.round(statementTimeoutMs / 1000)} s; it was rolled back.`,
      'Nothing was dropped. The database server may be overloaded or its disk slow; check it, then resume the run.',
      { cause },
    );
  }
}

/** Drops `schema` with everything in it; resolves whether it existed. */
export async function dropSchema(client: ClientBase, schema: string, options: DropSchemaOptions): Promise<boolean> {
  const lockTimeoutMs = options.lockTimeoutMs ?? 30_000;
  const statementTimeoutMs = options.statementTimeoutMs ?? 10 * 60_000;
  await client.query('BEGIN');
  try {
    const actual = await readClusterIdentity(client);
    if (actual.systemIdentifier !== options.expect.systemIdentifier || actual.database !== options.expect.database) {
      throw new WrongTargetError(schema, options.expect, { systemIdentifier: actual.systemIdentifier, database: actual.database });
    }
    // A waiting DROP would queue every later query on those tables behind it, so it waits a bounded time.
    await client.query(`SELECT pg_catalog.set_config('lock_timeout', $1, true), pg_catalog.set_config('statement_timeout', $2, true)`, [`${lockTimeoutMs}ms`, `${statementTimeoutMs}ms`]);
    const existed = await schemaExists(client, schema);
    if (existed && options.beforeDrop) await options.beforeDrop(client);
    await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    await client.query('COMMIT');
    return existed;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    if ((error as { code?: string }).code === LOCK_NOT_AVAILABLE) throw new SchemaInUseError(schema, lockTimeoutMs, error);
    if ((error as { code?: string }).code === QUERY_CANCELED) throw new DropTimedOutError(schema, statementTimeoutMs, error);
    throw error;
  }
}
