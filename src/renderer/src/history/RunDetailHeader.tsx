import type { RunRecord } from '../../../shared/runRecord';
import { routeHash } from '../shell/route';
import { RunOutcomeBadge } from './RunOutcomeBadge';
import { SandboxBadge } from '../sandbox/SandboxBadge';
import { outcomeOf } from './runSummary';
import { elapsedMs, formatDateTime, formatDuration } from './timeFormat';

interface RunDetailHeaderProps {
  run: RunRecord;
  exporting: 'markdown' | 'json' | null;
  onExport(format: 'markdown' | 'json'): void;
}

export function RunDetailHeader({ run, exporting, onExport }: RunDetailHeaderProps) {
  const outcome = outcomeOf(run);
  const duration = elapsedMs(run.createdAt, run.finishedAt);
  return (
    <header className="page-header run-detail-header">
      <div>
        <p className="eyebrow">
          <a href={routeHash({ view: 'history' })} className="back-link">
            ← History
          </a>
        </p>
        <h2 className="run-detail-title">
          {run.kind === 'rollback' ? 'Rollback' : 'Restore'} of {run.installation} <RunOutcomeBadge outcome={outcome} />
          {run.sandbox ? <SandboxBadge /> : null}
        </h2>
        {run.sandbox ? <p className="muted">A run on the sandbox, the throwaway installation Try the sandbox built on this workstation; no production server was touched.</p> : null}
        {run.rollbackOf ? (
          <p className="muted">
            Rolls back run{' '}
            <a href={routeHash({ view: 'history', runId: run.rollbackOf })} className="mono">
              {run.rollbackOf}
            </a>
          </p>
        ) : null}
        <p className="page-description mono">{run.runId}</p>
        <dl className="facts facts-compact run-detail-facts">
          <div>
            <dt>Started</dt>
            <dd>{formatDateTime(run.createdAt)}</dd>
          </div>
          <div>
            <dt>Finished</dt>
            <dd>{run.finishedAt ? formatDateTime(run.finishedAt) : outcome === 'running' ? 'still running' : 'did not finish'}</dd>
          </div>
          <div>
            <dt>Duration</dt>
            <dd>{duration === null ? '—' : formatDuration(duration)}</dd>
          </div>
          <div>
            <dt>Replicas</dt>
            <dd>{run.replicas.map((r) => r.replica).join(', ') || '—'}</dd>
          </div>
        </dl>
      </div>
      <div className="actions">
        {run.resumable ? (
          <a className="button button-primary" href={routeHash({ view: 'restore', resume: run.runId })} title="Continue this run from the step where it stopped">
            Resume
          </a>
        ) : null}
        <button type="button" className="button" onClick={() => onExport('markdown')} disabled={exporting !== null} title="A Markdown report for a change ticket">
          {exporting === 'markdown' ? 'Exporting…' : 'Export Markdown'}
        </button>
        <button type="button" className="button" onClick={() => onExport('json')} disabled={exporting !== null} title="The whole run record as JSON">
          {exporting === 'json' ? 'Exporting…' : 'Export JSON'}
        </button>
      </div>
    </header>
  );
}
