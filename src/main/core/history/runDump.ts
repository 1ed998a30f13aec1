// A run's dump: the backup file of the master that the run itself made (never a file given
// with --from-backup, which is the admin's), whether it is still on disk or when and why it
// was deleted, and which files a resume of the run would read. Retention
// (history/dumpRetention.ts) and the resume check both decide from here.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ReplicaDeskError } from '../errors';
import type { DumpDeletion, RunDump } from '../../../shared/runRecord';
import type { RunRow } from './runStore';

interface CapturedBackup {
  file: string;
  bytes: number;
  reused?: boolean;
}

const asBackup = (v: unknown): CapturedBackup | null =>
  v && typeof v === 'object' && typeof (v as CapturedBackup).file === 'string' ? (v as CapturedBackup) : null;

/** The backup the run recorded (run-level, else its dump step's), whoever made the file. */
function recordedBackup(run: RunRow): CapturedBackup | null {
  return asBackup(run.captured.backup) ?? asBackup(run.steps.find((s) => s.id === 'dump-master')?.captured.backup);
}

export function dumpDeletionOf(run: RunRow): DumpDeletion | null {
  const d = run.captured.dumpDeleted as DumpDeletion | undefined;
  return d && typeof d.at === 'string' ? d : null;
}

/** The dump the run made, with its state on disk now; null when it made none. */
export function runDump(run: RunRow): RunDump | null {
  const backup = recordedBackup(run);
  if (!backup || backup.reused) return null;
  const deleted = dumpDeletionOf(run);
  if (deleted) return { file: backup.file, bytes: backup.bytes, state: 'deleted', deleted };
  const info = statSync(backup.file, { throwIfNoEntry: false });
  return info?.isFile() ? { file: backup.file, bytes: info.size, state: 'present', deleted: null } : { file: backup.file, bytes: backup.bytes, state: 'missing', deleted: null };
}

/** Failed, cancelled or interrupted: `runs resume` may take it up (if its files are there). */
export function isUnfinished(run: RunRow): boolean {
  return run.status === 'failed' || run.status === 'cancelled' || run.interrupted;
}

const isLive = (run: RunRow) => run.status === 'running' && !run.interrupted;

/**
 * The backup file a resume of the run would read: a replica's restore step is still to do,
 * and the run has its backup (its own dump, or the --from-backup file). A run whose dump
 * step never finished dumps anew on resume and reads no old file.
 */
export function fileResumeReads(run: RunRow): string | null {
  const restoreLeft = run.steps.some(
    (s) => s.id === 'restore' && s.status !== 'done' && s.status !== 'skipped' && run.replicas.find((r) => r.replica === s.replica)?.status !== 'succeeded',
  );
  if (!restoreLeft) return null;
  const backup = recordedBackup(run);
  if (backup) return backup.file;
  const planned = run.plan.backup;
  return planned?.mode === 'existing' ? planned.file : null;
}

/** Why a file must stay: a live run uses it, or a resume of an unfinished run would read it. */
export interface DumpNeed {
  runId: string;
  kind: 'running' | 'resumable';
}

/** Every file that live or resumable runs need, by resolved path. */
export function filesNeeded(runs: readonly RunRow[]): Map<string, DumpNeed> {
  const needed = new Map<string, DumpNeed>();
  for (const run of runs) {
    if (isLive(run)) {
      // A live run may be anywhere in its steps: keep whatever file it has or will read.
      const backup = recordedBackup(run);
      const planned = run.plan.backup;
      for (const file of [backup?.file, planned?.mode === 'existing' ? planned.file : undefined]) {
        if (file && !needed.has(resolve(file))) needed.set(resolve(file), { runId: run.runId, kind: 'running' });
      }
    } else if (isUnfinished(run)) {
      const file = fileResumeReads(run);
      if (file && !needed.has(resolve(file))) needed.set(resolve(file), { runId: run.runId, kind: 'resumable' });
    }
  }
  return needed;
}

/** A resume that would read a dump retention or the admin deleted (or that vanished) is refused. */
export class RunDumpGoneError extends ReplicaDeskError {
  constructor(runId: string, file: string, deleted: DumpDeletion | null) {
    const how = deleted ? `was deleted ${deleted.reason === 'retention' ? 'by dump retention' : 'by the admin'} at ${deleted.at}` : 'is missing from the disk';
    super(
      'dump-deleted',
      `Run ${runId} cannot be resumed: its remaining restore steps read the dump ${file}, which ${how}. Nothing was changed.`,
      'Start a new restore of the replicas (`replica-desk restore INSTALLATION --replica NAME`); it takes a fresh dump of the master.',
    );
  }
}

/** Why a resume of the run cannot read the file it needs (deleted or missing); null when it can. */
export function resumeDumpGone(run: RunRow): RunDumpGoneError | null {
  const file = fileResumeReads(run);
  if (!file) return null;
  const backup = recordedBackup(run);
  const deleted = backup && !backup.reused && resolve(backup.file) === resolve(file) ? dumpDeletionOf(run) : null;
  if (deleted) return new RunDumpGoneError(run.runId, file, deleted);
  return statSync(file, { throwIfNoEntry: false })?.isFile() ? null : new RunDumpGoneError(run.runId, file, null);
}
