// The history as lists show it: the run records newest first, or a page of them with the
// total and whether more follow (`runs list`, the app's History). Needs only the local
// database: `runs list` opens it through openRunHistory (history/openRunHistory.ts) without
// loading the rest of the core.
import { toRunRecord, type RunRecord } from './runRecord';
import type { RunListFilter, RunRow, RunStore } from './runStore';
import type { RunPage } from '../../../shared/runRecord';

export interface RunHistoryOptions {
  /** false: the records' step lists stay empty, and no step row is read (the summaries say the rest). */
  steps?: boolean;
}

/** Runs as read, and how each becomes its compact record. */
interface RunRows {
  rows: RunRow[];
  record: (row: RunRow) => RunRecord;
}

export class RunHistory {
  constructor(private readonly runs: RunStore) {}

  /** Newest first: every run the filter matches, or its page `limit`/`offset`, as compact records. */
  list(filter: RunListFilter = {}, options: RunHistoryOptions = {}): RunRecord[] {
    const { rows, record } = this.read(filter, options);
    return rows.map(record);
  }

  /** `list`, with how many runs the filter matches in all and whether more follow: one state of the history. */
  page(filter: RunListFilter = {}, options: RunHistoryOptions = {}): RunPage {
    const { rows, record, ...counts } = this.rowPage(filter, options);
    return { runs: rows.map(record), ...counts };
  }

  /**
   * `page` as the runs read, each made a record by `record` when the caller asks: one that
   * writes thousands of runs a batch at a time never holds all their records at once.
   */
  rowPage(filter: RunListFilter = {}, options: RunHistoryOptions = {}): Omit<RunPage, 'runs'> & RunRows {
    return this.runs.consistently(() => {
      const read = this.read(filter, options);
      const total = this.runs.count(filter);
      const offset = filter.offset ?? 0;
      return { ...read, total, offset, truncated: offset + read.rows.length < total };
    });
  }

  private read(filter: RunListFilter, options: RunHistoryOptions): RunRows {
    // The table holds a row or two per side-by-side run: reading it whole stays cheap.
    const kept = this.runs.kept.list();
    const withoutSteps = options.steps === false;
    return { rows: this.runs.list(filter, { steps: !withoutSteps }), record: (r) => toRunRecord(r, undefined, { compact: true, withoutSteps, kept }) };
  }
}
