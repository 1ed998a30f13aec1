// The history's read queries over many runs: the run list newest first and its pages, their
// count, and the targeted lookups that spare a caller reading whole histories (the runs of an
// installation since a time; the run a kept schema's tag names). A list reads each run's
// summary (migration 10), never its step rows, unless it asks for the steps too.
import type { SqliteDatabase } from '../store/database';
import { assembleRun, REPLICA_COLUMNS, RUN_COLUMNS, STEP_COLUMNS, stepFromColumns, toReplicaRow, type DbReplica, type DbRun, type RunRow, type StepRow } from './runRows';

export interface RunListFilter {
  installation?: string;
  /** Only runs started at or after this time (ISO). */
  since?: string;
  /** At most this many runs; all of them without. */
  limit?: number;
  /** Skips this many of the newest first. */
  offset?: number;
}

export interface RunListOptions {
  /** false: each run's `steps` stay empty (its replicas' summaries say what a record needs). */
  steps?: boolean;
}

const where = (filter: RunListFilter) => {
  const terms = [filter.installation ? 'installation = @installation' : '', filter.since ? 'created_at >= @since' : ''].filter(Boolean);
  return terms.length ? `WHERE ${terms.join(' AND ')}` : '';
};
/** The runs `list` reads, newest first (exported for the query-plan test). */
export const runListSql = (filter: RunListFilter) =>
  `SELECT ${RUN_COLUMNS}, plan_summary FROM runs ${where(filter)} ORDER BY created_at DESC, id DESC LIMIT @limit OFFSET @offset`;
/** The ids of the runs `list` reads, as a subquery: their replicas and steps are read by it. */
const chosenIds = (filter: RunListFilter) => `SELECT id FROM runs ${where(filter)} ORDER BY created_at DESC, id DESC LIMIT @limit OFFSET @offset`;
/**
 * Which of a table's rows (keyed by run_id) belong to the runs `list` reads: all of them when it
 * reads every run (no filter, no page), which spares the IN list and its sort (about a third of
 * the replicas' read at 10,000 runs).
 */
const ofChosenRuns = (filter: RunListFilter) =>
  filter.installation || filter.since || filter.limit !== undefined || filter.offset ? `WHERE run_id IN (${chosenIds(filter)})` : '';
export const runCountSql = (filter: RunListFilter) => `SELECT count(*) AS n FROM runs ${where(filter)}`;
// SQLite reads a negative LIMIT as none.
export const listParams = (filter: RunListFilter) => ({
  installation: filter.installation ?? null,
  since: filter.since ?? null,
  limit: filter.limit ?? -1,
  offset: filter.offset ?? 0,
});

/** Rows grouped by their run_id, in the order read. */
function byRun<T>(rows: readonly T[], runIdOf: (row: T) => string): Map<string, T[]> {
  const grouped = new Map<string, T[]>();
  for (const r of rows) {
    const key = runIdOf(r);
    const list = grouped.get(key);
    if (list) list.push(r);
    else grouped.set(key, [r]);
  }
  return grouped;
}

export class RunListQuery {
  constructor(private readonly db: SqliteDatabase) {}

  /**
   * Newest first: every run, or the page `limit`/`offset` of them. One pass over the run
   * table (in start order, from the runs_list or runs_by_installation index); the chosen
   * runs' replicas (with their summaries) and, if asked, steps are looked up by their primary
   * keys, in the same read transaction.
   */
  list(filter: RunListFilter = {}, options: RunListOptions = {}): RunRow[] {
    const params = listParams(filter);
    // Three reads of one state: the replicas and steps are those of the runs read.
    const [runs, replicas, steps] = this.db
      .transaction(() => {
        const runs = this.db.prepare(runListSql(filter)).all(params) as DbRun[];
        if (runs.length === 0) return [runs, [], []] as const;
        const replicas = this.db
          .prepare(`SELECT run_id, ${REPLICA_COLUMNS} FROM run_replicas ${ofChosenRuns(filter)} ORDER BY rowid`)
          .all(params) as Array<DbReplica & { run_id: string }>;
        // Tens of thousands of steps: read as arrays (run_id first, then STEP_COLUMNS), each made a StepRow once.
        const steps =
          options.steps === false
            ? []
            : (this.db
                .prepare(`SELECT run_id, ${STEP_COLUMNS.join(', ')} FROM run_steps ${ofChosenRuns(filter)} ORDER BY run_id, seq`)
                .raw()
                .all(params) as unknown[][]);
        return [runs, replicas, steps] as const;
      })
      .deferred();
    const replicasByRun = byRun(replicas, (r) => r.run_id);
    const stepsByRun = byRun(steps, (values) => values[0] as string);
    const stepRows = (id: string): StepRow[] => (stepsByRun.get(id) ?? []).map((values) => stepFromColumns(values, 1));
    return runs.map((row) => assembleRun(this.db, row, (replicasByRun.get(row.id) ?? []).map(toReplicaRow), stepRows(row.id)));
  }

  /** How many runs `list` pages through (its filter without limit and offset), from an index alone. */
  count(filter: Omit<RunListFilter, 'limit' | 'offset'> = {}): number {
    const row = this.db.prepare(runCountSql(filter)).get(listParams(filter)) as { n: number };
    return row.n;
  }

  /**
   * The newest run of the installation whose tag (`tagOf` its id) is `tag`: its ids are read
   * from the runs_by_installation index, newest first, until one matches; no run row is read.
   */
  runIdByTag(installation: string, tag: string, tagOf: (runId: string) => string): string | undefined {
    const ids = this.db.prepare('SELECT id FROM runs WHERE installation = ? ORDER BY created_at DESC').pluck().iterate(installation) as IterableIterator<string>;
    for (const id of ids) {
      if (tagOf(id) === tag) {
        ids.return?.();
        return id;
      }
    }
    return undefined;
  }

}
