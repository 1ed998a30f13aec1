// Step "dump-master": one pg_dump of the master schema that every replica is restored
// from. The row counts and changelog head are read in the very snapshot pg_dump uses
// (pg_export_snapshot), so the replicas can later be compared with exactly what the
// backup holds, even while the master keeps publishing.
import { createReadStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { readChangelogHead } from '../../coremedia/changelog';
import { requireDumpArchive } from '../../postgres/dumpArchive';
import { dumpSchema } from '../../postgres/dumpSchema';
import { closeClient } from '../../postgres/closeClient';
import { requireToolsFor } from '../../postgres/pgTools';
import { countRows } from '../../postgres/tableCounts';
import { readClusterIdentity } from '../../postgres/clusterIdentity';
import { ReplicaDeskError } from '../../errors';
import type { StepImplementation } from '../stepContext';

export interface BackupInfo {
  file: string;
  bytes: number;
  sha256: string;
  elapsedMs?: number;
  compression?: string;
  reused?: boolean;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export class BackupFileError extends ReplicaDeskError {
  constructor(file: string, why: string) {
    super('backup-file', `The backup file ${file} ${why}.`, 'Choose an existing pg_dump custom-format file of the master schema, or run without --from-backup to take a new backup.');
  }
}

/**
 * `<base><ext>`, or `<base>-2<ext>`, … when a file of that name exists (a run killed after
 * its dump was complete but before the step was recorded): a dump never replaces a file.
 */
export async function freeFileName(dir: string, base: string, ext: string): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = join(dir, `${base}${n === 1 ? '' : `-${n}`}${ext}`);
    if (!(await stat(candidate).catch(() => null))) return candidate;
  }
}

export const backupMaster: StepImplementation = async (ctx) => {
  const { plan, master } = ctx;
  if (plan.backup.mode === 'existing') {
    const file = plan.backup.file;
    // It may have been replaced since the plan was made.
    await requireDumpArchive(file);
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) throw new BackupFileError(file, 'does not exist');
    const backup: BackupInfo = { file, bytes: info.size, sha256: await sha256File(file), reused: true };
    ctx.captureRun({ backup });
    return { message: `Using existing backup ${file} (${info.size} bytes, sha256 ${backup.sha256.slice(0, 12)}…)`, captured: { backup } };
  }

  const tools = await ctx.tools();
  const dir = join(plan.backup.dir, plan.installation.name);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = await freeFileName(dir, `${ctx.runId}-${master.db.schema}`, '.dump');
  // A dedicated connection holds the snapshot open until pg_dump has imported it.
  const client = await ctx.resources.ownClient(master);
  try {
    const identity = await readClusterIdentity(client);
    requireToolsFor(tools, identity.serverMajor);
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const snapshot = (await client.query<{ s: string }>('SELECT pg_export_snapshot() AS s')).rows[0]!.s;
    const masterCounts = await countRows(client, master.db.schema);
    const head = await readChangelogHead(client, master.db.schema);
    ctx.captureRun({ masterCountsAtDump: masterCounts, masterHeadAtDump: head });
    const tablesTotal = Object.keys(masterCounts).length;
    const result = await dumpSchema({
      tools,
      db: master.db,
      password: await ctx.resources.password(master),
      schema: master.db.schema,
      file,
      snapshot,
      tablesTotal,
      signal: ctx.signal,
      stallTimeoutMs: ctx.timeouts.stallMs,
      onProgress: (p) => ctx.progress({ phase: 'dump', bytes: p.bytes, bytesTotal: null, tablesDone: p.tablesDone, tablesTotal: p.tablesTotal ?? tablesTotal }),
      onWriting: (partial) => ctx.liveDump?.markStarted({ partialFile: partial, completeFile: file }),
      onWritten: () => ctx.liveDump?.markWritten(),
    });
    await client.query('COMMIT');
    const backup: BackupInfo = { file: result.file, bytes: result.bytes, sha256: result.sha256, elapsedMs: result.elapsedMs, compression: result.compression };
    ctx.captureRun({ backup });
    ctx.liveDump?.markRecorded(backup);
    return {
      message: `Backed up ${master.db.schema} (${tablesTotal} tables, ${result.bytes} bytes) to ${result.file} in ${(result.elapsedMs / 1000).toFixed(1)} s`,
      captured: { backup, tables: tablesTotal, changelogHead: head },
    };
  } catch (error) {
    ctx.liveDump?.fail(error);
    throw error;
  } finally {
    await closeClient(client);
  }
};
