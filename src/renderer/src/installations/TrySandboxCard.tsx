import { useState } from 'react';
import { SANDBOX_DEFAULT_SIZE_MB, SANDBOX_MAX_SIZE_MB, SANDBOX_MIN_SIZE_MB } from '../../../shared/sandbox';
import { TextField } from '../components/TextField';
import { SandboxJobEndNotice } from '../sandbox/SandboxJobEndNotice';
import { SandboxProgress } from '../sandbox/SandboxProgress';
import { useSandboxState } from '../sandbox/SandboxContext';
import '../sandbox/sandbox.css';

interface TrySandboxCardProps {
  /** The sandbox is up: show its topology. */
  onReady(): void;
}

function sizeProblem(text: string): string | null {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(n)) return 'a whole number of MB';
  return n < SANDBOX_MIN_SIZE_MB || n > SANDBOX_MAX_SIZE_MB ? `between ${SANDBOX_MIN_SIZE_MB} and ${SANDBOX_MAX_SIZE_MB.toLocaleString('en-US')} MB` : null;
}

/** The empty Installations view's third way in: a sandbox installation to try a restore on, without any production server. */
export function TrySandboxCard({ onReady }: TrySandboxCardProps) {
  const sandbox = useSandboxState();
  const [size, setSize] = useState(String(SANDBOX_DEFAULT_SIZE_MB));
  if (!sandbox) return null;
  const problem = sizeProblem(size);
  const job = sandbox.job;
  const ended = sandbox.lastEnd;
  // An earlier try that did not finish (cancelled, failed, or the app closed mid-build) is recorded.
  const unfinished = sandbox.status?.exists === true;

  const tryIt = async () => {
    if (problem) return;
    if (await sandbox.up(Number(size))) onReady();
  };

  return (
    <section className="card try-sandbox" aria-label="Try the sandbox">
      <h3 className="card-title">Try the sandbox</h3>
      <p className="muted">
        Not ready to point Replica Desk at your servers? Restore a replica on a sandbox first.
      </p>
      <p className="muted">
        Builds a complete installation named <code>sandbox</code> on this workstation: throwaway PostgreSQL clusters on
        loopback ports, a generated content-server master, two replicas (one stale and lagging) and stand-in servers. It
        never touches a production server, and everything it makes is recorded, so Remove sandbox takes exactly that away
        again.
      </p>
      {job ? (
        <SandboxProgress job={job} onCancel={() => void sandbox.cancel()} />
      ) : (
        <>
          <TextField
            label="Size of the master (MB)"
            value={size}
            inputMode="numeric"
            hint="About this much generated content for the master; the restore copies it into each replica."
            errors={problem ? [problem] : []}
            onChange={setSize}
          />
          <button type="button" className="button button-primary" disabled={problem !== null} onClick={() => void tryIt()}>
            {ended || unfinished ? 'Try the sandbox again' : 'Try the sandbox'}
          </button>
        </>
      )}
      {!job && ended ? <SandboxJobEndNotice ended={ended} /> : null}
      {!job && unfinished ? (
        <div className="actions">
          <span className="muted">What an earlier try made is still recorded.</span>
          <button type="button" className="button button-quiet" onClick={() => void sandbox.down()}>
            Remove what it made
          </button>
        </div>
      ) : null}
    </section>
  );
}
