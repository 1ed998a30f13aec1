// Runs that left a real dump file, written through the core's RunStore as the runner leaves
// them (dump step done with the backup captured, restore steps done or not, an outcome), then
// moved back in time. For the tests of dump retention: unit, CLI and the history view.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunStore } from '../../src/main/core/history/runStore';
import type { SqliteDatabase } from '../../src/main/core/store/database';
import { planRestore } from '../../src/main/core/restore/planRestore';
import { InstallationSchema } from '../../src/shared/profiles';

export type SeededOutcome = 'succeeded' | 'failed' | 'cancelled' | 'interrupted' | 'running';

export interface DumpRunOptions {
  /** The run started this many hours ago. */
  hoursAgo: number;
  outcome: SeededOutcome;
  /** Whether its replica's restore step finished (default: only when it succeeded). */
  restoreDone?: boolean;
  installation?: string;
  replica?: 'rls1' | 'rls2';
  /** The dump file's size (its content is filler). */
  bytes?: number;
  /** Start from this file (--from-backup) instead of writing a dump. */
  fromBackup?: string;
}

const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!;

export const seedInstallation = (name: string) =>
  InstallationSchema.parse({
    name,
    servers: [
      { name: 'mls', role: 'master', db: { host: 'h', database: 'd', user: 'cm_master' } },
      { name: 'rls1', role: 'replica', db: { host: 'h', database: 'd', user: 'cm_rls1' } },
      { name: 'rls2', role: 'replica', db: { host: 'h', database: 'd', user: 'cm_rls2' } },
    ],
  });

/** Seeds one run and its dump under `backupDir/<installation>/`; returns its id and file. */
export function seedRunWithDump(runs: RunStore, db: SqliteDatabase, backupDir: string, options: DumpRunOptions): { runId: string; file: string } {
  const { outcome, hoursAgo } = options;
  const name = options.installation ?? 'prod';
  const plan = planRestore(seedInstallation(name), { replicas: [options.replica ?? 'rls1'], backupDir, ...(options.fromBackup ? { fromBackup: options.fromBackup } : {}) });
  const runId = runs.create(plan);
  let file = options.fromBackup;
  if (!file) {
    mkdirSync(join(backupDir, name), { recursive: true });
    file = join(backupDir, name, `${runId}-d.dump`);
    writeFileSync(file, Buffer.alloc(options.bytes ?? 1000 + Math.floor(hoursAgo), 7));
  }
  const backup = { file, bytes: options.bytes ?? 1000 + Math.floor(hoursAgo), sha256: 'x'.repeat(64), ...(options.fromBackup ? { reused: true } : {}) };
  const restoreDone = options.restoreDone ?? outcome === 'succeeded';
  const masterSteps = ['stop-replica', 'dump-master', 'copy-key', 'drop-schema'];
  for (const step of plan.steps) {
    if (outcome === 'succeeded' || masterSteps.includes(step.id) || (step.id === 'restore' && restoreDone)) {
      runs.setStep(runId, step.seq, 'done', step.id === 'dump-master' ? { captured: { backup } } : {});
    }
  }
  runs.capture(runId, { backup });
  if (outcome === 'succeeded' || outcome === 'failed' || outcome === 'cancelled') {
    for (const r of plan.replicas) runs.setReplica(runId, r, outcome);
    runs.finish(runId, outcome, outcome === 'succeeded' ? null : 'it stopped');
  }
  // A run "owned" by a process that has exited is interrupted.
  if (outcome === 'interrupted') db.prepare('UPDATE runs SET owner_pid = ? WHERE id = ?').run(deadPid, runId);
  db.prepare('UPDATE runs SET created_at = ? WHERE id = ?').run(new Date(Date.now() - hoursAgo * 3_600_000).toISOString(), runId);
  return { runId, file };
}
