// Dump retention: a dump holds the whole master (user credentials included) and is as large
// as it, so only the newest N dumps of each installation stay (N is the `dumpsKept` setting,
// default 2). A dump a live run uses, or that a resume of an unfinished run would read, is
// never deleted, however old. Each deletion is recorded in its run (when, and whether by
// retention or by the admin), so the history says "dump deleted" and a resume that would need
// it is refused. Deciding, deleting and recording happen in one IMMEDIATE transaction of the
// run store, so no other process can create, claim or resume a run in between.
import { unlinkSync } from 'node:fs';
import { resolve } from 'node:path';
import { ReplicaDeskError, InvalidInputError } from '../errors';
import type { Logger } from '../logging/logger';
import type { SettingsStore } from '../store/settingsStore';
import { settingSchemas } from '../../../shared/settings';
import type { DumpDeletion, RunDump } from '../../../shared/runRecord';
import { filesNeeded, runDump, type DumpNeed, type RunDumpFacts } from './runDump';
import type { RunStore } from './runStore';

/** A run's dump as retention sees it. */
export interface DumpEntry extends RunDump {
  runId: string;
  installation: string;
  runStatus: string;
  createdAt: string;
}

export type KeepReason = { kind: 'newest'; keep: number } | DumpNeed;

export interface KeptDump extends DumpEntry {
  reasons: KeepReason[];
}

export interface PruneReport {
  keep: number;
  dryRun: boolean;
  /** Deleted now (or, in a dry run, that would be). */
  deleted: DumpEntry[];
  kept: KeptDump[];
  /** Dumps whose file could not be deleted (still recorded as present). */
  failed: Array<DumpEntry & { error: string }>;
}

export function describeKeepReason(reason: KeepReason): string {
  if (reason.kind === 'newest') return `newest ${reason.keep}`;
  return reason.kind === 'running' ? `in use by running run ${reason.runId}` : `needed by resumable run ${reason.runId}`;
}

/**
 * The decision, for the dumps of one installation on disk: keep the newest `keep`, and any a
 * live or resumable run needs; delete the rest. Newest first.
 */
export function chooseDumps(dumps: readonly DumpEntry[], needed: ReadonlyMap<string, DumpNeed>, keep: number): { kept: KeptDump[]; toDelete: DumpEntry[] } {
  const present = dumps.filter((d) => d.state === 'present').sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  const kept: KeptDump[] = [];
  const toDelete: DumpEntry[] = [];
  present.forEach((dump, index) => {
    const reasons: KeepReason[] = [];
    if (index < keep) reasons.push({ kind: 'newest', keep });
    const need = needed.get(resolve(dump.file));
    if (need) reasons.push(need);
    if (reasons.length > 0) kept.push({ ...dump, reasons });
    else toDelete.push(dump);
  });
  return { kept, toDelete };
}

export class DumpNeededError extends ReplicaDeskError {
  constructor(dump: DumpEntry, need: DumpNeed) {
    super(
      'dump-needed',
      `The dump ${dump.file} of run ${dump.runId} was not deleted: ${describeKeepReason(need)} reads it.`,
      need.kind === 'running'
        ? `Wait for run ${need.runId} to finish, then delete the dump.`
        : `Resume run ${need.runId} (\`replica-desk runs resume ${need.runId}\`) and let it finish first; the dump is deleted by retention afterwards.`,
    );
  }
}

export class DumpRetention {
  constructor(
    private readonly runs: RunStore,
    private readonly settings: SettingsStore,
    private readonly log: Logger,
  ) {}

  /** The N of "keep the newest N dumps", from the settings. */
  configuredKeep(): number {
    return this.settings.get('dumpsKept');
  }

  /** Every run's dump (present, deleted or missing), newest first; optionally one installation's. */
  list(installation?: string): DumpEntry[] {
    return this.entries(this.allRuns(installation), installation);
  }

  /** One run's dump and what needs it. */
  dumpOf(runId: string): { dump: DumpEntry; neededBy: DumpNeed | null } {
    const runs = this.allRuns();
    const dump = this.entries(runs).find((d) => d.runId === runId);
    if (!dump) throw new InvalidInputError(`Run ${runId} has no dump of its own.`, [], 'See `replica-desk runs dumps` for the runs that have one.');
    return { dump, neededBy: filesNeeded(runs).get(resolve(dump.file)) ?? null };
  }

  /**
   * Keeps the newest `keep` dumps of each installation (or of the one named) and the ones
   * runs need; deletes the others, unless `dryRun`.
   */
  prune(options: { installation?: string; keep?: number; dryRun?: boolean } = {}): PruneReport {
    const keep = options.keep === undefined ? this.configuredKeep() : this.checkedKeep(options.keep);
    const dryRun = options.dryRun === true;
    return this.runs.exclusively(() => {
      const runs = this.allRuns(options.installation);
      const needed = filesNeeded(runs);
      const report: PruneReport = { keep, dryRun, deleted: [], kept: [], failed: [] };
      const dumps = this.entries(runs, options.installation);
      for (const installation of [...new Set(dumps.map((d) => d.installation))]) {
        const { kept, toDelete } = chooseDumps(dumps.filter((d) => d.installation === installation), needed, keep);
        report.kept.push(...kept);
        for (const dump of toDelete) {
          if (dryRun) {
            report.deleted.push(dump);
            continue;
          }
          const deletion: DumpDeletion = { at: new Date().toISOString(), reason: 'retention' };
          const error = this.unlink(dump);
          if (error) report.failed.push({ ...dump, error });
          else report.deleted.push(this.markDeleted(dump, deletion, `retention (keep the newest ${keep})`));
        }
      }
      return report;
    });
  }

  /** The admin deletes one run's dump; refused while a run needs it. */
  deleteDump(runId: string): DumpEntry {
    return this.runs.exclusively(() => {
      const { dump, neededBy } = this.dumpOf(runId);
      if (dump.state === 'deleted') return dump;
      if (neededBy) throw new DumpNeededError(dump, neededBy);
      const error = this.unlink(dump);
      if (error) throw new ReplicaDeskError('dump-not-deleted', `The dump ${dump.file} could not be deleted: ${error}`, 'Check the file and its directory permissions, then try again.');
      return this.markDeleted(dump, { at: new Date().toISOString(), reason: 'admin' }, 'the admin');
    });
  }

  /**
   * `sandbox down`: the dumps of these runs (the sandbox's) go with the sandbox; their runs stay
   * in the history, each dump marked deleted. A file that cannot be removed is reported, not thrown.
   */
  deleteSandboxDumps(runIds: readonly string[]): { deleted: DumpEntry[]; failed: string[] } {
    const wanted = new Set(runIds);
    return this.runs.exclusively(() => {
      const report = { deleted: [] as DumpEntry[], failed: [] as string[] };
      for (const dump of this.entries(this.allRuns())) {
        if (!wanted.has(dump.runId) || dump.state === 'deleted') continue;
        const error = this.unlink(dump);
        if (error) report.failed.push(`${dump.file}: ${error}`);
        else report.deleted.push(this.markDeleted(dump, { at: new Date().toISOString(), reason: 'sandbox-down' }, 'sandbox down'));
      }
      return report;
    });
  }

  /** After a run ends: the configured retention for its installation. Never throws. */
  afterRun(installation: string): PruneReport | null {
    try {
      const report = this.prune({ installation });
      for (const f of report.failed) this.log.warn('dump retention could not delete a dump', { runId: f.runId, file: f.file, error: f.error });
      return report;
    } catch (e) {
      this.log.warn('dump retention failed after a run', { installation, error: e instanceof Error ? e.message : String(e) });
      return null;
    }
  }

  private checkedKeep(keep: number): number {
    const parsed = settingSchemas.dumpsKept.safeParse(keep);
    if (!parsed.success) throw new InvalidInputError(`Cannot keep ${keep} dumps: ${parsed.error.issues[0]!.message}.`, [{ path: '$.keep', message: parsed.error.issues[0]!.message }], 'Give --keep a whole number of at least 1.');
    return parsed.data;
  }

  /** With an installation: its runs and every unfinished run of any installation. */
  private allRuns(installation?: string): RunDumpFacts[] {
    return this.runs.dumpFacts(installation === undefined ? {} : { installation });
  }

  private entries(runs: readonly RunDumpFacts[], installation?: string): DumpEntry[] {
    return runs
      .filter((r) => installation === undefined || r.installation.toLowerCase() === installation.toLowerCase())
      .flatMap((run) => {
        const dump = runDump(run);
        return dump ? [{ ...dump, runId: run.runId, installation: run.installation, runStatus: run.interrupted ? 'interrupted' : run.status, createdAt: run.createdAt }] : [];
      });
  }

  private unlink(dump: DumpEntry): string | null {
    try {
      unlinkSync(dump.file);
      return null;
    } catch (e) {
      // Gone already: record it as deleted all the same, so nothing points at it any more.
      return (e as NodeJS.ErrnoException).code === 'ENOENT' ? null : (e as Error).message;
    }
  }

  private markDeleted(dump: DumpEntry, deletion: DumpDeletion, by: string): DumpEntry {
    this.runs.markDumpDeleted(dump.runId, deletion);
    this.runs.log(dump.runId, 'info', `dump ${dump.file} (${dump.bytes} bytes) deleted by ${by}`);
    this.log.info('dump deleted', { runId: dump.runId, file: dump.file, bytes: dump.bytes, reason: deletion.reason });
    return { ...dump, state: 'deleted', deleted: deletion };
  }
}
