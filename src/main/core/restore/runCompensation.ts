// Compensation: when a run (a restore or a rollback) ends without every replica succeeding,
// it puts back what it changed and can safely put back, and records plainly what it cannot.
// The master is started again if the run stopped it. In place, a replica the run stopped is
// started again only while its schema is untouched (never dropped, or a refused drop); a
// dropped one stays stopped for `runs resume`. Side by side, a replica's schema is whole at
// every moment, so a stopped replica is always started again. Steps a later resume must run
// again go back to pending. A replica is started only while this run holds (or can take
// back) its lock. Called by restoreRunner.ts in its finally block.
import { formatServerRef, type Server } from '../../../shared/profiles';
import { kindOf, modeOf, type PlannedStep, type RestorePlan, type StepId } from '../../../shared/restorePlan';
import { toErrorPayload } from '../errors';
import type { CompensationEntry, RunRow, RunStore } from '../history/runStore';
import { schemaExists } from '../postgres/catalog';
import type { SchemaIdentity } from '../postgres/clusterIdentity';
import { swapBackNames } from './planRollback';
import type { RestoreResources } from './restoreResources';
import type { RunLocks } from './runLocks';
import type { RunTunnels } from './runTunnels';
import { keptSchemaName, shadowSchemaName } from './sideBySideNames';

type StepStatus = RunRow['steps'][number]['status'];

export interface CompensationContext {
  runId: string;
  plan: RestorePlan;
  runs: RunStore;
  resources: RestoreResources;
  tunnels: RunTunnels;
  locks: RunLocks;
  /** Each server's cluster, database and schema as the preflight saw them (to take a lock back). */
  identities: Record<string, SchemaIdentity>;
  /** The runner's step statuses by seq; compensation sets back to pending what a resume must redo. */
  status: Map<number, StepStatus>;
  replicaDone: ReadonlySet<string>;
  /** Runs a step as the runner does (recorded, events, lock checks). */
  execute(step: PlannedStep, signal: AbortSignal): Promise<void>;
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

const finishedIn = (status: ReadonlyMap<number, StepStatus>) => (s: PlannedStep) => status.get(s.seq) === 'done' || status.get(s.seq) === 'skipped';
const refIn = (resources: RestoreResources) => (server: Server) => formatServerRef(resources.ref(server));

/** Puts back what the run changed and can safely put back; records what it cannot. */
export async function compensate(ctx: CompensationContext): Promise<void> {
  const { runId, plan, resources, tunnels, status, replicaDone, execute, log } = ctx;
  const master = resources.server(plan.master);
  const finished = finishedIn(status);
  const ref = refIn(resources);
  const calm = new AbortController().signal;
  // A dropped tunnel is opened again, so compensation can check schemas and hold locks.
  if ([plan.master, ...plan.replicas].some((name) => tunnels.droppedFor(name))) {
    const reopened = await tunnels.reopen();
    log('warn', `compensation: SSH tunnel${reopened.length === 1 ? '' : 's'} reopened for ${reopened.length > 0 ? reopened.join(', ') : 'no server (still unreachable)'}`);
  }
  const record = (entry: Omit<CompensationEntry, 'at'>) => {
    ctx.runs.addCompensation(runId, entry);
    log(entry.outcome === 'failed' ? 'error' : 'warn', `compensation: ${entry.message}`);
  };
  const stepOf = (id: StepId, replica: string | null) => plan.steps.find((s) => s.id === id && s.replica === replica);
  const startMasterStep = stepOf('start-master', null);
  if (ctx.runs.get(runId)!.captured.masterStoppedByRun && startMasterStep && !finished(startMasterStep)) {
    await execute(startMasterStep, calm).then(
      () => record({ action: 'start-master', target: ref(master), outcome: 'done', message: `started the master ${ref(master)} again` }),
      (e: Error) => record({ action: 'start-master', target: ref(master), outcome: 'failed', message: `could not start the master ${ref(master)}: ${e.message}` }),
    );
  }
  for (const replica of plan.replicas) {
    if (replicaDone.has(replica)) continue;
    if (modeOf(plan) === 'side-by-side') {
      await compensateSideBySide(ctx, replica, stepOf, record);
      continue;
    }
    const server = resources.server(replica);
    const stop = stepOf('stop-replica', replica)!;
    const drop = stepOf('drop-schema', replica)!;
    const start = stepOf('start-replica', replica)!;
    const stopTouched = status.get(stop.seq) !== 'pending';
    if (!stopTouched || finished(start)) continue;
    if (await schemaUntouched(resources, server, status.get(drop.seq))) {
      const rival = await lockBeforeStart(ctx, replica);
      if (rival) {
        record({ action: 'leave-stopped', target: ref(server), outcome: 'left-stopped', message: `${ref(server)} was not started again: ${rival}` });
      } else if (!server.control?.start) {
        record({ action: 'start-replica', target: ref(server), outcome: 'failed', message: `${ref(server)} has no start command: start it by hand (its schema was not dropped)` });
      } else {
        await execute(start, calm).then(
          () => record({ action: 'start-replica', target: ref(server), outcome: 'done', message: `started ${ref(server)} again; its schema was not dropped` }),
          (e: Error) => record({ action: 'start-replica', target: ref(server), outcome: 'failed', message: `could not start ${ref(server)} again: ${e.message}` }),
        );
      }
      // A later resume must stop it again before going on.
      const reset: Array<[PlannedStep, string]> = [
        [stop, 'restarted by compensation; will be stopped again on resume'],
        [drop, 'nothing was dropped; will run again on resume'],
        [start, 'started by compensation'],
      ];
      for (const [s, message] of reset) {
        if (s === drop && status.get(s.seq) === 'pending') continue;
        status.set(s.seq, 'pending');
        ctx.runs.setStep(runId, s.seq, 'pending', { message });
      }
    } else {
      record({
        action: 'leave-stopped',
        target: ref(server),
        outcome: 'left-stopped',
        message: `${ref(server)} stays stopped: its schema was dropped or is being restored. Continue with \`replica-desk runs resume ${runId}\`.`,
      });
    }
  }
}

/**
 * Side by side, the replica's schema is whole at every moment: the old one until the swap
 * commits, the restored, fixed-up and verified one after (both renames are one
 * transaction). So a replica the run stopped is always started again. Before the swap, the
 * stop, swap and start go back to pending (a resume stops it again); the shadow stays for
 * the resume. After the swap, only the verification is left. A rollback's swap back is the
 * same, with the previous schema in the shadow's place.
 */
async function compensateSideBySide(
  ctx: CompensationContext,
  replica: string,
  stepOf: (id: StepId, replica: string | null) => PlannedStep | undefined,
  record: (entry: Omit<CompensationEntry, 'at'>) => void,
): Promise<void> {
  const { runId, plan, resources, status, execute } = ctx;
  const finished = finishedIn(status);
  const ref = refIn(resources);
  const server = resources.server(replica);
  const rollback = kindOf(plan) === 'rollback';
  const stop = stepOf('stop-replica', replica)!;
  const swap = stepOf(rollback ? 'swap-back' : 'swap', replica)!;
  const start = stepOf('start-replica', replica)!;
  if (status.get(stop.seq) === 'pending' || finished(start)) return;
  const swapped = finished(swap) || (await swapCommitted(ctx, server));
  const what = rollback
    ? swapped
      ? `it runs on its previous schema again (the restored one is kept as ${swapBackNames(server.db.schema, plan.rollbackOf!).undone})`
      : 'its schema was not swapped back'
    : swapped
      ? `it runs on the restored schema (the previous one is kept as ${keptSchemaName(server.db.schema, runId)})`
      : 'its schema was not swapped';
  const rival = await lockBeforeStart(ctx, replica);
  if (rival) {
    record({ action: 'leave-stopped', target: ref(server), outcome: 'left-stopped', message: `${ref(server)} was not started again: ${rival}` });
  } else if (!server.control?.start) {
    record({ action: 'start-replica', target: ref(server), outcome: 'failed', message: `${ref(server)} has no start command: start it by hand (${what})` });
  } else {
    await execute(start, new AbortController().signal).then(
      () => record({ action: 'start-replica', target: ref(server), outcome: 'done', message: `started ${ref(server)} again; ${what}` }),
      (e: Error) => record({ action: 'start-replica', target: ref(server), outcome: 'failed', message: `could not start ${ref(server)} again: ${e.message}` }),
    );
  }
  if (swapped) return;
  const reset: Array<[PlannedStep, string]> = [
    [stop, 'restarted by compensation; will be stopped again on resume'],
    [swap, `nothing was swapped${rollback ? ' back' : ''}; will run again on resume`],
    [start, 'started by compensation'],
  ];
  for (const [s, message] of reset) {
    if (status.get(s.seq) === 'pending') continue;
    status.set(s.seq, 'pending');
    ctx.runs.setStep(runId, s.seq, 'pending', { message });
  }
}

/**
 * Whether a swap (or swap back) that did not record itself committed: the schema that was
 * to take the name is gone and the one set aside is there.
 */
async function swapCommitted({ runId, plan, resources }: CompensationContext, server: Server): Promise<boolean> {
  const schema = server.db.schema;
  const [incoming, outgoing] =
    kindOf(plan) === 'rollback'
      ? [swapBackNames(schema, plan.rollbackOf!).previous, swapBackNames(schema, plan.rollbackOf!).undone]
      : [shadowSchemaName(schema), keptSchemaName(schema, runId)];
  try {
    const client = await resources.client(server);
    return !(await schemaExists(client, incoming)) && (await schemaExists(client, outgoing));
  } catch {
    return false;
  }
}

/**
 * Whether the replica's schema is as it was: its drop never ran, or it was refused or
 * cancelled before it committed (a drop is one transaction, so a schema still there is
 * whole). When that cannot be told, it is not.
 */
async function schemaUntouched(resources: RestoreResources, server: Server, dropStatus: string | undefined): Promise<boolean> {
  if (dropStatus === 'pending') return true;
  if (dropStatus !== 'failed' && dropStatus !== 'cancelled') return false;
  try {
    return await schemaExists(await resources.client(server), server.db.schema);
  } catch {
    return false;
  }
}

/** Null when this run holds (or could take back) the replica's lock; otherwise why not. */
async function lockBeforeStart({ locks, identities, resources }: CompensationContext, replica: string): Promise<string | null> {
  if (locks.holds(replica)) return null;
  const identity = identities[replica];
  if (!identity) return 'the run has no recorded identity for it';
  try {
    await locks.acquire(replica, refIn(resources)(resources.server(replica)), identity);
    return null;
  } catch (e) {
    return toErrorPayload(e).message;
  }
}
