// A side-by-side run interrupted before its swap leaves its shadow schema `<schema>__rd_new`
// behind, resumable. `restore --in-place` may still run (its preflight says the shadow stays
// where it is); once such a later run has replaced the replica's schema, the old run's
// shadow holds an older copy of the master, and resuming it would swap that stale copy in.
// So the resume is refused, naming the later run and how to drop the shadow by hand.
import { formatServerRef } from '../../../shared/profiles';
import { kindOf, modeOf } from '../../../shared/restorePlan';
import type { RunRow } from '../history/runStore';
import { quoteIdent } from '../postgres/catalog';
import { RunNotResumableError } from './restoreErrors';
import { laterRestoresOf, type RollbackHistory } from './rollbackEligibility';
import { shadowSchemaName } from './sideBySideNames';

/** Throws RunNotResumableError when resuming `run` would swap in a shadow older than a later restore of the same replica. */
export function refuseStaleShadowResume(run: RunRow, history: () => RollbackHistory): void {
  if (kindOf(run.plan) !== 'restore' || modeOf(run.plan) !== 'side-by-side') return;
  let read: RollbackHistory | undefined;
  for (const replica of run.plan.replicas) {
    const swap = run.steps.find((s) => s.id === 'swap' && s.replica === replica);
    // Swapped already: the resume has nothing of this replica's left to swap.
    if (!swap || swap.status === 'done' || swap.status === 'skipped') continue;
    const later = laterRestoresOf(run, replica, (read ??= history()))[0];
    if (!later) continue;
    const server = run.plan.installation.servers.find((s) => s.name === replica);
    const shadow = server ? shadowSchemaName(server.db.schema) : '<schema>__rd_new';
    const ref = formatServerRef({ installation: run.installation, server: replica });
    throw new RunNotResumableError(
      run.runId,
      `run ${later.runId} (${later.createdAt}, ${modeOf(later.plan)}) restored ${ref} after it, so this run's shadow schema ${shadow} holds an older copy of the master; resuming would swap that stale copy in.`,
      `Drop the stale shadow by hand once you have checked it is not needed: DROP SCHEMA ${quoteIdent(shadow)} CASCADE; (in ${server?.db.database ?? 'the replica database'}). To restore ${ref} again, start a new restore.`,
    );
  }
}
