import { useEffect, useState } from 'react';
import type { ErrorPayload } from '../../../shared/result';
import type { RunRecord } from '../../../shared/runRecord';
import { api } from '../api';
import { ErrorNotice } from '../components/ErrorNotice';
import { clockTime } from './probeTime';

interface ServerRestoreHistoryProps {
  installation: string;
  server: string;
  role: 'master' | 'replica';
  onOpenRun?(runId: string): void;
}

/** How many of the installation's newest runs the panel looks through. */
const HISTORY_LIMIT = 500;
const SHOWN = 8;

interface Entry {
  runId: string;
  createdAt: string;
  finishedAt: string | null;
  status: string;
  message: string | null;
}

function entriesFor(runs: RunRecord[], ref: string, role: 'master' | 'replica'): Entry[] {
  const wanted = ref.toLowerCase();
  return runs
    .flatMap((run): Entry[] => {
      if (role === 'master') return [{ runId: run.runId, createdAt: run.createdAt, finishedAt: run.finishedAt, status: run.interrupted ? 'interrupted' : run.status, message: run.message }];
      const mine = run.replicas.find((r) => r.replica.toLowerCase() === wanted);
      return mine ? [{ runId: run.runId, createdAt: run.createdAt, finishedAt: run.finishedAt, status: mine.status, message: mine.message }] : [];
    })
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
}

function duration(from: string, to: string): string {
  const seconds = Math.max(0, Math.round((new Date(to).getTime() - new Date(from).getTime()) / 1000));
  if (seconds < 90) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 90 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

const statusTone = (status: string): string =>
  status === 'succeeded' ? 'ok' : status === 'failed' || status === 'interrupted' ? 'error' : status === 'running' ? 'running' : 'warning';

/** A server's restores, newest first: for a replica the runs that restored it, for the master every run from it. */
export function ServerRestoreHistory({ installation, server, role, onOpenRun }: ServerRestoreHistoryProps) {
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const ref = `${installation}/${server}`;

  useEffect(() => {
    let current = true;
    void api.listRuns({ installation, limit: HISTORY_LIMIT }).then((result) => {
      if (!current) return;
      if (result.ok) setEntries(entriesFor(result.value, ref, role));
      else setError(result.error);
    });
    return () => {
      current = false;
    };
  }, [installation, ref, role]);

  if (error) return <ErrorNotice title="Could not read the restore history" error={error} />;
  if (entries === null) return <p className="muted">Reading the history…</p>;
  if (entries.length === 0) {
    return <p className="muted">{role === 'master' ? 'No restore has been run from this master yet.' : 'Never restored with Replica Desk.'}</p>;
  }
  return (
    <>
      <ol className="topo-history" aria-label={`Restore history of ${server}`}>
        {entries.slice(0, SHOWN).map((e) => {
          const body = (
            <>
              <span className={`topo-run-status topo-run-${statusTone(e.status)}`}>{e.status}</span>
              <span className="topo-run-when">
                <span>
                  <time dateTime={e.createdAt}>{clockTime(e.createdAt)}</time>
                  {e.finishedAt ? <span className="muted"> · took {duration(e.createdAt, e.finishedAt)}</span> : null}
                </span>
                {e.message ? <span className="topo-run-message">{e.message}</span> : null}
              </span>
              {onOpenRun ? <span className="topo-run-open" aria-hidden="true">›</span> : null}
            </>
          );
          return (
            <li key={e.runId}>
              {onOpenRun ? (
                <button type="button" className="topo-run" onClick={() => onOpenRun(e.runId)} title={`Open run ${e.runId} in the history`}>
                  {body}
                </button>
              ) : (
                <div className="topo-run">{body}</div>
              )}
            </li>
          );
        })}
      </ol>
      {entries.length > SHOWN ? <p className="field-hint">and {entries.length - SHOWN} older runs in the history.</p> : null}
    </>
  );
}
