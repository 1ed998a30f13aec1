// When the replicas' restores run at the same time as the master's dump, and how the runner
// starts them. Side by side, each replica's restore goes into a shadow schema that nothing
// uses yet, so it can read the dump while pg_dump writes it (liveDump.ts) and commit only
// once the dump is complete and recorded; a failed dump rolls every such restore back and
// leaves nothing behind. The records stay true: the dump step and the restore steps are each
// `running` from their own start to their own end, which now overlap.
//
// In place, the replica's schema is dropped before its restore; dropping it while the dump
// may still fail would leave the replica with no schema and no backup, so in-place runs keep
// the vendor's order (the whole dump, then drop and restore).
import { kindOf, modeOf, type RestorePlan, type StepStatus } from '../../../shared/restorePlan';
import type { LiveDump } from './liveDump';

/** Whether this run (or resume) overlaps its restores with the dump: a new dump, side by side, not yet taken. */
export function overlapsDump(plan: RestorePlan, status: ReadonlyMap<number, StepStatus>): boolean {
  if (kindOf(plan) !== 'restore' || modeOf(plan) !== 'side-by-side' || plan.backup.mode !== 'dump') return false;
  const dump = plan.steps.find((s) => s.id === 'dump-master');
  return dump !== undefined && status.get(dump.seq) !== 'done' && status.get(dump.seq) !== 'skipped';
}

/**
 * Runs the dump step (`dumping`, already started) and calls `startReplicas` as soon as
 * pg_dump writes its file, so the restores follow it; not at all if the dump failed before.
 * Resolves when the dump step ended: ok, or the message it failed with (then `live` is failed
 * too, so every restore following it rolls back).
 */
export async function runDumpOverlapped(live: LiveDump, dumping: Promise<void>, startReplicas: () => void): Promise<{ ok: true } | { ok: false; message: string }> {
  const writing = await Promise.race([live.started.then(() => true, () => false), dumping.then(() => false, () => false)]);
  if (writing) startReplicas();
  try {
    await dumping;
    return { ok: true };
  } catch (error) {
    live.fail(error);
    return { ok: false, message: (error as Error).message };
  }
}
