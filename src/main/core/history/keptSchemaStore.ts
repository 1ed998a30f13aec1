// The schemas side-by-side runs set aside beside replicas' schemas, as the history keeps them
// (SQLite table kept_schemas, migration 8): which run kept which schema for which replica, its
// size, and whether it is still kept, was rolled back to, or was discarded. The swap and
// swap-back steps report what they set aside (recordStepOutcome, called by the runner once
// the step is recorded done); `runs discard` marks a discard. The databases stay the truth
// for what exists now (coremedia/keptSchemas.ts lists them live).
import type { KeptSchemaRecord } from '../../../shared/runRecord';
import { kindOf, type PlannedStep, type RestorePlan } from '../../../shared/restorePlan';
import type { SqliteDatabase } from '../store/database';

export interface KeptSchemaRow extends KeptSchemaRecord {
  /** The side-by-side run whose tag the name carries. */
  runId: string;
  /** The replica's server name. */
  replica: string;
}

interface DbKept {
  run_id: string;
  replica: string;
  name: string;
  kind: 'prev' | 'undone';
  bytes: number | null;
  state: KeptSchemaRecord['state'];
  at: string;
  by_run: string | null;
}

const toRow = (r: DbKept): KeptSchemaRow => ({ runId: r.run_id, replica: r.replica, schema: r.name, kind: r.kind, bytes: r.bytes, state: r.state, at: r.at, byRun: r.by_run });
const now = () => new Date().toISOString();

export class KeptSchemaStore {
  constructor(private readonly db: SqliteDatabase) {}

  /** `name` was set aside for `replica` under `runId`'s tag (again on a resume: the size is refreshed). */
  setAside(entry: { runId: string; replica: string; name: string; kind: 'prev' | 'undone'; bytes: number | null; byRun: string | null }): void {
    this.db
      .prepare(
        `INSERT INTO kept_schemas (run_id, replica, name, kind, bytes, state, at, by_run) VALUES (?, ?, ?, ?, ?, 'kept', ?, ?)
         ON CONFLICT (run_id, replica, kind) DO UPDATE SET name = excluded.name, bytes = COALESCE(excluded.bytes, kept_schemas.bytes),
           by_run = excluded.by_run, state = CASE WHEN kept_schemas.state = 'discarded' THEN 'discarded' ELSE 'kept' END`,
      )
      .run(entry.runId, entry.replica, entry.name, entry.kind, entry.bytes, now(), entry.byRun);
  }

  /** The rollback run `byRun` made `runId`'s previous schema of `replica` its schema again. */
  markRolledBack(runId: string, replica: string, byRun: string): void {
    this.db.prepare("UPDATE kept_schemas SET state = 'rolled-back', at = ?, by_run = ? WHERE run_id = ? AND replica = ? AND kind = 'prev'").run(now(), byRun, runId, replica);
  }

  /** Dropped by the admin; `bytes` is the size it had right before (what was freed), when measured. */
  markDiscarded(entry: { runId: string; replica: string; name: string; kind: 'prev' | 'undone'; bytes: number | null }): void {
    this.db
      .prepare(
        `INSERT INTO kept_schemas (run_id, replica, name, kind, bytes, state, at, by_run) VALUES (?, ?, ?, ?, ?, 'discarded', ?, NULL)
         ON CONFLICT (run_id, replica, kind) DO UPDATE SET state = 'discarded', at = excluded.at, bytes = COALESCE(excluded.bytes, kept_schemas.bytes)`,
      )
      .run(entry.runId, entry.replica, entry.name, entry.kind, entry.bytes, now());
  }

  /** Every row of these runs (by the run whose tag the names carry), or of all runs without a filter. */
  list(filter: { runIds?: readonly string[]; state?: KeptSchemaRecord['state'] } = {}): KeptSchemaRow[] {
    const rows = this.db
      .prepare(`SELECT * FROM kept_schemas WHERE (@state IS NULL OR state = @state) ORDER BY at DESC`)
      .all({ state: filter.state ?? null }) as DbKept[];
    const wanted = filter.runIds ? new Set(filter.runIds) : null;
    return rows.filter((r) => !wanted || wanted.has(r.run_id)).map(toRow);
  }

  /** The rows a rollback run set aside or swapped back in. */
  byRollback(rollbackRunId: string): KeptSchemaRow[] {
    return (this.db.prepare('SELECT * FROM kept_schemas WHERE by_run = ? ORDER BY replica, kind').all(rollbackRunId) as DbKept[]).map(toRow);
  }

  /**
   * After a step was recorded done: a swap keeps the previous schema (captured `keptSchema`,
   * `keptBytes`); a swap back makes it the replica's schema again and keeps the restored one
   * (captured `undoneSchema`, `undoneBytes`).
   */
  recordStepOutcome(runId: string, plan: RestorePlan, step: PlannedStep, captured: Record<string, unknown> | undefined): void {
    if (!step.replica || !captured) return;
    const bytes = (v: unknown) => (typeof v === 'number' ? v : null);
    if (step.id === 'swap' && typeof captured.keptSchema === 'string') {
      this.setAside({ runId, replica: step.replica, name: captured.keptSchema, kind: 'prev', bytes: bytes(captured.keptBytes), byRun: null });
    }
    if (step.id === 'swap-back' && kindOf(plan) === 'rollback' && plan.rollbackOf && typeof captured.undoneSchema === 'string') {
      this.db.transaction(() => {
        this.markRolledBack(plan.rollbackOf!, step.replica!, runId);
        this.setAside({ runId: plan.rollbackOf!, replica: step.replica!, name: captured.undoneSchema as string, kind: 'undone', bytes: bytes(captured.undoneBytes), byRun: runId });
      })();
    }
  }
}
