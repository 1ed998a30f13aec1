import type { RunRecord } from '../../../shared/runRecord';
import { readVerification } from './capturedValues';
import { RunOutcomeBadge } from './RunOutcomeBadge';

/** Per replica: its outcome and each verification check with what it found. */
export function RunVerification({ run }: { run: RunRecord }) {
  return (
    <div className="verification">
      {run.replicas.map((replica) => {
        const checks = readVerification(replica.verification);
        return (
          <article key={replica.replica} className="verification-replica" aria-label={`Verification of ${replica.replica}`}>
            <header className="verification-head">
              <h4>{replica.replica}</h4>
              <RunOutcomeBadge outcome={replica.status} />
            </header>
            {replica.message ? <p className="verification-message">{replica.message}</p> : null}
            {checks === null ? (
              <p className="muted">Not verified: the run did not reach this replica's verify step.</p>
            ) : (
              <ul className="run-checks">
                {checks.map((c) => (
                  <li key={c.id || c.title} className={c.ok ? 'run-check run-check-ok' : 'run-check run-check-failed'}>
                    <span className="run-check-mark" aria-label={c.ok ? 'passed' : 'failed'}>
                      {c.ok ? '✓' : '✗'}
                    </span>
                    <span>
                      <span className="run-check-title">{c.title}</span>
                      {c.detail ? <span className="run-check-detail">{c.detail}</span> : null}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </article>
        );
      })}
    </div>
  );
}
