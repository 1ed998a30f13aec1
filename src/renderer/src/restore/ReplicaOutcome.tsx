import type { RunRecord } from '../../../shared/runRecord';
import { formatDuration } from './formatMeasure';
import { changelogPosition, verificationChecks } from './runRecordValues';
import { StatusPill } from './StatusPill';

type ReplicaRecord = RunRecord['replicas'][number];

/** One replica's result: its status, its measured downtime, the schema kept, the captured changelog position and the verification. */
export function ReplicaOutcome({ replica }: { replica: ReplicaRecord }) {
  const changelog = changelogPosition(replica.changelog);
  const checks = verificationChecks(replica.verification);
  return (
    <article className="replica-outcome" aria-label={`Replica ${replica.replica}`}>
      <header className="replica-outcome-head">
        <h4 className="mono">{replica.replica}</h4>
        <StatusPill status={replica.status} />
      </header>
      {replica.message ? <p className="replica-outcome-message">{replica.message}</p> : null}
      <dl className="facts facts-compact">
        <div>
          <dt>Downtime</dt>
          <dd className="downtime-fact" title="stop requested → running again">
            {replica.downtimeMs !== null ? `${formatDuration(replica.downtimeMs)} (stop requested → running again)` : '— (not running again yet)'}
          </dd>
        </div>
        {replica.keptSchema ? (
          <div>
            <dt>Previous schema</dt>
            <dd>
              previous schema kept as <span className="mono">{replica.keptSchema}</span>
            </dd>
          </div>
        ) : null}
        <div>
          <dt>Replicator sequenceno</dt>
          <dd className="mono">{changelog?.sequenceNo ?? '—'}</dd>
        </div>
        <div>
          <dt>Replicator idtag</dt>
          <dd className="mono">{changelog ? changelog.idTag || '(empty)' : '—'}</dd>
        </div>
      </dl>
      {changelog?.newestIsLocal && changelog.lastNonLocal ? (
        <p className="notice notice-warning">
          The newest changelog event is local; the last non-local one is {changelog.lastNonLocal.sequenceNo} (idtag {changelog.lastNonLocal.idTag}). Clients such
          as the CAE Feeder may need a reset.
        </p>
      ) : null}
      {checks ? (
        <ul className="checks" aria-label="Verification">
          {checks.map((c) => (
            <li key={c.id} className={`check ${c.ok ? 'check-ok' : 'check-failed'}`}>
              <span className="check-mark" aria-hidden="true">
                {c.ok ? '✓' : '✗'}
              </span>
              <span className="check-title">{c.title}</span>
              <span className="check-detail">{c.detail}</span>
              <span className="visually-hidden">{c.ok ? 'passed' : 'failed'}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">Not verified{replica.status === 'succeeded' ? '' : ': the restore of this replica did not get that far'}.</p>
      )}
    </article>
  );
}
