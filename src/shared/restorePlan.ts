// The shape of a restore: which steps run, in which order, for which replica, and exactly
// what each one will execute (secrets masked). Built by planRestore.ts, stored with the
// run, shown by --dry-run and the wizard, and replayed by the runner on resume.
import type { Installation } from './profiles';
import type { RouteView } from './sshRoutes';

export type StepId =
  | 'confirm-publications'
  | 'stop-replica'
  | 'stop-master'
  | 'dump-master'
  | 'start-master'
  | 'copy-key'
  | 'drop-schema'
  | 'restore'
  | 'fixups'
  | 'start-replica'
  | 'verify'
  // Side-by-side mode: the replica serves while its next schema is built beside it.
  | 'restore-shadow'
  | 'fixups-shadow'
  | 'verify-shadow'
  | 'swap'
  // Rollback of a side-by-side run: the previous schema takes the replica's name back.
  | 'swap-back'
  // Rollback: the key file the rolled-back run set aside goes back in place.
  | 'restore-key';

/**
 * `in-place`: the vendor's way — stop, drop, restore, start (the replica is down throughout).
 * `side-by-side`: restore into a shadow schema while the replica runs, then stop, swap, start.
 */
export type RestoreMode = 'in-place' | 'side-by-side';

/**
 * `restore`: the master's data onto replicas. `rollback`: a side-by-side restore undone —
 * each replica stopped, its previous schema swapped back in, started and verified.
 */
export type RunKind = 'restore' | 'rollback';

export interface PlannedAction {
  kind: 'sql' | 'command' | 'tool' | 'confirm' | 'copy';
  /** Where it runs, e.g. `prod-eu/rls1 (ssh coremedia@rls1:22)` or `127.0.0.1:5432/coremedia`. */
  where: string;
  /** The exact SQL, command line or instruction, secrets masked. */
  text: string;
}

export interface PlannedStep {
  seq: number;
  id: StepId;
  /** The replica's server name, or null for a step on the master. */
  replica: string | null;
  title: string;
  /** Needs the replica's name typed back (or --yes) before the run starts. */
  destructive: boolean;
  /** No command is configured: the admin does it and confirms. */
  manual: boolean;
  actions: PlannedAction[];
}

export interface RestorePlan {
  installation: Installation;
  master: string;
  replicas: string[];
  backup: { mode: 'dump'; dir: string } | { mode: 'existing'; file: string };
  /** Absent in plans recorded before side-by-side existed: those are in-place. */
  mode?: RestoreMode;
  /** Why this mode, and the replica's downtime window, in words for the plan and the wizard. */
  modeReason?: string;
  /** Absent in plans recorded before rollback existed: those are restores. */
  kind?: RunKind;
  /** A rollback: the side-by-side run it undoes. */
  rollbackOf?: string;
  /** The swap's (or swap back's) lock_timeout, given by `--lock-timeout`; absent: the default, 10 s. */
  swapLockTimeoutMs?: number;
  /** Per server (`installation/server`) whose database is reached through an SSH tunnel: the route. */
  routes?: Record<string, RouteView>;
  steps: PlannedStep[];
}

export const kindOf = (plan: Pick<RestorePlan, 'kind'>): RunKind => plan.kind ?? 'restore';

export const modeOf = (plan: Pick<RestorePlan, 'mode'>): RestoreMode => plan.mode ?? 'in-place';

/** A replica's downtime in a plan: from the step that stops it to the step that starts it again. */
export interface DowntimeWindow {
  replica: string;
  fromSeq: number;
  toSeq: number;
}

/** Each replica's downtime window, by step number (a replica without both steps has none). */
export function downtimeWindows(plan: Pick<RestorePlan, 'replicas' | 'steps'>): DowntimeWindow[] {
  return plan.replicas.flatMap((replica) => {
    const seq = (id: StepId) => plan.steps.find((s) => s.id === id && s.replica === replica)?.seq;
    const fromSeq = seq('stop-replica');
    const toSeq = seq('start-replica');
    return fromSeq !== undefined && toSeq !== undefined ? [{ replica, fromSeq, toSeq }] : [];
  });
}

/** Steps that act on the master before the replicas are restored, in order. */
export const MASTER_PHASE: readonly StepId[] = ['confirm-publications', 'stop-replica', 'stop-master', 'dump-master', 'start-master'];

/**
 * Whether a step runs in the master phase (in order, before any replica's own steps). In
 * side-by-side mode a replica is stopped only after its shadow schema is ready, so its stop
 * belongs to its own steps.
 */
export function inMasterPhase(plan: Pick<RestorePlan, 'mode' | 'kind'>, step: Pick<PlannedStep, 'id'>): boolean {
  if (step.id === 'stop-replica' && (modeOf(plan) === 'side-by-side' || kindOf(plan) === 'rollback')) return false;
  return MASTER_PHASE.includes(step.id);
}

export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped' | 'cancelled';
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';
export type ReplicaStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface PreflightFinding {
  check: string;
  server: string | null;
  ok: boolean;
  severity: 'error' | 'warning' | 'info';
  message: string;
  hint?: string;
}

