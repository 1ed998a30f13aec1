import type { ErrorPayload } from '../../../shared/result';
import type { RunRecord } from '../../../shared/runRecord';
import { ErrorNotice } from '../components/ErrorNotice';
import { CompensationList } from './CompensationList';
import { formatByteSize } from '../../../shared/byteSize';
import { formatDuration } from './formatMeasure';
import { ReplicaOutcome } from './ReplicaOutcome';
import { RunStepList } from './RunStepList';
import { liveRunFromRecord } from './runState';
import { backupFile } from './runRecordValues';
import { StatusPill } from './StatusPill';
import { MODE_LABEL } from './stepPhases';

interface RunSummaryProps {
  record: RunRecord;
  resuming: boolean;
  error: ErrorPayload | null;
  onResume(): void;
  onNewRestore(): void;
}

const HEADLINE: Record<RunRecord['status'], string> = {
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'was cancelled',
  running: 'is still running',
};

/** Stage 7: how the run ended, per replica, and what to do next. */
export function RunSummary({ record, resuming, error, onResume, onNewRestore }: RunSummaryProps) {
  const backup = backupFile(record.backup);
  const took = record.finishedAt ? Date.parse(record.finishedAt) - Date.parse(record.createdAt) : null;
  const canResume = record.resumable && record.status !== 'running' && record.status !== 'succeeded';
  return (
    <section className="card wizard-panel" aria-label="Summary">
      <div className="run-head">
        <div>
          <h3 className="card-title">
            {`The ${record.kind === 'rollback' ? 'rollback' : 'restore'} ${record.interrupted ? 'was interrupted' : HEADLINE[record.status]}`} <StatusPill status={record.interrupted ? 'interrupted' : record.status} />
          </h3>
          <p className="muted mono">
            Run {record.runId}
            {took !== null ? ` · ${formatDuration(took)}` : ''}
          </p>
        </div>
        <div className="actions">
          {canResume ? (
            <button type="button" className="button button-primary" disabled={resuming} onClick={onResume}>
              {resuming ? 'Resuming…' : 'Resume'}
            </button>
          ) : null}
          <button type="button" className="button" onClick={onNewRestore}>
            New restore
          </button>
        </div>
      </div>
      {error ? <ErrorNotice title="Could not resume the run" error={error} /> : null}
      {record.message && record.status !== 'succeeded' ? <p className="notice notice-warning summary-message">{record.message}</p> : null}
      {canResume ? <p className="muted">Resume goes on from the first step that did not finish; steps already done are not repeated.</p> : null}
      <dl className="facts summary-facts">
        <div>
          <dt>Installation</dt>
          <dd className="mono">{record.installation}</dd>
        </div>
        <div>
          <dt>Mode</dt>
          <dd>{MODE_LABEL[record.mode]}</dd>
        </div>
        <div>
          <dt>Changelog sequenceno</dt>
          <dd className="mono">{record.changelog?.sequenceNo ?? '—'}</dd>
        </div>
        <div>
          <dt>Changelog idtag</dt>
          <dd className="mono">{record.changelog ? record.changelog.idTag || '(empty)' : '—'}</dd>
        </div>
        <div className="fact-wide">
          <dt>Backup</dt>
          <dd className="mono">{backup ? `${backup.file}${backup.bytes !== null ? ` (${formatByteSize(backup.bytes)})` : ''}` : '—'}</dd>
        </div>
      </dl>
      <div className="replica-outcomes">
        {record.replicas.map((r) => (
          <ReplicaOutcome key={r.replica} replica={r} />
        ))}
      </div>
      {record.compensation.length > 0 ? <CompensationList entries={record.compensation} /> : null}
      <details className="summary-steps" open={record.status !== 'succeeded'}>
        <summary>All {record.steps.length} steps, as recorded</summary>
        <RunStepList steps={liveRunFromRecord(record).steps} mode={record.mode} kind={record.kind} installation={record.installation} now={Date.parse(record.finishedAt ?? record.createdAt)} />
      </details>
    </section>
  );
}
