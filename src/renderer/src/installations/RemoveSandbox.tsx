import { useState } from 'react';
import { SandboxJobEndNotice } from '../sandbox/SandboxJobEndNotice';
import { SandboxProgress } from '../sandbox/SandboxProgress';
import { useSandboxState } from '../sandbox/SandboxContext';
import '../sandbox/sandbox.css';

/** The sandbox's details offer this instead of Edit and Delete: main asks first, then stops and removes everything the sandbox made. */
export function RemoveSandbox() {
  const sandbox = useSandboxState();
  const [asking, setAsking] = useState(false);
  if (!sandbox) return null;
  const job = sandbox.job;
  const ended = sandbox.lastEnd?.action === 'down' ? sandbox.lastEnd : null;

  const remove = async () => {
    setAsking(true);
    await sandbox.down();
    setAsking(false);
  };

  return (
    <section className="card remove-sandbox" aria-label="Remove sandbox">
      <h3 className="card-title">Remove sandbox</h3>
      <p className="muted">
        Stops the stand-in servers and the sandbox's PostgreSQL clusters, and deletes them with their files, keychain
        entries and this installation. Nothing else is touched; its restore runs stay in the history, marked as sandbox runs.
      </p>
      {job ? (
        <SandboxProgress job={job} onCancel={() => void sandbox.cancel()} />
      ) : (
        <div className="actions">
          <button type="button" className="button button-danger" disabled={asking} onClick={() => void remove()}>
            {asking ? 'Removing…' : 'Remove sandbox'}
          </button>
        </div>
      )}
      {!job && ended ? <SandboxJobEndNotice ended={ended} /> : null}
    </section>
  );
}
