// A run's dump: the backup file of the master that the run itself made (never a file given
// with --from-backup, which is the admin's), whether it is still on disk or when and why it
// was deleted, and which file a resume of the run would read. Retention
// (history/dumpRetention.ts) and the resume check both decide from here, on RunDumpFacts: a
// few values per run that RunStore.dumpFacts() reads for thousands of runs in one query, or
// dumpFactsOf() takes from a run already loaded (from its summaries: no steps needed).
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ReplicaDeskError } from '../errors';
import type { RunStatus } from '../../../shared/restorePlan';
import { dumpDeletedBy, type DumpDeletion, type RunDump } from '../../../shared/runRecord';
import type { RunRow } from './runStore';

export interface CapturedBackup {
  file: string;
  bytes: number;
  reused?: boolean;
}

/** What dump decisions need to know of a run. */
export interface RunDumpFacts {
  runId: string;
  installation: string;
  createdAt: string;
  status: RunStatus;
  interrupted: boolean;
  /** The backup the run recorded (run-level, else its dump step's), whoever made the file. */
  backup: CapturedBackup | null;
  dumpDeleted: DumpDeletion | null;
  /** A replica that has not succeeded still has its restore step to do. */
  restoreLeft: boolean;
  /** The --from-backup file of the plan, if any (read on demand: plans are large). */
  plannedFile(): string | null;
}

export const asBackup = (v: unknown): CapturedBackup | null =>
  v && typeof v === 'object' && typeof (v as CapturedBackup).file === 'string' ? (v as CapturedBackup) : null;

export const asDeletion = (v: unknown): DumpDeletion | null =>
  v && typeof v === 'object' && typeof (v as DumpDeletion).at === 'string' ? (v as DumpDeletion) : null;

export function dumpFactsOf(run: RunRow): RunDumpFacts {
  return {
    runId: run.runId,
    installation: run.installation,
    createdAt: run.createdAt,
    status: run.status,
    interrupted: run.interrupted,
    backup: asBackup(run.captured.backup) ?? asBackup(run.dumpBackup),
    dumpDeleted: asDeletion(run.captured.dumpDeleted),
    restoreLeft: run.replicas.some((r) => r.summary.restoreLeft && r.status !== 'succeeded'),
    plannedFile: () => (run.planSummary.backup?.mode === 'existing' ? run.planSummary.backup.file : null),
  };
}

/** The dump the run made, with its state on disk now; null when it made none. */
export function runDump(run: RunDumpFacts): RunDump | null {
  const { backup, dumpDeleted } = run;
  if (!backup || backup.reused) return null;
  if (dumpDeleted) return { file: backup.file, bytes: backup.bytes, state: 'deleted', deleted: dumpDeleted };
  const info = statSync(backup.file, { throwIfNoEntry: false });
  return info?.isFile() ? { file: backup.file, bytes: info.size, state: 'present', deleted: null } : { file: backup.file, bytes: backup.bytes, state: 'missing', deleted: null };
}

/** Failed, cancelled or interrupted: `runs resume` may take it up (if its files are there). */
export function isUnfinished(run: Pick<RunDumpFacts, 'status' | 'interrupted'>): boolean {
  return run.status === 'failed' || run.status === 'cancelled' || run.interrupted;
}

const isLive = (run: RunDumpFacts) => run.status === 'running' && !run.interrupted;

/**
 * The backup file a resume of the run would read: a replica's restore step is still to do,
 * and the run has its backup (its own dump, or the --from-backup file). A run whose dump
 * step never finished dumps anew on resume and reads no old file.
 */
export function fileResumeReads(run: RunDumpFacts): string | null {
  if (!run.restoreLeft) return null;
  return run.backup?.file ?? run.plannedFile();
}

/** Why a file must stay: a live run uses it, or a resume of an unfinished run would read it. */
export interface DumpNeed {
  runId: string;
  kind: 'running' | 'resumable';
}

/** Every file that live or resumable runs need, by resolved path. */
export function filesNeeded(runs: readonly RunDumpFacts[]): Map<string, DumpNeed> {
  const needed = new Map<string, DumpNeed>();
  const need = (file: string | null | undefined, why: DumpNeed) => {
    if (file && !needed.has(resolve(file))) needed.set(resolve(file), why);
  };
  for (const run of runs) {
    if (isLive(run)) {
      // A live run may be anywhere in its steps: keep whatever file it has or will read.
      need(run.backup?.file, { runId: run.runId, kind: 'running' });
      need(run.plannedFile(), { runId: run.runId, kind: 'running' });
    } else if (isUnfinished(run)) {
      need(fileResumeReads(run), { runId: run.runId, kind: 'resumable' });
    }
  }
  return needed;
}

/** A resume that would read a dump retention or the admin deleted (or that vanished) is refused. */
export class RunDumpGoneError extends ReplicaDeskError {
  constructor(runId: string, file: string, deleted: DumpDeletion | null) {
    const how = deleted ? `was deleted ${deleted.reason === 'retention' ? 'by dump retention' : dumpDeletedBy(deleted.reason)} at ${deleted.at}` : 'is missing from the disk';
    super(
      'dump-deleted',
      `Run ${runId} cannot be resumed: its remaining restore steps read the dump ${file}, which ${how}. Nothing was changed.`,
      'Start a new restore of the replicas (`replica-desk restore INSTALLATION --replica NAME`); it takes a fresh dump of the master.',
    );
  }
}

/** The file a resume of the run needs and cannot read (deleted: how; else missing); null when it can. */
export function goneDumpOf(run: RunDumpFacts): { file: string; deleted: DumpDeletion | null } | null {
  const file = fileResumeReads(run);
  if (!file) return null;
  const ownDump = run.backup && !run.backup.reused && resolve(run.backup.file) === resolve(file);
  if (ownDump && run.dumpDeleted) return { file, deleted: run.dumpDeleted };
  return statSync(file, { throwIfNoEntry: false })?.isFile() ? null : { file, deleted: null };
}

/** Why a resume of the run cannot read the file it needs (deleted or missing); null when it can. */
export function resumeDumpGone(run: RunDumpFacts): RunDumpGoneError | null {
  const gone = goneDumpOf(run);
  return gone ? new RunDumpGoneError(run.runId, gone.file, gone.deleted) : null;
}
