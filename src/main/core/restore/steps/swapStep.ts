// Step "swap" of a side-by-side restore, the only downtime: with the replica stopped (proved
// again right here), its schema becomes the kept `<schema>__rd_prev_<tag>` and the shadow
// `<schema>__rd_new` becomes `<schema>`, both renames in one short transaction. A swap whose
// commit landed just before an interruption is recognised on resume and not done twice.
//
// swapSchemas() is deliberately tiny: the full swap (carrying the schema's ACL, default
// privileges and comment over to the new schema) is postgres/schemaSwap.ts, which replaces it.
import type pg from 'pg';
import { formatServerRef } from '../../../../shared/profiles';
import { ReplicaDeskError } from '../../errors';
import { quoteIdent, schemaExists } from '../../postgres/catalog';
import { readClusterIdentity } from '../../postgres/clusterIdentity';
import { WrongTargetError } from '../../postgres/dropSchema';
import { keptSchemaName, shadowSchemaName } from '../sideBySideNames';
import { requireReplica, type StepImplementation } from '../stepContext';
import { guardedReplicaClient, refuseMasterRepository } from './replicaDatabase';

const LOCK_NOT_AVAILABLE = '55P03';

export interface SwapNames {
  schema: string;
  shadow: string;
  /** Where the current schema goes; null when the replica has no schema yet (nothing to keep). */
  kept: string | null;
}

/** The swap's SQL, exactly as swapSchemas() sends it (the plan and --dry-run show it). */
export function swapStatements(names: SwapNames, lockTimeoutMs: number): string[] {
  return [
    'BEGIN',
    `SET LOCAL lock_timeout = '${Math.max(0, Math.round(lockTimeoutMs))}ms'`,
    ...(names.kept ? [`ALTER SCHEMA ${quoteIdent(names.schema)} RENAME TO ${quoteIdent(names.kept)}`] : []),
    `ALTER SCHEMA ${quoteIdent(names.shadow)} RENAME TO ${quoteIdent(names.schema)}`,
    'COMMIT',
  ];
}

export class SwapLockTimeoutError extends ReplicaDeskError {
  constructor(schema: string, lockTimeoutMs: number, cause: unknown) {
    super(
      'swap-lock-timeout',
      `Could not swap schema ${schema} within ${Math.round(lockTimeoutMs / 1000)} s: another session holds a lock on it or on its shadow; nothing was renamed.`,
      'Something still uses the replica database (a DBA session, a job). End it, then `replica-desk runs resume RUN_ID`; the replica is started again by the run meanwhile.',
      { cause },
    );
  }
}

/** The minimal swap: both renames in one transaction with a lock_timeout; rolls back on any error. */
export async function swapSchemas(client: pg.ClientBase, options: SwapNames & { lockTimeoutMs: number }): Promise<void> {
  const [begin, ...rest] = swapStatements(options, options.lockTimeoutMs);
  await client.query(begin!);
  try {
    for (const sql of rest) await client.query(sql);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    if ((error as { code?: string }).code === LOCK_NOT_AVAILABLE) throw new SwapLockTimeoutError(options.schema, options.lockTimeoutMs, error);
    throw error;
  }
}

class ShadowMissingError extends ReplicaDeskError {
  constructor(replica: string, shadow: string) {
    super('shadow-missing', `The shadow schema ${shadow} of ${replica} is not there, so there is nothing to swap in; the replica's schema was not touched.`, 'Resume the run: a resume after the shadow steps were put back builds the shadow again. If it was dropped by hand, start a new restore.');
  }
}

class KeptNameTakenError extends ReplicaDeskError {
  constructor(replica: string, kept: string) {
    super('kept-name-taken', `Schema ${kept} already exists beside ${replica}'s schema, so its current schema cannot be kept under that name; nothing was renamed.`, `Look at what ${kept} holds; rename or drop it by hand if it is not needed, then resume the run.`);
  }
}

export const swapStep: StepImplementation = async (ctx) => {
  const replica = requireReplica(ctx);
  const name = formatServerRef(ctx.resources.ref(replica));
  const { client, expected } = await guardedReplicaClient(ctx, replica, { proveStopped: true });
  const schema = replica.db.schema;
  const shadow = shadowSchemaName(schema);
  const kept = keptSchemaName(schema, ctx.runId);
  const identity = await readClusterIdentity(client);
  if (identity.systemIdentifier !== expected.systemIdentifier || identity.database !== expected.database) {
    throw new WrongTargetError(schema, expected, { systemIdentifier: identity.systemIdentifier, database: identity.database });
  }
  const [hasSchema, hasShadow, hasKept] = [await schemaExists(client, schema), await schemaExists(client, shadow), await schemaExists(client, kept)];
  // Recorded before a swap of a replica that had no schema yet (there is no kept schema to tell by).
  const hadNoSchema = ((ctx.runCaptured().swapWithoutPrevious ?? {}) as Record<string, boolean>)[replica.name] === true;
  // The commit landed before the step could record it: the swap is done.
  if (!hasShadow && hasSchema && hadNoSchema) return { message: `Already swapped: ${schema} is the restored schema (there was no previous one)`, skipped: true, captured: { keptSchema: null } };
  if (!hasShadow && hasSchema && hasKept) return { message: `Already swapped: ${schema} is the restored schema; the previous one is kept as ${kept}`, skipped: true, captured: { keptSchema: kept } };
  if (!hasShadow) throw new ShadowMissingError(name, shadow);
  if (hasKept) throw new KeptNameTakenError(name, kept);
  // A schema that calls itself a publication server is a master's: never swapped away.
  if (hasSchema) await refuseMasterRepository(ctx, replica)(client);
  if (!hasSchema) ctx.captureRun({ swapWithoutPrevious: { [replica.name]: true } });
  const started = Date.now();
  await swapSchemas(client, { schema, shadow, kept: hasSchema ? kept : null, lockTimeoutMs: ctx.timeouts.swap.lockTimeoutMs });
  return {
    message: hasSchema
      ? `Swapped in ${Date.now() - started} ms: ${schema} is now the restored schema; the previous one is kept as ${kept}`
      : `${schema} did not exist; the restored schema took its name in ${Date.now() - started} ms`,
    captured: { keptSchema: hasSchema ? kept : null, swapMs: Date.now() - started },
  };
};
