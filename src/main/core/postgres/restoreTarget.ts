// The replica side of a restore: whether the target schema may be restored into, the SQL
// that opens and closes the restore's one transaction, and the check inside it that proves
// nothing outside the target schema was created, changed or referenced. A failed check
// raises an error, psql stops, and the whole transaction rolls back.
import type { ClientBase } from 'pg';
import { ReplicaDeskError } from '../errors';
import { quoteIdent } from './catalog';
import { describeTarget, type DbTarget } from './connectionErrors';
import { dollarQuote } from './dollarQuote';

export class TargetSchemaExistsError extends ReplicaDeskError {
  constructor(db: DbTarget, readonly schema: string, reason: 'not-empty' | 'other-owner') {
    super(
      'target-schema-exists',
      reason === 'not-empty'
        ? `Schema "${schema}" already exists in ${describeTarget(db)} and is not empty; a restore never writes into an existing schema.`
        : `Schema "${schema}" exists in ${describeTarget(db)} but is owned by another role than "${db.user}".`,
      reason === 'not-empty'
        ? 'Drop the replica schema first (the restore run does this in its drop step after your confirmation), then resume the run.'
        : `Ask the DBA to drop the schema, or to give it to the replica's role: ALTER SCHEMA ${quoteIdent(schema)} OWNER TO ${quoteIdent(db.user)};`,
    );
  }
}

export class SchemaCreateDeniedError extends ReplicaDeskError {
  constructor(db: DbTarget, readonly schema: string) {
    super(
      'schema-create-denied',
      `User "${db.user}" may not create schema "${schema}" in ${describeTarget(db)} (no CREATE privilege on the database).`,
      `Ask the DBA either to allow it: GRANT CREATE ON DATABASE ${quoteIdent(db.database)} TO ${quoteIdent(db.user)}; ` +
        `or to create the schema empty for the replica: CREATE SCHEMA ${quoteIdent(schema)} AUTHORIZATION ${quoteIdent(db.user)}; then resume the run.`,
    );
  }
}

export interface RestoreTargetState {
  /** True when the schema is absent and the restore creates it; false when it exists empty. */
  createSchema: boolean;
  serverVersionNum: number;
}

/**
 * Decides how to restore into `schema` as the connected (replica) user: create it when it is
 * absent, or fill it when it exists empty and belongs to this user (a DBA may have recreated
 * it so, where the role may not create schemas). Anything else is refused.
 */
export async function inspectRestoreTarget(client: ClientBase, db: DbTarget, schema: string): Promise<RestoreTargetState> {
  const { rows } = await client.query<{ version: number; can_create: boolean; nsp: string | null; owned: boolean | null; has_objects: boolean | null }>(
    `SELECT current_setting('server_version_num')::int AS version,
            has_database_privilege(current_database(), 'CREATE') AS can_create,
            n.oid::text AS nsp,
            n.nspowner = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user) AS owned,
            EXISTS (SELECT 1 FROM pg_catalog.pg_class WHERE relnamespace = n.oid)
              OR EXISTS (SELECT 1 FROM pg_catalog.pg_proc WHERE pronamespace = n.oid)
              OR EXISTS (SELECT 1 FROM pg_catalog.pg_type WHERE typnamespace = n.oid)
              OR EXISTS (SELECT 1 FROM pg_catalog.pg_depend WHERE refclassid = 'pg_catalog.pg_namespace'::regclass AND refobjid = n.oid) AS has_objects
       FROM (SELECT 1) AS one LEFT JOIN pg_catalog.pg_namespace n ON n.nspname = $1`,
    [schema],
  );
  const row = rows[0];
  if (!row) throw new Error('the target inspection returned no row');
  if (row.nsp === null) {
    if (!row.can_create) throw new SchemaCreateDeniedError(db, schema);
    return { createSchema: true, serverVersionNum: row.version };
  }
  if (row.has_objects) throw new TargetSchemaExistsError(db, schema, 'not-empty');
  if (!row.owned) throw new TargetSchemaExistsError(db, schema, 'other-owner');
  return { createSchema: false, serverVersionNum: row.version };
}

/**
 * For a preflight: after its schema is dropped, may this (replica) user create it again?
 * In a shared database a CoreMedia role usually owns its schema but may not create one.
 */
export async function requireSchemaRecreatable(client: ClientBase, db: DbTarget, schema: string): Promise<void> {
  const { rows } = await client.query<{ ok: boolean }>(`SELECT has_database_privilege(current_database(), 'CREATE') AS ok`);
  if (!rows[0]?.ok) throw new SchemaCreateDeniedError(db, schema);
}

/** A literal that reads the same whatever standard_conforming_strings the script left set. */
const escapeLiteral = (text: string): string => `E'${text.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;

export function restorePrologue(schema: string, state: RestoreTargetState): string {
  return `BEGIN;\n${state.createSchema ? `CREATE SCHEMA ${quoteIdent(schema)};\n` : ''}`;
}

export const VERIFICATION_FAILED_PREFIX = 'replica-desk verification failed';

/**
 * Runs last, inside the transaction. Catalog rows this transaction wrote carry its xid in
 * xmin, so the check sees exactly what the restore did: every dependency it recorded, every
 * relation it created or altered, every schema it created.
 */
export function restoreEpilogue(source: string, target: string): string {
  // With equal names (another database or cluster) every reference is a reference to the target.
  const sameName = source === target;
  const block = `
DECLARE
  xact xid := (pg_catalog.txid_current() % 4294967296)::text::xid;
  target_nsp oid := (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = ${escapeLiteral(target)});
  problem text;
BEGIN
  SELECT string_agg(d, '; ') INTO problem FROM (
    SELECT DISTINCT pg_catalog.pg_describe_object(dep.classid, dep.objid, dep.objsubid) || ' -> ' ||
           pg_catalog.pg_describe_object(dep.refclassid, dep.refobjid, dep.refobjsubid) AS d
      FROM pg_catalog.pg_depend dep
      CROSS JOIN LATERAL pg_catalog.pg_identify_object(dep.refclassid, dep.refobjid, dep.refobjsubid) ref
     WHERE dep.xmin = xact
       AND (${sameName ? 'false' : `ref.schema = ${escapeLiteral(source)}`}
            OR (dep.refclassid = 'pg_catalog.pg_namespace'::regclass AND dep.refobjid <> target_nsp))
     LIMIT 10) AS found;
  IF problem IS NOT NULL THEN
    RAISE EXCEPTION '${VERIFICATION_FAILED_PREFIX}: the restore created objects outside schema % or depending on schema %: %',
      ${escapeLiteral(target)}, ${escapeLiteral(source)}, problem;
  END IF;
  SELECT string_agg(d, '; ') INTO problem FROM (
    SELECT c.oid::regclass::text AS d FROM pg_catalog.pg_class c
     WHERE c.xmin = xact AND c.relnamespace NOT IN (target_nsp, 'pg_toast'::regnamespace)
    UNION
    SELECT 'schema ' || n.nspname FROM pg_catalog.pg_namespace n WHERE n.xmin = xact AND n.oid <> target_nsp
    LIMIT 10) AS found;
  IF problem IS NOT NULL THEN
    RAISE EXCEPTION '${VERIFICATION_FAILED_PREFIX}: the restore changed objects outside schema %: %', ${escapeLiteral(target)}, problem;
  END IF;
END
`;
  return `
DO ${dollarQuote(block)};
COMMIT;
`;
}

/**
 * Ends the server sessions of a restore whose psql was killed, so its transaction rolls
 * back now rather than when the server next notices the closed socket.
 */
export async function endRestoreSessions(client: ClientBase, applicationName: string, waitMs = 5_000): Promise<void> {
  const stopAt = Date.now() + waitMs;
  for (;;) {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(pg_catalog.pg_terminate_backend(pid))::int AS n FROM pg_catalog.pg_stat_activity
        WHERE application_name = $1 AND usename = current_user AND pid <> pg_catalog.pg_backend_pid()`,
      [applicationName],
    );
    if ((rows[0]?.n ?? 0) === 0 || Date.now() >= stopAt) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
