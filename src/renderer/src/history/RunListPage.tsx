import { useDeferredValue, useMemo } from 'react';
import type { ErrorPayload } from '../../../shared/result';
import { ErrorNotice } from '../components/ErrorNotice';
import { DumpRetentionSetting } from './DumpRetentionSetting';
import { formatCount } from './formatCount';
import { HistoryEmptyState } from './HistoryEmptyState';
import { RunFilterBar } from './RunFilterBar';
import { RUN_ROW_HEIGHT, RunListRow, RunListRowLoading } from './RunListRow';
import type { PagedRows } from './runPages';
import { countOutcomes, filterChoices, filterRuns, hasFilters, NO_FILTERS, type RunFilters } from './runFilters';
import { OUTCOMES, type RunSummary } from './runSummary';
import { WindowedList } from './WindowedList';

interface RunListPageProps {
  /** The runs paged in so far, one slot per run of the total; null before the first page. */
  runs: PagedRows<RunSummary> | null;
  /** Every run has arrived: filters, search and the outcome counts need them all. */
  allLoaded: boolean;
  /** Rows [start, end) are on screen: their pages load first. */
  onShowRows(start: number, end: number): void;
  loading: boolean;
  error: ErrorPayload | null;
  installations: string[];
  filters: RunFilters;
  onFiltersChange(filters: RunFilters): void;
  onReload(): void;
}

export function RunListPage({ runs, allLoaded, onShowRows, loading, error, installations, filters, onFiltersChange, onReload }: RunListPageProps) {
  // Typing stays responsive: the list catches up with the search box a frame later.
  const deferredFilters = useDeferredValue(filters);
  // Until every run has arrived, the list is the total's slots in order, unfiltered; the
  // filters, choices and outcome counts apply once they are all there.
  const all = useMemo(() => (runs && allLoaded ? (runs.rows as RunSummary[]) : []), [runs, allLoaded]);
  const shown = useMemo(() => filterRuns(all, deferredFilters), [all, deferredFilters]);
  const choices = useMemo(() => filterChoices(all, filters.installation, installations), [all, filters.installation, installations]);
  const outcomes = useMemo(() => countOutcomes(shown), [shown]);
  const filtered = hasFilters(filters);
  const total = runs?.total ?? 0;
  const waitingForAll = !allLoaded && filtered;
  const rowAt = (index: number): RunSummary | undefined => (allLoaded ? shown[index] : runs?.rows[index]);
  const rowCount = allLoaded ? shown.length : waitingForAll ? 0 : total;

  const body = () => {
    if (runs === null) return error ? null : <p className="loading muted">Loading the history…</p>;
    if (total === 0) return <HistoryEmptyState installations={installations} />;
    return (
      <>
        <RunFilterBar filters={filters} choices={choices} onChange={onFiltersChange} onClear={() => onFiltersChange(NO_FILTERS)} canClear={filtered} />
        <p className="run-count" role="status">
          {!allLoaded
            ? `${formatCount(total)} runs · ${waitingForAll ? 'loading them all to filter' : 'loading'} (${formatCount(runs.loaded)} so far)`
            : filtered
              ? `${formatCount(shown.length)} of ${formatCount(total)} runs`
              : `${formatCount(total)} runs`}
          {!allLoaded ? null : OUTCOMES.filter((o) => outcomes[o.value] > 0).map((o) => (
            <span key={o.value} className={`run-count-part outcome-text-${o.value}`}>
              {formatCount(outcomes[o.value])} {o.label.toLowerCase()}
            </span>
          ))}
        </p>
        {waitingForAll ? null : rowCount === 0 ? (
          <div className="empty-inline" aria-label="No matching runs" role="region">
            <p>No run matches these filters.</p>
            <button type="button" className="button" onClick={() => onFiltersChange(NO_FILTERS)}>
              Clear filters
            </button>
          </div>
        ) : (
          <div className="run-table">
            <div className="run-table-head" aria-hidden="true">
              <span>Outcome</span>
              <span>Started · duration</span>
              <span>Installation · replicas</span>
              <span>Message · run id</span>
              <span>Dump</span>
              <span />
            </div>
            <WindowedList
              label="Runs"
              className="run-list"
              rowCount={rowCount}
              rowHeight={RUN_ROW_HEIGHT}
              resetKey={JSON.stringify(deferredFilters)}
              onRangeChange={onShowRows}
              renderRow={(index, tabIndex) => {
                const run = rowAt(index);
                return run ? <RunListRow run={run} tabIndex={tabIndex} /> : <RunListRowLoading />;
              }}
            />
          </div>
        )}
      </>
    );
  };

  return (
    <div className="history-page">
      <header className="page-header">
        <div>
          <p className="eyebrow">History</p>
          <h2>Restore runs</h2>
          <p className="page-description">Every restore from this workstation, newest first, from the app and the command line.</p>
        </div>
        <div className="actions">
          <DumpRetentionSetting />
          <button type="button" className="button" onClick={onReload} disabled={loading} title="Read the history again, e.g. after a restore from the CLI">
            {loading && runs !== null ? 'Refreshing…' : 'Refresh'}
          </button>
        </div>
      </header>
      {error ? <ErrorNotice title="Could not load the history" error={error} /> : null}
      {body()}
    </div>
  );
}
