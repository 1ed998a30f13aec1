// Step "swap" of a side-by-side restore, the only downtime: with the replica stopped (proved
// again right here), its schema becomes the kept `<schema>__rd_prev_<tag>` and the shadow
// `<schema>__rd_new` becomes `<schema>`, in one short transaction that also carries over
// what is attached to the old schema by OID (coremedia/replicaSwap.ts → postgres/schemaSwap.ts).
// A swap whose commit landed just before an interruption is recognised on resume and not done twice.
import { keptSchemaBytes } from '../../coremedia/keptSchemas';
import { swapInReplicaShadow } from '../../coremedia/replicaSwap';
import { quoteIdent, schemaExists } from '../../postgres/catalog';
import { runTag, shadowSchemaName } from '../sideBySideNames';
import { requireReplica, type StepImplementation } from '../stepContext';
import { guardedReplicaClient } from './replicaDatabase';

export interface SwapNames {
  schema: string;
  shadow: string;
  /** Where the current schema goes; null when the replica has no schema yet (nothing to keep). */
  kept: string | null;
}

/** What the swap's transaction does, for the plan and --dry-run: its renames are exactly these. */
export function swapStatements(names: SwapNames, lockTimeoutMs: number): string[] {
  return [
    'BEGIN',
    `SET LOCAL lock_timeout = '${Math.max(0, Math.round(lockTimeoutMs))}ms'`,
    `-- LOCK TABLE every table of ${quoteIdent(names.schema)} and ${quoteIdent(names.shadow)} IN ACCESS EXCLUSIVE MODE`,
    ...(names.kept ? [`ALTER SCHEMA ${quoteIdent(names.schema)} RENAME TO ${quoteIdent(names.kept)}`] : []),
    `ALTER SCHEMA ${quoteIdent(names.shadow)} RENAME TO ${quoteIdent(names.schema)}`,
    `-- carry the schema's grants, default privileges, comment and its objects' grants over to ${quoteIdent(names.schema)}`,
    'COMMIT',
  ];
}

export const swapStep: StepImplementation = async (ctx) => {
  const replica = requireReplica(ctx);
  const { client, expected } = await guardedReplicaClient(ctx, replica, { proveStopped: true });
  const schema = replica.db.schema;
  const shadow = shadowSchemaName(schema);
  const tag = runTag(ctx.runId);
  // Recorded before a swap of a replica that had no schema yet (there is no kept schema to tell by).
  const hadNoSchema = ((ctx.runCaptured().swapWithoutPrevious ?? {}) as Record<string, boolean>)[replica.name] === true;
  if (hadNoSchema && !(await schemaExists(client, shadow)) && (await schemaExists(client, schema))) {
    return { message: `Already swapped: ${schema} is the restored schema (there was no previous one)`, skipped: true, captured: { keptSchema: null } };
  }
  if (!(await schemaExists(client, schema))) ctx.captureRun({ swapWithoutPrevious: { [replica.name]: true } });
  const result = await swapInReplicaShadow(client, { schema, tag, expect: expected, lockTimeoutMs: ctx.timeouts.swap.lockTimeoutMs });
  const kept = result.setAside;
  // For the history: how much disk the kept schema holds (history/keptSchemaStore.ts).
  const keptBytes = kept ? await keptSchemaBytes(client, schema, kept) : null;
  const warnings = result.carriedOver.warnings.length ? ` (not carried over: ${result.carriedOver.warnings.join('; ')})` : '';
  if (result.alreadyDone) {
    return { message: `Already swapped: ${schema} is the restored schema${kept ? `; the previous one is kept as ${kept}` : ''}`, skipped: true, captured: { keptSchema: kept, keptBytes } };
  }
  return {
    message: kept
      ? `Swapped in ${result.elapsedMs} ms: ${schema} is now the restored schema; the previous one is kept as ${kept}${warnings}`
      : `${schema} did not exist; the restored schema took its name in ${result.elapsedMs} ms`,
    captured: { keptSchema: kept, keptBytes, swapMs: result.elapsedMs, carriedOver: result.carriedOver.statements.length },
  };
};
