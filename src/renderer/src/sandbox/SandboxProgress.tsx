import type { SandboxJob } from '../../../shared/sandboxEvents';
import './sandbox.css';

interface SandboxProgressProps {
  job: SandboxJob;
  onCancel(): void;
}

const TITLES = { up: 'Building the sandbox', down: 'Removing the sandbox' } as const;

/** The running sandbox job: phase n of m, what happens now, the master's MB while it is generated, and Cancel. */
export function SandboxProgress({ job, onCancel }: SandboxProgressProps) {
  const p = job.progress;
  const title = TITLES[job.action];
  const moving = p?.doneMb !== undefined && p.totalMb !== undefined && p.totalMb > 0;
  return (
    <div className="sandbox-progress" role="group" aria-label={`${title} progress`}>
      <div className="sandbox-progress-head">
        <span className="sandbox-progress-title">{title}</span>
        <span className="sandbox-progress-phase mono">{p ? `Phase ${p.index} of ${p.count}` : 'Starting…'}</span>
      </div>
      <progress className="sandbox-progress-bar" max={p?.count ?? 1} value={p ? p.index - 1 : undefined} aria-label={`${title}: phases`} />
      <p className="sandbox-progress-message" aria-live="polite">
        {job.cancelling ? 'Cancelling…' : (p?.message ?? 'Waiting for the first step…')}
        {p?.reused ? <span className="muted"> (already there, reused)</span> : null}
      </p>
      {moving ? (
        <div className="sandbox-progress-mb">
          <progress className="sandbox-progress-bar" max={p.totalMb} value={p.doneMb} aria-label="Master database generated" />
          <span className="mono muted">
            {Math.round(p.doneMb ?? 0)} of {Math.round(p.totalMb ?? 0)} MB
          </span>
        </div>
      ) : null}
      <div className="actions">
        <button type="button" className="button" onClick={onCancel} disabled={job.cancelling}>
          {job.cancelling ? 'Cancelling…' : 'Cancel'}
        </button>
      </div>
    </div>
  );
}
