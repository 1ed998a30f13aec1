// The restore history in SQLite: every run, each replica in it, each step with its status,
// timestamps, message and captured values, and the masked log. A step is written as
// `running` before it acts and `done` after, so a killed process leaves the run visibly
// unfinished and `runs resume` knows where to continue.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { ReplicaDeskError } from '../errors';
import type { ChildRecord, ChildRole } from '../processes/childProcesses';
import { stillRunning } from '../processes/processIdentity';
import { maskSecrets } from '../secrets/secret';
import { asBackup, asDeletion, type RunDumpFacts } from './runDump';
import { KeptSchemaStore } from './keptSchemaStore';
import { RunListQuery, type RunListFilter, type RunListOptions } from './runListQuery';
import { assembleRun, isAlive, isInterrupted, parse, REPLICA_COLUMNS, RUN_COLUMNS, STEP_COLUMNS, stepFromColumns, toReplicaRow, type DbReplica, type DbRun, type RunRow } from './runRows';
import type { SqliteDatabase } from '../store/database';
import type { ReplicaStatus, RestorePlan, RunStatus, StepStatus } from '../../../shared/restorePlan';
import type { CompensationEntry, DumpDeletion, LogRow } from '../../../shared/runRecord';

export type { CompensationEntry, LogRow };
export type { PlanSummary, ReplicaRow, ReplicaSummary, RunRow, StepRow } from './runRows';
export type { RunListFilter, RunListOptions } from './runListQuery';

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

export function newRunId(date = new Date()): string {
  const stamp = date.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

export class RunStore {
  /** The schemas side-by-side runs set aside, and what became of them (migration 8). */
  readonly kept: KeptSchemaStore;

  /** Lists, pages and targeted lookups over many runs (history/runListQuery.ts). */
  readonly query: RunListQuery;

  constructor(private readonly db: SqliteDatabase) {
    this.kept = new KeptSchemaStore(db);
    this.query = new RunListQuery(db);
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
   * logs or plans are loaded (what it needs of the steps, the summaries of migration 10
   * say), so it stays quick over a history of thousands of runs. With an installation: its
   * runs, and every unfinished run (any of them may read any file).
   */
  dumpFacts(filter: { installation?: string } = {}): RunDumpFacts[] {
    const rows = this.db
      .prepare(
        `SELECT r.id, r.installation, r.status, r.owner_host, r.owner_pid, r.created_at,
                COALESCE(json_extract(r.captured, '$.backup'), r.dump_backup) AS backup,
                json_extract(r.captured, '$.dumpDeleted') AS dump_deleted,
                -- A succeeded run needs no file: its large plan and its steps are not read.
                CASE WHEN r.status <> 'succeeded' AND json_extract(r.plan, '$.backup.mode') = 'existing' THEN json_extract(r.plan, '$.backup.file') END AS planned_file,
                CASE WHEN r.status = 'succeeded' THEN 0 ELSE EXISTS (
                  SELECT 1 FROM run_replicas rr WHERE rr.run_id = r.id AND rr.status <> 'succeeded' AND rr.summary ->> '$.restoreLeft') END AS restore_left
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
      interrupted: isInterrupted(r),
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
    const row = this.db.prepare(`SELECT ${RUN_COLUMNS}, plan FROM runs WHERE id = ?`).get(runId) as DbRun | undefined;
    if (!row) return null;
    const replicas = (this.db.prepare(`SELECT ${REPLICA_COLUMNS} FROM run_replicas WHERE run_id = ? ORDER BY rowid`).all(row.id) as DbReplica[]).map(toReplicaRow);
    const steps = (this.db.prepare(`SELECT ${STEP_COLUMNS.join(', ')} FROM run_steps WHERE run_id = ? ORDER BY seq`).raw().all(row.id) as unknown[][]).map((v) => stepFromColumns(v));
    return assembleRun(this.db, row, replicas, steps);
  }

  /** Newest first: every run, or the page `limit`/`offset` of them (RunListQuery.list). */
  list(filter: RunListFilter = {}, options: RunListOptions = {}): RunRow[] {
    return this.query.list(filter, options);
  }

  /** How many runs `list` pages through (RunListQuery.count). */
  count(filter: Pick<RunListFilter, 'installation' | 'since'> = {}): number {
    return this.query.count(filter);
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
