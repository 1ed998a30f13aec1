// The history as lists show it: the run records newest first, or a page of them with the
// total and whether more follow (`runs list`, the app's History). Needs only the local
// database: `runs list` opens it through openRunHistory (history/openRunHistory.ts) without
// loading the rest of the core.
import { toRunRecord, type RunRecord } from './runRecord';
import type { RunListFilter, RunStore } from './runStore';
import type { RunPage } from '../../../shared/runRecord';

export interface RunHistoryOptions {
  /** false: the records' step lists stay empty, and no step row is read (the summaries say the rest). */
  steps?: boolean;
}

export class RunHistory {
  constructor(private readonly runs: RunStore) {}

  /** Newest first: every run the filter matches, or its page `limit`/`offset`, as compact records. */
  list(filter: RunListFilter = {}, options: RunHistoryOptions = {}): RunRecord[] {
    // The table holds a row or two per side-by-side run: reading it whole stays cheap.
    const kept = this.runs.kept.list();
    const withoutSteps = options.steps === false;
    return this.runs.list(filter, { steps: !withoutSteps }).map((r) => toRunRecord(r, undefined, { compact: true, withoutSteps, kept }));
  }

  /** `list`, with how many runs the filter matches in all and whether more follow: one state of the history. */
  page(filter: RunListFilter = {}, options: RunHistoryOptions = {}): RunPage {
    return this.runs.consistently(() => {
      const runs = this.list(filter, options);
      const total = this.runs.count(filter);
      const offset = filter.offset ?? 0;
      return { runs, total, offset, truncated: offset + runs.length < total };
    });
  }
}
