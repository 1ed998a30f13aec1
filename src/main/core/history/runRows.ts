// A run as the history reads it back from SQLite: the row shapes (run, replica with its
// summary, step), and their assembly from the database's rows. RunStore (writes, one run)
// and RunListQuery (lists, pages, targeted lookups) both build their runs here.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { SqliteDatabase } from '../store/database';
import type { ReplicaStatus, RestorePlan, RunStatus, StepStatus } from '../../../shared/restorePlan';
import type { CompensationEntry } from '../../../shared/runRecord';

export interface StepRow {
  seq: number;
  id: string;
  replica: string | null;
  title: string;
  status: StepStatus;
  startedAt: string | null;
  finishedAt: string | null;
  message: string | null;
  captured: Record<string, unknown>;
}

/** A step as a replica's summary keeps it: its status and the captured values the record uses. */
export type SummaryStep = Pick<StepRow, 'status' | 'captured'> & Partial<Pick<StepRow, 'finishedAt'>>;

/**
 * What the run record needs of one replica's steps (migration 10 keeps it beside the replica,
 * triggers refresh it with every step write): the first step of each kind, with the values
 * the record reads, and whether its restore step is still to do. A list reads no steps.
 */
export interface ReplicaSummary {
  fixups: SummaryStep | null;
  verify: SummaryStep | null;
  stop: SummaryStep | null;
  start: SummaryStep | null;
  swap: SummaryStep | null;
  restoreLeft: boolean;
}

export interface ReplicaRow {
  replica: string;
  status: ReplicaStatus;
  message: string | null;
  summary: ReplicaSummary;
}

export type PlanSummary = Pick<RestorePlan, 'kind' | 'mode' | 'rollbackOf' | 'backup' | 'replicas'>;

export interface RunRow {
  runId: string;
  installation: string;
  status: RunStatus;
  /** A run still marked running whose process on this host is gone. */
  interrupted: boolean;
  /** The whole plan: large, so list rows read it from the database on first use. */
  plan: RestorePlan;
  /** What a list needs of the plan: read with every row. */
  planSummary: PlanSummary;
  captured: Record<string, unknown>;
  /** The dump-master step's captured backup (null when it has none yet). */
  dumpBackup: unknown;
  compensation: CompensationEntry[];
  message: string | null;
  createdAt: string;
  finishedAt: string | null;
  owner: { host: string | null; pid: number | null };
  /** A run of the sandbox's installation (marked when created; stays after `sandbox down`). */
  sandbox: boolean;
  replicas: ReplicaRow[];
  /** Every step, in order; empty when the list was asked for no steps (the summaries stay). */
  steps: StepRow[];
}

export const parse = <T>(text: string | null, fallback: T): T => (text ? (JSON.parse(text) as T) : fallback);

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed process nobody has reaped yet still answers kill(0); on Linux its state says so.
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** Still marked running, owned by this host, and its process is gone. */
export const isInterrupted = (row: { status: RunStatus; owner_host: string | null; owner_pid: number | null }): boolean =>
  row.status === 'running' && row.owner_host === hostname() && (row.owner_pid === null || !isAlive(row.owner_pid));

/**
 * The runs columns every read takes (the large plan aside: `plan` or `plan_summary` is added).
 * With plan_summary they are migration 10's covering index runs_list: keep the two alike.
 */
export const RUN_COLUMNS = 'id, installation, status, captured, dump_backup, compensation, message, owner_host, owner_pid, created_at, finished_at, sandbox';

export interface DbRunBase {
  id: string;
  installation: string;
  status: RunStatus;
  captured: string;
  dump_backup: string | null;
  compensation: string;
  message: string | null;
  owner_host: string | null;
  owner_pid: number | null;
  created_at: string;
  finished_at: string | null;
  /** 1 for a run of the sandbox's installation (migration 11). */
  sandbox: number;
}

/** A run row with its whole plan (one run), or with the plan's summary only (lists). */
export type DbRun = DbRunBase & ({ plan: string } | { plan_summary: string | null });

export const REPLICA_COLUMNS = 'replica, status, message, summary';

export interface DbReplica {
  replica: string;
  status: ReplicaStatus;
  message: string | null;
  summary: string;
}

const EMPTY_SUMMARY: ReplicaSummary = { fixups: null, verify: null, stop: null, start: null, swap: null, restoreLeft: false };

export const toReplicaRow = (r: DbReplica): ReplicaRow => ({
  replica: r.replica,
  status: r.status,
  message: r.message,
  summary: { ...EMPTY_SUMMARY, ...parse<Partial<ReplicaSummary>>(r.summary, {}) },
});

// The plan's small fields, in the order of migration 10's runs.plan_summary (a JSON array):
// a list of thousands never loads whole plans.
const PLAN_SUMMARY_FIELDS = ['kind', 'mode', 'rollbackOf', 'backup', 'replicas'] as const;

/** The summary migration 10 keeps, with JSON nulls as absent fields. */
function toPlanSummary(values: unknown[]): PlanSummary {
  const v = Object.fromEntries(PLAN_SUMMARY_FIELDS.map((f, i) => [f, values[i]]));
  return {
    replicas: Array.isArray(v.replicas) ? (v.replicas as string[]) : [],
    backup: (v.backup ?? { mode: 'dump', dir: '' }) as RestorePlan['backup'],
    ...(typeof v.kind === 'string' ? { kind: v.kind as RestorePlan['kind'] } : {}),
    ...(typeof v.mode === 'string' ? { mode: v.mode as RestorePlan['mode'] } : {}),
    ...(typeof v.rollbackOf === 'string' ? { rollbackOf: v.rollbackOf } : {}),
  };
}

export const STEP_COLUMNS = ['seq', 'id', 'replica', 'title', 'status', 'started_at', 'finished_at', 'message', 'captured'] as const;

/** A step from its STEP_COLUMNS values, starting at `at` in a raw row. */
export function stepFromColumns(v: unknown[], at = 0): StepRow {
  const captured = v[at + 8] as string;
  return {
    seq: v[at] as number,
    id: v[at + 1] as string,
    replica: v[at + 2] as string | null,
    title: v[at + 3] as string,
    status: v[at + 4] as StepStatus,
    startedAt: v[at + 5] as string | null,
    finishedAt: v[at + 6] as string | null,
    message: v[at + 7] as string | null,
    // Most steps capture nothing: no parse for those.
    captured: captured === '{}' ? {} : parse<Record<string, unknown>>(captured, {}),
  };
}

/** A RunRow of its database rows; a list row reads its plan from the database on first use. */
export function assembleRun(db: SqliteDatabase, row: DbRun, replicas: ReplicaRow[], steps: StepRow[]): RunRow {
  let plan: RestorePlan | undefined;
  const readPlan = () => ('plan' in row ? row.plan : (db.prepare('SELECT plan FROM runs WHERE id = ?').pluck().get(row.id) as string | undefined) ?? null);
  const summary = 'plan_summary' in row && row.plan_summary !== null ? toPlanSummary(parse<unknown[]>(row.plan_summary, [])) : undefined;
  return {
    runId: row.id,
    installation: row.installation,
    status: row.status,
    interrupted: isInterrupted(row),
    // The plan is the largest column; lists rarely need it, so it is parsed on first use.
    get plan() {
      return (plan ??= parse<RestorePlan>(readPlan(), {} as RestorePlan));
    },
    get planSummary() {
      return summary ?? this.plan;
    },
    captured: parse<Record<string, unknown>>(row.captured, {}),
    dumpBackup: parse<unknown>(row.dump_backup, null),
    compensation: parse<CompensationEntry[]>(row.compensation, []),
    message: row.message,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    owner: { host: row.owner_host, pid: row.owner_pid },
    sandbox: row.sandbox === 1,
    replicas,
    steps,
  };
}
