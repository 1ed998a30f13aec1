// The shape of a restore: which steps run, in which order, for which replica, and exactly
// what each one will execute (secrets masked). Built by planRestore.ts, stored with the
// run, shown by --dry-run and the wizard, and replayed by the runner on resume.
import type { Installation } from './profiles';

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
  | 'verify';

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
  steps: PlannedStep[];
}

/** Steps that act on the master before the replicas are restored, in order. */
export const MASTER_PHASE: readonly StepId[] = ['confirm-publications', 'stop-replica', 'stop-master', 'dump-master', 'start-master'];

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

