// Step "verify": the replica is what the procedure promises, and the master is unharmed.
// After a rollback: the replica's schema (its previous one again) is a replica's repository.
import { formatServerRef } from '../../../../shared/profiles';
import { verifyReplica, verifyRolledBackReplica } from '../../coremedia/verifyReplica';
import { kindOf } from '../../../../shared/restorePlan';
import { VerificationFailedError } from '../restoreErrors';
import { requireReplica, type StepImplementation } from '../stepContext';

export const verify: StepImplementation = async (ctx) => {
  const replica = requireReplica(ctx);
  const captured = ctx.runCaptured();
  const result = kindOf(ctx.plan) === 'rollback'
    ? await verifyRolledBackReplica(await ctx.resources.client(replica), replica.db.schema, ctx.signal)
    : await verifyReplica({
    replicaClient: await ctx.resources.client(replica),
    replicaSchema: replica.db.schema,
    masterClient: await ctx.resources.client(ctx.master),
    masterSchema: ctx.master.db.schema,
    masterHeadBefore: (captured.masterHeadAtDump as { sequenceNo: string; idTag: string } | null | undefined) ?? null,
    masterCountsAtDump: captured.masterCountsAtDump as Record<string, string> | undefined,
  });
  const failed = result.checks.filter((c) => !c.ok);
  if (failed.length > 0) throw new VerificationFailedError(formatServerRef(ctx.resources.ref(replica)), failed.map((c) => `${c.title}: ${c.detail}`));
  return { message: `All ${result.checks.length} checks passed`, captured: { checks: result.checks } };
};
