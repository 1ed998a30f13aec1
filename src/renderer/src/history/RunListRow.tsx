import { routeHash } from '../shell/route';
import { formatByteSize } from '../../../shared/byteSize';
import { RunOutcomeBadge } from './RunOutcomeBadge';
import { SandboxBadge } from '../sandbox/SandboxBadge';
import { replicaNames, type RunSummary } from './runSummary';
import { formatDateTime, formatDuration } from './timeFormat';

/** The rows' height in pixels; `.run-row` in history.css has the same. */
export const RUN_ROW_HEIGHT = 56;

/** What a row says when the run left no message of its own. */
const FALLBACK_MESSAGE: Record<RunSummary['outcome'], string> = {
  succeeded: 'All replicas restored and verified',
  failed: 'Failed; open the run for the step that stopped it',
  cancelled: 'Cancelled',
  running: 'Running…',
  interrupted: 'Its process ended while it ran; it can be resumed',
};

function dumpText(run: RunSummary): string {
  if (!run.dump) return '—';
  return run.dump.state === 'present' ? formatByteSize(run.dump.bytes) : run.dump.state === 'deleted' ? 'deleted' : 'missing';
}

interface RunListRowProps {
  run: RunSummary;
  tabIndex: 0 | -1;
}

export function RunListRow({ run, tabIndex }: RunListRowProps) {
  return (
    <a className="run-row" href={routeHash({ view: 'history', runId: run.runId })} tabIndex={tabIndex} data-run-id={run.runId}>
      <span className="run-cell run-cell-outcome">
        <RunOutcomeBadge outcome={run.outcome} />
      </span>
      <span className="run-cell">
        <span className="run-line">{formatDateTime(run.createdAt)}</span>
        <span className="run-line run-sub">{run.durationMs === null ? (run.outcome === 'running' ? 'running…' : 'unfinished') : formatDuration(run.durationMs)}</span>
      </span>
      <span className="run-cell">
        <span className="run-line run-strong">
          {run.installation}
          {run.sandbox ? <SandboxBadge /> : null}
        </span>
        <span className="run-line run-sub">{replicaNames(run) || '—'}</span>
      </span>
      <span className="run-cell">
        <span className="run-line">{run.message ?? FALLBACK_MESSAGE[run.outcome]}</span>
        <span className="run-line run-sub mono">{run.runId}</span>
      </span>
      <span className="run-cell run-cell-dump">{dumpText(run)}</span>
      <span className="run-cell run-cell-end">{run.resumable ? <span className="tag tag-resume">Resumable</span> : null}</span>
    </a>
  );
}

/** A row whose run has not arrived yet: same height, so the list does not jump when it does. */
export function RunListRowLoading() {
  return (
    <span className="run-row run-row-loading" aria-busy="true">
      <span className="run-cell muted">Loading…</span>
    </span>
  );
}
