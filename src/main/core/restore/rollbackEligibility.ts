// Whether a run may be rolled back, and which of its replicas, from the history alone (no
// database is asked; restore/rollbackPreflight.ts then checks the schemas themselves). Each
// refusal is a RollbackRefusedError: the CLI exits 2, and nothing was changed.
import { formatServerRef } from '../../../shared/profiles';
import { kindOf, modeOf } from '../../../shared/restorePlan';
import { isUnfinished } from '../history/runDump';
import type { KeptSchemaRow } from '../history/keptSchemaStore';
import type { RunRow, StepRow } from '../history/runStore';
import { RestoreError } from './restoreErrors';

export class RollbackRefusedError extends RestoreError {
  override readonly usage = true;

  constructor(runId: string, why: string, hint: string) {
    super('rollback-refused', `Run ${runId} cannot be rolled back: ${why}. Nothing was changed.`, hint);
  }
}

/** What the history says about the run's replicas and the runs around it. */
export interface RollbackHistory {
  /** Kept-schema rows of the run (history/keptSchemaStore.ts). */
  kept: readonly KeptSchemaRow[];
  /** The installation's runs started since the run (any order): its rollbacks, and later restores. */
  others: readonly RunRow[];
}

const finished = (s: StepRow | undefined) => s?.status === 'done' || s?.status === 'skipped';
const touched = (s: StepRow | undefined) => s !== undefined && s.status !== 'pending';
const stepOf = (run: RunRow, id: string, replica: string) => run.steps.find((s) => s.id === id && s.replica === replica);

/**
 * The restore runs created after `run` that replaced `replica`'s schema (their swap or drop
 * began), newest first; one whose swap was rolled back does not count. A rollback of `run`
 * and a resume of it (staleShadow.ts) are both refused while one exists.
 */
export function laterRestoresOf(run: RunRow, replica: string, history: RollbackHistory): RunRow[] {
  return history.others
    .filter((o) => o.runId !== run.runId && o.createdAt > run.createdAt && kindOf(o.plan) === 'restore' && o.plan.replicas.includes(replica))
    .filter((o) => touched(stepOf(o, 'swap', replica)) || touched(stepOf(o, 'drop-schema', replica)))
    .filter((o) => !history.kept.some((k) => k.runId === o.runId && k.replica === replica && k.kind === 'prev' && k.state === 'rolled-back'))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** The replicas the run swapped (its previous schema kept), in plan order. */
export function swappedReplicas(run: RunRow): string[] {
  return run.plan.replicas.filter((r) => {
    const swap = stepOf(run, 'swap', r);
    return finished(swap) && typeof swap!.captured.keptSchema === 'string';
  });
}

/**
 * The replicas of `run` to roll back: `requested` (names, any case) or every one it swapped.
 * Refuses a run that is not a finished side-by-side restore, a replica it did not swap, whose
 * kept schema was discarded, that was rolled back already (or is being), or that a later run
 * restored again (that one must be rolled back first).
 */
export function chooseRollbackReplicas(run: RunRow, requested: readonly string[], history: RollbackHistory): string[] {
  const refuse = (why: string, hint: string): never => {
    throw new RollbackRefusedError(run.runId, why, hint);
  };
  const ref = (replica: string) => formatServerRef({ installation: run.installation, server: replica });
  if (kindOf(run.plan) === 'rollback') refuse(`it is itself a rollback (of run ${run.plan.rollbackOf})`, `To undo it, restore again; \`replica-desk runs show ${run.runId}\` shows what it did.`);
  if (modeOf(run.plan) !== 'side-by-side') refuse('it restored in place, so no previous schema was kept', 'Only side-by-side runs (`restore --side-by-side`) can be rolled back.');
  if (run.status === 'running' && !run.interrupted) refuse(`it is still running (pid ${run.owner.pid ?? '?'} on ${run.owner.host ?? 'an unknown host'})`, `Wait for it to finish: \`replica-desk runs show ${run.runId}\`.`);
  if (isUnfinished(run)) refuse(`it ${run.interrupted ? 'was interrupted' : run.status} and can still be resumed`, `Finish it first with \`replica-desk runs resume ${run.runId}\` (then roll it back), so no replica is left half-way.`);

  const swapped = swappedReplicas(run);
  let chosen = swapped;
  if (requested.length > 0) {
    chosen = requested.map((name) => {
      const found = run.plan.replicas.find((r) => r.toLowerCase() === name.toLowerCase());
      if (!found) return refuse(`it did not restore a replica "${name}" (it restored ${run.plan.replicas.join(', ')})`, `Name one of its replicas with --replica, or leave --replica out for all it swapped.`);
      if (!swapped.includes(found)) return refuse(`${ref(found)} was not swapped by it, so nothing of it was kept`, `\`replica-desk runs show ${run.runId}\` shows what happened to ${ref(found)}.`);
      return found;
    });
    chosen = chosen.filter((r, i) => chosen.indexOf(r) === i);
  }
  if (chosen.length === 0) refuse('it swapped no replica, so no previous schema was kept', `\`replica-desk runs show ${run.runId}\` shows what happened.`);

  for (const replica of chosen) {
    const prev = history.kept.find((k) => k.runId === run.runId && k.replica === replica && k.kind === 'prev');
    if (prev?.state === 'discarded') refuse(`the previous schema of ${ref(replica)}, ${prev.schema}, was discarded at ${prev.at}`, 'There is nothing to go back to; restore again instead.');
    if (prev?.state === 'rolled-back') refuse(`${ref(replica)} was already rolled back by run ${prev.byRun} at ${prev.at}`, `\`replica-desk runs show ${prev.byRun}\` shows that rollback.`);
    const rollback = history.others.find((o) => kindOf(o.plan) === 'rollback' && o.plan.rollbackOf === run.runId && o.plan.replicas.includes(replica) && o.status !== 'succeeded');
    if (rollback && (rollback.status === 'running' || isUnfinished(rollback))) {
      refuse(`rollback run ${rollback.runId} of it is unfinished for ${ref(replica)}`, `Finish that one with \`replica-desk runs resume ${rollback.runId}\`.`);
    }
    const newest = laterRestoresOf(run, replica, history)[0];
    if (newest) {
      refuse(
        `run ${newest.runId} (${newest.createdAt}) restored ${ref(replica)} again after it`,
        modeOf(newest.plan) === 'side-by-side'
          ? `Roll back run ${newest.runId} first (\`replica-desk runs rollback ${newest.runId}\`), then this one.`
          : `Run ${newest.runId} restored in place and cannot be rolled back; restore again instead.`,
      );
    }
  }
  return chosen;
}
