// The steps that change a replica's database: drop its schema, restore the backup into
// it, and apply the CoreMedia fix-ups. Each re-checks, right before it acts, that it is
// aimed at the replica and not at the master (cluster identity, database and schema).
import type pg from 'pg';
import { formatServerRef, type Server } from '../../../../shared/profiles';
import { readChangelogHead } from '../../coremedia/changelog';
import { applyReplicaFixups, replicaFixupsApplied } from '../../coremedia/replicaFixups';
import { SERVER_TYPE_PROPERTY, readSystemProperties } from '../../coremedia/serverType';
import { resolveRepositoryTables } from '../../coremedia/repositoryTables';
import { sameSchema, type SchemaIdentity } from '../../postgres/clusterIdentity';
import { schemaExists } from '../../postgres/catalog';
import { dropSchema } from '../../postgres/dropSchema';
import { restoreIntoSchema } from '../../postgres/restoreIntoSchema';
import { compareCounts, countRows } from '../../postgres/tableCounts';
import { ReplicaDeskError } from '../../errors';
import type { BackupInfo } from './backupMaster';
import { RowCountMismatchError } from '../restoreErrors';
import { requireReplica, type StepContext, type StepImplementation, type StepOutcome } from '../stepContext';
import { proveStopped } from './serverControl';

class AimedAtMasterError extends ReplicaDeskError {
  constructor(replica: string) {
    super('aimed-at-master', `${replica} resolves to the master's own schema (same cluster, database and schema).`, 'Fix the replica\'s db settings in the profile; nothing was changed.');
  }
}

class SchemaIsMasterError extends ReplicaDeskError {
  constructor(replica: string, schema: string) {
    super(
      'schema-is-master',
      `Refused to drop schema ${schema} of ${replica}: its own repository_server_type is "publication", so it is a Master Live Server's repository, whatever the profile says.`,
      'Nothing was dropped. Check that the replica\'s db settings in the profile point at the replica\'s schema, not at a master\'s.',
    );
  }
}

/** The replica's cluster and database as the preflight saw them, recorded in the run. */
function recordedIdentity(ctx: StepContext, replica: Server): SchemaIdentity {
  const identity = (ctx.runCaptured().identities as Record<string, SchemaIdentity> | undefined)?.[replica.name];
  if (!identity) {
    throw new ReplicaDeskError('identity-missing', `The run has no recorded identity for ${formatServerRef(ctx.resources.ref(replica))}.`, 'Start a new restore, so that the preflight records which cluster and database each replica is.');
  }
  return identity;
}

/**
 * Refuses unless the replica points somewhere other than the master schema, and (right
 * before anything destructive) proves again that the replica is stopped.
 */
export async function guardedReplicaClient(ctx: StepContext, replica: Server, options: { proveStopped: boolean }): Promise<{ client: pg.Client; expected: SchemaIdentity }> {
  const expected = recordedIdentity(ctx, replica);
  const masterIdentity = (ctx.runCaptured().identities as Record<string, SchemaIdentity> | undefined)?.[ctx.master.name];
  if (masterIdentity && sameSchema(expected, masterIdentity)) throw new AimedAtMasterError(formatServerRef(ctx.resources.ref(replica)));
  const client = await ctx.resources.client(replica);
  if (options.proveStopped) ctx.log('info', await proveStopped(ctx, replica, { waitForStatus: false }));
  return { client, expected };
}

/** Inside the drop's transaction: a schema that calls itself a publication server is a master. */
export const refuseMasterRepository = (ctx: StepContext, replica: Server, schema = replica.db.schema) => async (client: pg.ClientBase) => {
  const tables = await resolveRepositoryTables(client, schema).catch(() => null);
  if (!tables) return; // not a content-server repository (or empty): nothing says it is a master
  const types = (await readSystemProperties(client, tables, [SERVER_TYPE_PROPERTY]))[SERVER_TYPE_PROPERTY] ?? [];
  if (types.includes('publication')) throw new SchemaIsMasterError(formatServerRef(ctx.resources.ref(replica)), schema);
};

export function backupOf(ctx: StepContext): BackupInfo {
  const backup = ctx.runCaptured().backup as BackupInfo | undefined;
  if (!backup) throw new Error('the backup step has not recorded a backup file');
  return backup;
}

/**
 * Restores the run's backup into `schema` of the replica: from the finished file, or, while
 * the dump is still being written (ctx.liveDump), following the growing file; then the COMMIT
 * waits for the dump's recorded SHA-256, and a failed dump rolls the restore back.
 */
export async function restoreBackupInto(ctx: StepContext, replica: Server, schema: string): Promise<{ elapsedMs: number; followed: boolean }> {
  const recorded = ctx.runCaptured().backup as BackupInfo | undefined;
  const live = recorded ? null : ctx.liveDump;
  const names = live ? await live.started : null;
  const dumpFile = names ? names.partialFile : backupOf(ctx).file;
  if (live) ctx.log('info', `Restoring from ${dumpFile} while pg_dump writes it; the restore commits only once the backup is complete and its SHA-256 recorded`);
  const tablesTotal = Object.keys((ctx.runCaptured().masterCountsAtDump as Record<string, string> | undefined) ?? {}).length;
  const result = await restoreIntoSchema({
    tools: await ctx.tools(),
    dumpFile,
    sourceSchema: ctx.master.db.schema,
    target: { ...replica.db, schema },
    password: await ctx.resources.password(replica),
    signal: ctx.signal,
    stallTimeoutMs: ctx.timeouts.stallMs,
    onProgress: (p) => ctx.progress({ phase: 'restore', bytes: p.bytes, bytesTotal: p.bytesTotal ?? null, tablesDone: p.tablesDone, tablesTotal: p.tablesTotal ?? null }),
    ...(live && names ? { follow: { written: live.written, recorded: live.recorded, tablesTotal, completeFile: names.completeFile } } : {}),
  });
  return { elapsedMs: result.elapsedMs, followed: live !== null };
}

/** " (read while the dump was written)" for a step message, when it was. */
export const followedNote = (followed: boolean): string => (followed ? ' (read while the dump was being written)' : '');

export const dropReplicaSchema: StepImplementation = async (ctx) => {
  const replica = requireReplica(ctx);
  const { client, expected } = await guardedReplicaClient(ctx, replica, { proveStopped: true });
  const existed = await dropSchema(client, replica.db.schema, { expect: expected, beforeDrop: refuseMasterRepository(ctx, replica), ...ctx.timeouts.dropSchema });
  return { message: existed ? `Dropped schema ${replica.db.schema}` : `Schema ${replica.db.schema} did not exist`, captured: { existed } };
};

export const restoreReplica: StepImplementation = async (ctx) => {
  const replica = requireReplica(ctx);
  const { client, expected } = await guardedReplicaClient(ctx, replica, { proveStopped: true });
  // A restore whose commit landed just before an interruption left the schema behind;
  // this run already confirmed dropping it, so start clean. This run's drop step came
  // first and proved the schema was no master's; what stands there now is the restore's own
  // work from the master's dump, so it says "publication" and is dropped all the same.
  if (await schemaExists(client, replica.db.schema)) {
    await dropSchema(client, replica.db.schema, { expect: expected, ...ctx.timeouts.dropSchema });
    ctx.log('warn', `Schema ${replica.db.schema} existed before the restore (an earlier attempt); dropped it again`);
  }
  const result = await restoreBackupInto(ctx, replica, replica.db.schema);
  const replicaCounts = await requireCountsMatch(ctx, client, replica, replica.db.schema);
  const tables = Object.keys(replicaCounts).length;
  return {
    message: `Restored ${tables} tables into ${replica.db.schema} in ${(result.elapsedMs / 1000).toFixed(1)} s${followedNote(result.followed)}; every row count matches the master's at backup time`,
    captured: { tables, elapsedMs: result.elapsedMs, rowCounts: replicaCounts, followedDump: result.followed },
  };
};

/** Every table of `schema` (the replica's, or its shadow) has the master's row count at dump time. */
export async function requireCountsMatch(ctx: StepContext, client: pg.Client, replica: Server, schema: string): Promise<Record<string, string>> {
  const replicaCounts = await countRows(client, schema);
  const masterCounts = (ctx.runCaptured().masterCountsAtDump as Record<string, string> | undefined) ?? (await countRows(await ctx.resources.client(ctx.master), ctx.master.db.schema));
  const comparison = compareCounts(masterCounts, replicaCounts);
  if (!comparison.matches) {
    throw new RowCountMismatchError(
      formatServerRef(ctx.resources.ref(replica)),
      comparison.mismatches.map((m) => `${m.table}: master ${m.master ?? 'missing'}, replica ${m.replica ?? 'missing'}`),
    );
  }
  return replicaCounts;
}

/**
 * The fix-ups in `schema` (the replica's own, or a side-by-side run's shadow), in one
 * transaction; a commit that landed just before an interruption is recognised, since the
 * server-type UPDATE would then change no row. `where` prefixes the message ("In x: ").
 */
export async function fixupsIn(ctx: StepContext, replica: Server, schema: string, where = ''): Promise<StepOutcome> {
  const { client } = await guardedReplicaClient(ctx, replica, { proveStopped: false });
  if (await replicaFixupsApplied(client, schema)) {
    return { message: `${where}The fix-ups were already applied`, skipped: true, captured: { changelog: await readChangelogHead(client, schema) } };
  }
  const result = await applyReplicaFixups(client, schema, { signal: ctx.signal, ...ctx.timeouts.fixups });
  const { changelog } = result;
  const localNote =
    changelog.newestIsLocal && changelog.lastNonLocal
      ? `; the newest event is local (code 15): last non-local event is ${changelog.lastNonLocal.sequenceNo}/${changelog.lastNonLocal.idTag} — clients such as the CAE Feeder may need a reset`
      : '';
  return {
    message: `${where}Replicator set to sequenceno ${changelog.sequenceNo}, idtag ${changelog.idTag}; ${result.licensesDeleted} license row(s) removed; server type set to live${localNote}`,
    captured: { changelog, replicatorRowsBefore: result.replicatorRowsBefore, licensesDeleted: result.licensesDeleted },
  };
}

export const applyFixups: StepImplementation = (ctx) => {
  const replica = requireReplica(ctx);
  return fixupsIn(ctx, replica, replica.db.schema);
};
