import { lazy, useEffect, useRef, useState } from 'react';
import { ViewFrame } from '../shell/ViewFrame';
import { RunListPage } from './RunListPage';
import { NO_FILTERS, type RunFilters } from './runFilters';
import { useRunHistory } from './useRunHistory';
import './history.css';

// A run's page is a chunk of its own: the list's first screen does not wait for its code.
const RunDetail = lazy(() => import('./RunDetail').then((m) => ({ default: m.RunDetail })));

interface HistoryViewProps {
  /** The view is on screen; coming back to it reads the history again. */
  active: boolean;
  /** The run whose detail page is open; the list otherwise. */
  runId?: string;
  /** Filters a link preselected, e.g. from a server's "restore history". */
  initialInstallation?: string;
  initialReplica?: string;
  installations: string[];
}

/**
 * The history: the run list, and a run's page over it. The list stays mounted (hidden)
 * while a run is open, so coming back keeps its filters and scroll position.
 */
export function HistoryView({ active, runId, initialInstallation, initialReplica, installations }: HistoryViewProps) {
  const history = useRunHistory();
  const { reload } = history;
  const wasActive = useRef(active);
  useEffect(() => {
    if (active && !wasActive.current) void reload();
    wasActive.current = active;
  }, [active, reload]);
  const [filters, setFilters] = useState<RunFilters>({ ...NO_FILTERS, installation: initialInstallation ?? '', replica: initialReplica ?? '' });

  return (
    <>
      <div hidden={runId !== undefined}>
        <RunListPage
          runs={history.runs}
          allLoaded={history.allLoaded}
          onShowRows={history.show}
          loading={history.loading}
          error={history.error}
          installations={installations}
          filters={filters}
          onFiltersChange={setFilters}
          onReload={() => void history.reload()}
        />
      </div>
      {runId !== undefined ? (
        <ViewFrame key={runId}>
          <RunDetail runId={runId} />
        </ViewFrame>
      ) : null}
    </>
  );
}
