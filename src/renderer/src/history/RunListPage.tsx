import { useDeferredValue, useMemo } from 'react';
import type { ErrorPayload } from '../../../shared/result';
import { ErrorNotice } from '../components/ErrorNotice';
import { DumpRetentionSetting } from './DumpRetentionSetting';
import { HistoryEmptyState } from './HistoryEmptyState';
import { RunFilterBar } from './RunFilterBar';
import { RUN_ROW_HEIGHT, RunListRow } from './RunListRow';
import { countOutcomes, filterChoices, filterRuns, hasFilters, NO_FILTERS, type RunFilters } from './runFilters';
import { OUTCOMES, type RunSummary } from './runSummary';
import { WindowedList } from './WindowedList';

interface RunListPageProps {
  runs: RunSummary[] | null;
  loading: boolean;
  error: ErrorPayload | null;
  installations: string[];
  filters: RunFilters;
  onFiltersChange(filters: RunFilters): void;
  onReload(): void;
}

const count = (n: number) => n.toLocaleString('en-US');

export function RunListPage({ runs, loading, error, installations, filters, onFiltersChange, onReload }: RunListPageProps) {
  // Typing stays responsive: the list catches up with the search box a frame later.
  const deferredFilters = useDeferredValue(filters);
  const all = useMemo(() => runs ?? [], [runs]);
  const shown = useMemo(() => filterRuns(all, deferredFilters), [all, deferredFilters]);
  const choices = useMemo(() => filterChoices(all, filters.installation, installations), [all, filters.installation, installations]);
  const outcomes = useMemo(() => countOutcomes(shown), [shown]);
  const filtered = hasFilters(filters);

  const body = () => {
    if (runs === null) return error ? null : <p className="loading muted">Loading the history…</p>;
    if (runs.length === 0) return <HistoryEmptyState installations={installations} />;
    return (
      <>
        <RunFilterBar filters={filters} choices={choices} onChange={onFiltersChange} onClear={() => onFiltersChange(NO_FILTERS)} canClear={filtered} />
        <p className="run-count" role="status">
          {filtered ? `${count(shown.length)} of ${count(all.length)} runs` : `${count(all.length)} runs`}
          {OUTCOMES.filter((o) => outcomes[o.value] > 0).map((o) => (
            <span key={o.value} className={`run-count-part outcome-text-${o.value}`}>
              {count(outcomes[o.value])} {o.label.toLowerCase()}
            </span>
          ))}
        </p>
        {shown.length === 0 ? (
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
              rowCount={shown.length}
              rowHeight={RUN_ROW_HEIGHT}
              resetKey={JSON.stringify(deferredFilters)}
              renderRow={(index, tabIndex) => <RunListRow run={shown[index]!} tabIndex={tabIndex} />}
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
