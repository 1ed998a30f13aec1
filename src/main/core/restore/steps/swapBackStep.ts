// Step "swap-back" of a rollback, its only change: with the replica stopped (proved again right
// here), the restored schema becomes `<schema>__rd_undone_<tag>` and the previous one
// `<schema>__rd_prev_<tag>` takes the name back, in one short transaction with a lock_timeout
// (coremedia/replicaSwap.ts → postgres/schemaSwap.ts). <tag> is the rolled-back run's. A swap
// back whose commit landed just before an interruption is recognised on resume, not redone.
import { keptSchemaBytes } from '../../coremedia/keptSchemas';
import { swapBackReplica } from '../../coremedia/replicaSwap';
import { runTag } from '../sideBySideNames';
import { requireReplica, type StepImplementation } from '../stepContext';
import { guardedReplicaClient } from './replicaDatabase';

export const swapBackStep: StepImplementation = async (ctx) => {
  const replica = requireReplica(ctx);
  const rollbackOf = ctx.plan.rollbackOf;
  if (!rollbackOf) throw new Error('a swap back needs the run it rolls back (plan.rollbackOf)');
  const { client, expected } = await guardedReplicaClient(ctx, replica, { proveStopped: true });
  const schema = replica.db.schema;
  const result = await swapBackReplica(client, { schema, tag: runTag(rollbackOf), expect: expected, lockTimeoutMs: ctx.timeouts.swap.lockTimeoutMs });
  const undone = result.setAside;
  const undoneBytes = undone ? await keptSchemaBytes(client, schema, undone) : null;
  const captured = { undoneSchema: undone, undoneBytes, restoredSchema: result.swappedIn };
  if (result.alreadyDone) {
    return { message: `Already swapped back: ${schema} is the previous schema again; the restored one is kept as ${undone}`, skipped: true, captured };
  }
  const warnings = result.carriedOver.warnings.length ? ` (not carried over: ${result.carriedOver.warnings.join('; ')})` : '';
  return {
    message: `Swapped back in ${result.elapsedMs} ms: ${schema} is the previous schema again; the restored one is kept as ${undone}${warnings}`,
    captured: { ...captured, swapMs: result.elapsedMs, carriedOver: result.carriedOver.statements.length },
  };
};
