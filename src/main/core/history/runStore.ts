// The restore history in SQLite: every run, each replica in it, each step with its status,
// timestamps, message and captured values, and the masked log. A step is written as
// `running` before it acts and `done` after, so a killed process leaves the run visibly
// unfinished and `runs resume` knows where to continue.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { ReplicaDeskError } from '../errors';
import type { ChildRecord, ChildRole } from '../processes/childProcesses';
import { stillRunning } from '../processes/processIdentity';
import { maskSecrets } from '../secrets/secret';
import { asBackup, asDeletion, type RunDumpFacts } from './runDump';
import { KeptSchemaStore } from './keptSchemaStore';
import type { SqliteDatabase } from '../store/database';
import type { ReplicaStatus, RestorePlan, RunStatus, StepStatus } from '../../../shared/restorePlan';
import type { CompensationEntry, DumpDeletion, LogRow } from '../../../shared/runRecord';

export type { CompensationEntry, LogRow };

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
  compensation: CompensationEntry[];
  message: string | null;
  createdAt: string;
  finishedAt: string | null;
  owner: { host: string | null; pid: number | null };
  replicas: Array<{ replica: string; status: ReplicaStatus; message: string | null }>;
  steps: StepRow[];
}

export type PlanSummary = Pick<RestorePlan, 'kind' | 'mode' | 'rollbackOf' | 'backup' | 'replicas'>;

export interface ActiveRun {
  runId: string;
  host: string | null;
  pid: number | null;
  startedAt: string;
  replicas: string[];
}

export class RunConflictError extends ReplicaDeskError {
  constructor(installation: string, active: ActiveRun) {
    super(
      'run-in-progress',
      `Run ${active.runId} (pid ${active.pid ?? '?'} on ${active.host ?? 'an unknown host'}, started ${active.startedAt}) is still restoring ${active.replicas.map((r) => `${installation}/${r}`).join(', ')}. Nothing was stopped or changed.`,
      `Wait for run ${active.runId} to finish (\`replica-desk runs show ${active.runId}\`); one run per replica at a time.`,
    );
  }
}

const now = () => new Date().toISOString();
const parse = <T>(text: string | null, fallback: T): T => (text ? (JSON.parse(text) as T) : fallback);

function isAlive(pid: number): boolean {
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

export function newRunId(date = new Date()): string {
  const stamp = date.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

export class RunStore {
  /** The schemas side-by-side runs set aside, and what became of them (migration 8). */
  readonly kept: KeptSchemaStore;

  constructor(private readonly db: SqliteDatabase) {
    this.kept = new KeptSchemaStore(db);
  }

  /**
   * Creates a run, in one transaction with the check that no other live run on this
   * workstation holds any of its replicas (RunConflictError otherwise). Across workstations,
   * the run's database locks do the same (restore/runLocks.ts).
   */
  create(plan: RestorePlan, captured: Record<string, unknown> = {}, runId: string = newRunId()): string {
    this.db.transaction(() => {
      this.refuseConflicts(plan.installation.name, plan.replicas, null);
      this.db
        .prepare(
          'INSERT INTO runs (id, installation, status, plan, captured, owner_host, owner_pid, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(runId, plan.installation.name, 'running', JSON.stringify(plan), JSON.stringify(captured), hostname(), process.pid, now());
      const replica = this.db.prepare("INSERT INTO run_replicas (run_id, replica, status) VALUES (?, ?, 'pending')");
      for (const r of plan.replicas) replica.run(runId, r);
      const step = this.db.prepare(
        "INSERT INTO run_steps (run_id, seq, id, replica, title, status) VALUES (?, ?, ?, ?, ?, 'pending')",
      );
      for (const s of plan.steps) step.run(runId, s.seq, s.id, s.replica, s.title);
    }).immediate();
    return runId;
  }

  /**
   * Takes over an unfinished run for this process (resume), atomically: `check` sees the run
   * as it is inside the transaction and throws to refuse; two resumes of one run, or a resume
   * beside another live run on the same replicas, cannot both win.
   */
  claim(runId: string, check: (run: RunRow) => void = () => undefined): void {
    this.db.transaction(() => {
      const run = this.get(runId);
      if (!run) throw new Error(`run ${runId} does not exist`);
      check(run);
      this.refuseConflicts(run.installation, run.replicas.filter((r) => r.status !== 'succeeded').map((r) => r.replica), runId);
      this.db
        .prepare("UPDATE runs SET status = 'running', owner_host = ?, owner_pid = ?, finished_at = NULL, message = NULL WHERE id = ?")
        .run(hostname(), process.pid, runId);
    }).immediate();
  }

  /** Live runs (other than `except`) that hold any of these replicas of the installation. */
  activeRunsOn(installation: string, replicas: readonly string[], except: string | null = null): ActiveRun[] {
    if (replicas.length === 0) return [];
    const wanted = new Set(replicas.map((r) => r.toLowerCase()));
    const rows = this.db
      .prepare(
        `SELECT r.id, r.owner_host, r.owner_pid, r.created_at, rr.replica
           FROM runs r JOIN run_replicas rr ON rr.run_id = r.id
          WHERE r.status = 'running' AND r.installation = ? COLLATE NOCASE AND rr.status <> 'succeeded' AND r.id IS NOT ?`,
      )
      .all(installation, except) as Array<{ id: string; owner_host: string | null; owner_pid: number | null; created_at: string; replica: string }>;
    const byRun = new Map<string, ActiveRun>();
    for (const row of rows) {
      if (!wanted.has(row.replica.toLowerCase())) continue;
      // A run of this host whose process is gone is interrupted, not active: resume it or start anew.
      if (row.owner_host === hostname() && (row.owner_pid === null || !isAlive(row.owner_pid))) continue;
      const run = byRun.get(row.id) ?? { runId: row.id, host: row.owner_host, pid: row.owner_pid, startedAt: row.created_at, replicas: [] };
      run.replicas.push(row.replica);
      byRun.set(row.id, run);
    }
    return [...byRun.values()];
  }

  private refuseConflicts(installation: string, replicas: readonly string[], except: string | null): void {
    const [active] = this.activeRunsOn(installation, replicas, except);
    if (active) throw new RunConflictError(installation, active);
  }

  setStep(runId: string, seq: number, status: StepStatus, fields: { message?: string | null; captured?: Record<string, unknown> } = {}): void {
    const at = now();
    const started = status === 'running' ? at : null;
    const finished = status === 'running' || status === 'pending' ? null : at;
    this.db
      .prepare(
        `UPDATE run_steps SET status = ?,
           started_at = CASE WHEN ? IS NOT NULL THEN ? ELSE started_at END,
           finished_at = ?,
           message = CASE WHEN ? THEN ? ELSE message END,
           captured = CASE WHEN ? IS NOT NULL THEN json_patch(captured, ?) ELSE captured END
         WHERE run_id = ? AND seq = ?`,
      )
      .run(
        status,
        started,
        started,
        finished,
        fields.message !== undefined ? 1 : 0,
        fields.message === undefined || fields.message === null ? null : maskSecrets(fields.message),
        fields.captured ? 1 : null,
        fields.captured ? maskSecrets(JSON.stringify(fields.captured)) : null,
        runId,
        seq,
      );
  }

  setReplica(runId: string, replica: string, status: ReplicaStatus, message: string | null = null): void {
    this.db
      .prepare('UPDATE run_replicas SET status = ?, message = ? WHERE run_id = ? AND replica = ?')
      .run(status, message === null ? null : maskSecrets(message), runId, replica);
  }

  capture(runId: string, values: Record<string, unknown>): void {
    this.db.prepare('UPDATE runs SET captured = json_patch(captured, ?) WHERE id = ?').run(maskSecrets(JSON.stringify(values)), runId);
  }

  addCompensation(runId: string, entry: Omit<CompensationEntry, 'at'>): void {
    const row = this.db.prepare('SELECT compensation FROM runs WHERE id = ?').get(runId) as { compensation: string };
    const list = parse<CompensationEntry[]>(row.compensation, []);
    list.push({ ...entry, message: maskSecrets(entry.message), at: now() });
    this.db.prepare('UPDATE runs SET compensation = ? WHERE id = ?').run(JSON.stringify(list), runId);
  }

  /**
   * What dump retention needs of every run (history/runDump.ts), in one query: no steps,
   * logs or plans are loaded, so it stays quick over a history of thousands of runs. With an
   * installation: its runs, and every unfinished run (any of them may read any file).
   */
  dumpFacts(filter: { installation?: string } = {}): RunDumpFacts[] {
    const rows = this.db
      .prepare(
        `SELECT r.id, r.installation, r.status, r.owner_host, r.owner_pid, r.created_at,
                COALESCE(json_extract(r.captured, '$.backup'),
                         (SELECT json_extract(s.captured, '$.backup') FROM run_steps s WHERE s.run_id = r.id AND s.id = 'dump-master' LIMIT 1)) AS backup,
                json_extract(r.captured, '$.dumpDeleted') AS dump_deleted,
                -- A succeeded run needs no file: its large plan and its steps are not read.
                CASE WHEN r.status <> 'succeeded' AND json_extract(r.plan, '$.backup.mode') = 'existing' THEN json_extract(r.plan, '$.backup.file') END AS planned_file,
                CASE WHEN r.status = 'succeeded' THEN 0 ELSE EXISTS (
                  SELECT 1 FROM run_steps s JOIN run_replicas rr ON rr.run_id = s.run_id AND rr.replica = s.replica
                   WHERE s.run_id = r.id AND s.id = 'restore' AND s.status NOT IN ('done', 'skipped') AND rr.status <> 'succeeded') END AS restore_left
           FROM runs r
          WHERE @installation IS NULL OR r.installation = @installation COLLATE NOCASE OR r.status <> 'succeeded'
          ORDER BY r.created_at DESC`,
      )
      .all({ installation: filter.installation ?? null }) as Array<{
      id: string;
      installation: string;
      status: RunStatus;
      owner_host: string | null;
      owner_pid: number | null;
      created_at: string;
      backup: string | null;
      dump_deleted: string | null;
      planned_file: string | null;
      restore_left: number;
    }>;
    return rows.map((r) => ({
      runId: r.id,
      installation: r.installation,
      createdAt: r.created_at,
      status: r.status,
      interrupted: r.status === 'running' && r.owner_host === hostname() && (r.owner_pid === null || !isAlive(r.owner_pid)),
      backup: asBackup(parse(r.backup, null)),
      dumpDeleted: asDeletion(parse(r.dump_deleted, null)),
      restoreLeft: r.restore_left === 1,
      plannedFile: () => r.planned_file,
    }));
  }

  /** Records that the run's dump file was deleted, when and why (history/dumpRetention.ts). */
  markDumpDeleted(runId: string, deletion: DumpDeletion): void {
    this.capture(runId, { dumpDeleted: deletion });
  }

  /**
   * Runs `work` in one IMMEDIATE transaction: no other process can create, claim or finish a
   * run meanwhile, so what `work` reads of the runs stays true while it acts on it.
   */
  exclusively<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  /** Runs `work` in one read transaction: what it reads in several queries is one state of the history. */
  consistently<T>(work: () => T): T {
    return this.db.transaction(work).deferred();
  }

  finish(runId: string, status: Exclude<RunStatus, 'running'>, message: string | null): void {
    this.db
      .prepare('UPDATE runs SET status = ?, message = ?, finished_at = ?, owner_pid = NULL WHERE id = ?')
      .run(status, message === null ? null : maskSecrets(message), now(), runId);
  }

  log(runId: string, level: string, message: string, stepSeq: number | null = null): void {
    this.db
      .prepare('INSERT INTO run_log (run_id, at, level, step_seq, message) VALUES (?, ?, ?, ?, ?)')
      .run(runId, now(), level, stepSeq, maskSecrets(message));
  }

  logs(runId: string): LogRow[] {
    return (
      this.db.prepare('SELECT at, level, step_seq, message FROM run_log WHERE run_id = ? ORDER BY id').all(runId) as Array<{
        at: string;
        level: string;
        step_seq: number | null;
        message: string;
      }>
    ).map((r) => ({ at: r.at, level: r.level, stepSeq: r.step_seq, message: r.message }));
  }

  get(runId: string): RunRow | null {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(runId) as DbRun | undefined;
    return row ? this.toRun(row) : null;
  }

  /**
   * Newest first: every run, or the page `limit`/`offset` of them. One pass over the run
   * table (in start order, from the runs_by_created_at or runs_by_installation index); the
   * chosen runs' replicas and steps are looked up by their primary keys.
   */
  list(filter: RunListFilter = {}): RunRow[] {
    const runs = this.db.prepare(runListSql(filter)).all(listParams(filter)) as DbListRun[];
    if (runs.length === 0) return [];
    const ids = JSON.stringify(runs.map((r) => r.id));
    const replicas = this.db
      .prepare('SELECT run_id, replica, status, message FROM run_replicas WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY rowid')
      .all(ids) as Array<{ run_id: string; replica: string; status: ReplicaStatus; message: string | null }>;
    // Tens of thousands of steps: read as arrays, each made a StepRow once.
    const steps = (
      this.db
        .prepare(`SELECT run_id, ${STEP_COLUMNS.join(', ')} FROM run_steps WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY run_id, seq`)
        .raw()
        .all(ids) as unknown[][]
    ).map((values) => ({ run_id: values[0] as string, step: stepFromColumns(values, 1) }));
    const group = <T extends { run_id: string }>(rows: T[]) => {
      const byRun = new Map<string, T[]>();
      for (const r of rows) {
        const list = byRun.get(r.run_id);
        if (list) list.push(r);
        else byRun.set(r.run_id, [r]);
      }
      return byRun;
    };
    const replicasByRun = group(replicas);
    const stepsByRun = group(steps);
    return runs.map((row) => this.assemble(row, replicasByRun.get(row.id) ?? [], (stepsByRun.get(row.id) ?? []).map((s) => s.step)));
  }

  /** How many runs `list` pages through (its filter without limit and offset), from an index alone. */
  count(filter: Pick<RunListFilter, 'installation'> = {}): number {
    const row = this.db.prepare(runCountSql(filter)).get(listParams(filter)) as { n: number };
    return row.n;
  }

  /** Records a child the run spawned, before it can outlive us (processes/runChildTracker.ts). */
  recordProcess(runId: string, child: ChildRecord): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO run_processes
           (run_id, pid, start_time, boot_id, pgid, cmdline, role, description, host, owner_pid, owner_start_time, state, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?)`,
      )
      .run(
        runId,
        child.pid,
        child.startTime,
        child.bootId,
        child.pgid,
        // Masking would only change an argv that holds a password (none should); the changed
        // command line then no longer matches, and the process is left alone.
        maskSecrets(JSON.stringify(child.cmdline)),
        child.role,
        maskSecrets(child.description),
        hostname(),
        child.owner.pid,
        child.owner.startTime,
        now(),
      );
  }

  /** The child has exited, or a later run ended it: it is nobody's leftover any more. */
  processExited(runId: string, pid: number, startTime: string): void {
    this.db
      .prepare("UPDATE run_processes SET state = 'exited', ended_at = ? WHERE run_id = ? AND pid = ? AND start_time = ? AND state = 'running'")
      .run(now(), runId, pid, startTime);
  }

  /** The run's children on this host not known to have exited. */
  unfinishedProcesses(runId: string): ChildRecord[] {
    const rows = this.db
      .prepare("SELECT * FROM run_processes WHERE run_id = ? AND host = ? AND state = 'running' ORDER BY recorded_at")
      .all(runId, hostname()) as DbProcess[];
    return rows.map(toChildRecord);
  }

  /**
   * Leftovers: children on this host, not known to have exited, whose spawning process is
   * gone (any run: a resumed one, an abandoned one, one whose owner died after finishing).
   */
  leftoverProcesses(): Array<ChildRecord & { runId: string }> {
    const rows = this.db
      .prepare("SELECT * FROM run_processes WHERE state = 'running' AND host = ? ORDER BY recorded_at")
      .all(hostname()) as DbProcess[];
    return rows
      .filter((r) => !stillRunning({ pid: r.owner_pid, startTime: r.owner_start_time }, r.boot_id))
      .map((r) => ({ runId: r.run_id, ...toChildRecord(r) }));
  }

  private toRun(row: DbRun): RunRow {
    const replicas = this.db
      .prepare('SELECT replica, status, message FROM run_replicas WHERE run_id = ? ORDER BY rowid')
      .all(row.id) as Array<{ replica: string; status: ReplicaStatus; message: string | null }>;
    const steps = (this.db.prepare('SELECT * FROM run_steps WHERE run_id = ? ORDER BY seq').all(row.id) as DbStep[]).map(toStepRow);
    return this.assemble(row, replicas, steps);
  }

  private assemble(row: DbRun | DbListRun, replicaRows: Array<{ replica: string; status: ReplicaStatus; message: string | null }>, steps: StepRow[]): RunRow {
    const replicas = replicaRows.map((r) => ({ replica: r.replica, status: r.status, message: r.message }));
    const interrupted = row.status === 'running' && row.owner_host === hostname() && (row.owner_pid === null || !isAlive(row.owner_pid));
    let plan: RestorePlan | undefined;
    const readPlan = () => ('plan' in row ? row.plan : (this.db.prepare('SELECT plan FROM runs WHERE id = ?').pluck().get(row.id) as string | undefined) ?? null);
    const planSummary = 'plan_summary' in row ? toPlanSummary(parse<unknown[]>(row.plan_summary, [])) : undefined;
    return {
      runId: row.id,
      installation: row.installation,
      status: row.status,
      interrupted,
      // The plan is the largest column; lists rarely need it, so it is parsed on first use.
      get plan() {
        return (plan ??= parse<RestorePlan>(readPlan(), {} as RestorePlan));
      },
      get planSummary() {
        return planSummary ?? this.plan;
      },
      captured: parse<Record<string, unknown>>(row.captured, {}),
      compensation: parse<CompensationEntry[]>(row.compensation, []),
      message: row.message,
      createdAt: row.created_at,
      finishedAt: row.finished_at,
      owner: { host: row.owner_host, pid: row.owner_pid },
      replicas,
      steps,
    };
  }
}

export interface RunListFilter {
  installation?: string;
  /** At most this many runs; all of them without. */
  limit?: number;
  /** Skips this many of the newest first. */
  offset?: number;
}

// The plan's small fields, picked out by SQLite in one parse of it (a JSON array in this
// order): a list of thousands never loads whole plans.
const PLAN_SUMMARY_FIELDS = ['kind', 'mode', 'rollbackOf', 'backup', 'replicas'] as const;
const PLAN_SUMMARY_SQL = `json_extract(plan, ${PLAN_SUMMARY_FIELDS.map((f) => `'$.${f}'`).join(', ')})`;

const whereInstallation = (filter: RunListFilter) => (filter.installation ? 'WHERE installation = @installation' : '');
/** The runs `list` reads, newest first (exported for the query-plan test). */
export const runListSql = (filter: RunListFilter) =>
  `SELECT id, installation, status, captured, compensation, message, owner_host, owner_pid, created_at, finished_at, ${PLAN_SUMMARY_SQL} AS plan_summary
     FROM runs ${whereInstallation(filter)} ORDER BY created_at DESC, id DESC LIMIT @limit OFFSET @offset`;
export const runCountSql = (filter: RunListFilter) => `SELECT count(*) AS n FROM runs ${whereInstallation(filter)}`;
// SQLite reads a negative LIMIT as none.
export const listParams = (filter: RunListFilter) => ({ installation: filter.installation ?? null, limit: filter.limit ?? -1, offset: filter.offset ?? 0 });

interface DbRun {
  id: string;
  installation: string;
  status: RunStatus;
  plan: string;
  captured: string;
  compensation: string;
  message: string | null;
  owner_host: string | null;
  owner_pid: number | null;
  created_at: string;
  finished_at: string | null;
}

type DbListRun = Omit<DbRun, 'plan'> & { plan_summary: string };

/** The summary SQLite picked out, with JSON nulls as absent fields. */
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

const STEP_COLUMNS = ['seq', 'id', 'replica', 'title', 'status', 'started_at', 'finished_at', 'message', 'captured'] as const;

/** A step from its STEP_COLUMNS values, starting at `at` in a raw row. */
function stepFromColumns(v: unknown[], at = 0): StepRow {
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

const toStepRow = (s: DbStep): StepRow => stepFromColumns(STEP_COLUMNS.map((c) => s[c]));

interface DbStep {
  seq: number;
  id: string;
  replica: string | null;
  title: string;
  status: StepStatus;
  started_at: string | null;
  finished_at: string | null;
  message: string | null;
  captured: string;
}

interface DbProcess {
  run_id: string;
  pid: number;
  start_time: string;
  boot_id: string | null;
  pgid: number;
  cmdline: string;
  role: ChildRole;
  description: string;
  owner_pid: number;
  owner_start_time: string;
}

function toChildRecord(r: DbProcess): ChildRecord {
  return {
    pid: r.pid,
    pgid: r.pgid,
    startTime: r.start_time,
    bootId: r.boot_id,
    cmdline: parse<string[]>(r.cmdline, []),
    role: r.role,
    description: r.description,
    owner: { pid: r.owner_pid, startTime: r.owner_start_time },
  };
}
