// The steps of a side-by-side restore that build the replica's next schema while the replica
// keeps serving: restore the backup into the shadow schema `<schema>__rd_new` (one
// transaction, through the same renamer, as the replica's role), apply the fix-ups there (one
// transaction), and verify it. None of them touches the replica's own schema or stops it.
import type pg from 'pg';
import { formatServerRef, type Server } from '../../../../shared/profiles';
import { verifyReplica } from '../../coremedia/verifyReplica';
import { ReplicaDeskError } from '../../errors';
import { quoteIdent, schemaExists } from '../../postgres/catalog';
import { dropSchema } from '../../postgres/dropSchema';
import { VerificationFailedError } from '../restoreErrors';
import { shadowSchemaName } from '../sideBySideNames';
import { requireReplica, type StepContext, type StepImplementation } from '../stepContext';
import { fixupsIn, followedNote, guardedReplicaClient, requireCountsMatch, restoreBackupInto } from './replicaDatabase';
import { readStatus } from './serverControl';

/** What a shadow schema says about itself: `replica-desk shadow of run RUN_ID` (COMMENT ON SCHEMA). */
export const shadowComment = (runId: string): string => `replica-desk shadow of run ${runId}`;
const COMMENT_RUN = /^replica-desk shadow of run (\S+)$/;

/** The run that left `shadow` (from its comment); null when it carries none. */
export async function shadowOwnerRun(client: pg.ClientBase, shadow: string): Promise<string | null> {
  const { rows } = await client.query<{ c: string | null }>(`SELECT pg_catalog.obj_description(oid, 'pg_namespace') AS c FROM pg_catalog.pg_namespace WHERE nspname = $1`, [shadow]);
  return COMMENT_RUN.exec(rows[0]?.c ?? '')?.[1] ?? null;
}

export class ShadowOfAnotherRunError extends ReplicaDeskError {
  constructor(replica: string, shadow: string, runId: string) {
    super(
      'shadow-of-another-run',
      `The shadow schema ${shadow} of ${replica} was left by run ${runId}, not by this run; it was not touched.`,
      `Resume that run (\`replica-desk runs resume ${runId}\`), or, if it is abandoned, drop the schema by hand after checking it: DROP SCHEMA ${quoteIdent(shadow)} CASCADE;`,
    );
  }
}

async function describeReplicaState(ctx: StepContext, replica: Server): Promise<string> {
  const status = await readStatus(ctx, replica);
  return status.state === 'unknown' ? `unknown (${status.why})` : status.state;
}

export const restoreShadow: StepImplementation = async (ctx) => {
  const replica = requireReplica(ctx);
  const name = formatServerRef(ctx.resources.ref(replica));
  const { client, expected } = await guardedReplicaClient(ctx, replica, { proveStopped: false });
  const shadow = shadowSchemaName(replica.db.schema);
  const replicaState = await describeReplicaState(ctx, replica);
  ctx.log('info', `${name} keeps serving while ${shadow} is restored (status: ${replicaState})`);
  if (await schemaExists(client, shadow)) {
    // Only this run's own earlier attempt may be replaced: a restore that committed just
    // before an interruption (one transaction: a shadow that exists is whole). The preflight
    // refused to start beside another run's.
    const owner = await shadowOwnerRun(client, shadow);
    if (owner !== null && owner !== ctx.runId) throw new ShadowOfAnotherRunError(name, shadow, owner);
    await dropSchema(client, shadow, { expect: expected, ...ctx.timeouts.dropSchema });
    ctx.log('warn', `Shadow schema ${shadow} existed from an earlier attempt of this run; dropped it to restore again`);
  }
  const result = await restoreBackupInto(ctx, replica, shadow);
  await client.query(`COMMENT ON SCHEMA ${quoteIdent(shadow)} IS ${quoteLiteral(shadowComment(ctx.runId))}`);
  const counts = await requireCountsMatch(ctx, client, replica, shadow);
  const tables = Object.keys(counts).length;
  return {
    message: `Restored ${tables} tables into the shadow schema ${shadow} in ${(result.elapsedMs / 1000).toFixed(1)} s${followedNote(result.followed)} while ${name} kept serving; every row count matches the master's at backup time`,
    captured: { shadowSchema: shadow, tables, elapsedMs: result.elapsedMs, rowCounts: counts, replicaStatusAtStart: replicaState, followedDump: result.followed },
  };
};

const quoteLiteral = (text: string): string => `'${text.replace(/'/g, "''")}'`;

export const applyShadowFixups: StepImplementation = (ctx) => {
  const replica = requireReplica(ctx);
  const shadow = shadowSchemaName(replica.db.schema);
  return fixupsIn(ctx, replica, shadow, `In ${shadow}: `);
};

export const verifyShadow: StepImplementation = async (ctx) => {
  const replica = requireReplica(ctx);
  const shadow = shadowSchemaName(replica.db.schema);
  const captured = ctx.runCaptured();
  const result = await verifyReplica({
    replicaClient: await ctx.resources.client(replica),
    replicaSchema: shadow,
    masterClient: await ctx.resources.client(ctx.master),
    masterSchema: ctx.master.db.schema,
    masterHeadBefore: (captured.masterHeadAtDump as { sequenceNo: string; idTag: string } | null | undefined) ?? null,
    masterCountsAtDump: captured.masterCountsAtDump as Record<string, string> | undefined,
    signal: ctx.signal,
  });
  const failed = result.checks.filter((c) => !c.ok);
  if (failed.length > 0) throw new VerificationFailedError(`${formatServerRef(ctx.resources.ref(replica))} (shadow schema ${shadow})`, failed.map((c) => `${c.title}: ${c.detail}`));
  return { message: `All ${result.checks.length} checks passed in the shadow schema ${shadow}; the replica may be stopped for the swap`, captured: { checks: result.checks } };
};
