// How a restore's steps fall into phases and where each replica is down, for the plan, the
// run monitor and the summary. Pure: plan steps and recorded steps both fit the shape
// (recorded steps name the replica `installation/server`, plan steps just the server).
import { inMasterPhase, modeOf, type PlannedStep, type RestoreMode, type RunKind, type StepId } from '../../../shared/restorePlan';

export interface PhasedStep {
  seq: number;
  id: string;
  replica: string | null;
}

export interface StepGroup<S extends PhasedStep> {
  key: string;
  title: string;
  /** The replica the group is for; null for the master phase (and the master's own later steps). */
  replica: string | null;
  steps: S[];
}

export const MODE_LABEL: Record<RestoreMode, string> = { 'side-by-side': 'Side by side', 'in-place': "In place (vendor's procedure)" };

const masterPhaseTitle = (mode: RestoreMode): string =>
  mode === 'side-by-side' ? 'Back up the master (the replicas keep serving)' : 'Stop the replicas and back up the master';

/**
 * The master phase first (in order, before any replica's own steps), then each replica's own
 * steps, which run side by side. Which steps belong to the master phase depends on the mode:
 * side by side, a replica is stopped only for its swap, within its own steps.
 */
export function groupStepsByPhase<S extends PhasedStep>(
  plan: { mode?: RestoreMode; kind?: RunKind },
  steps: S[],
  groupTitle: (replica: string | null) => string,
): Array<StepGroup<S>> {
  const master = steps.filter((s) => inMasterPhase(plan, { id: s.id as StepId }));
  const rest = steps.filter((s) => !master.includes(s));
  const replicas = [...new Set(rest.map((s) => s.replica))];
  return [
    { key: 'master-phase', title: masterPhaseTitle(modeOf(plan)), replica: null, steps: master },
    ...replicas.map((r) => ({ key: r ?? 'master', title: groupTitle(r), replica: r, steps: rest.filter((s) => s.replica === r) })),
  ].filter((g) => g.steps.length > 0);
}

export interface DowntimeWindow {
  replica: string;
  /** The replica's stop step, and the step that starts it again (null: the plan does not restart it). */
  fromSeq: number;
  toSeq: number | null;
}

/** Per replica: from its stop step to its start step, by step number. */
export function downtimeWindows(steps: PhasedStep[]): DowntimeWindow[] {
  return steps
    .filter((s) => s.id === 'stop-replica' && s.replica !== null)
    .map((stop) => ({
      replica: stop.replica!,
      fromSeq: stop.seq,
      toSeq: steps.find((s) => s.id === 'start-replica' && s.replica === stop.replica && s.seq > stop.seq)?.seq ?? null,
    }));
}

/**
 * The replicas down while a step runs: those whose window holds the step's number, for the
 * replica's own steps and the master's (in place, the backup runs while the replicas are down).
 */
export function replicasDownDuring(windows: DowntimeWindow[], step: PhasedStep): string[] {
  return windows
    .filter((w) => (step.replica === null || step.replica === w.replica) && step.seq >= w.fromSeq && step.seq <= (w.toSeq ?? Infinity))
    .map((w) => w.replica);
}

/** The step that swaps a replica's schemas: the swap of a restore, or the swap back of a rollback. */
export const isSwapStep = (step: Pick<PhasedStep, 'id'>): boolean => step.id === 'swap' || step.id === 'swap-back';

/** The swap's renames (the statements that move the schemas), exactly as the step will run them. */
export const renameStatements = (step: Pick<PlannedStep, 'actions'>): string[] =>
  step.actions.filter((a) => a.kind === 'sql' && /^ALTER SCHEMA /i.test(a.text)).map((a) => a.text);
