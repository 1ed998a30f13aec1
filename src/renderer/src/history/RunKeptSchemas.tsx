// What a side-by-side run keeps aside per replica (the previous schema after its swap, or the
// restored one after a rollback), its size and state, and the two things an admin does with
// it: roll the run back (the wizard prepares the rollback, with its plan and typed
// confirmation) or discard the kept schema (main asks in a native dialog; the click alone
// decides nothing).
import { useState } from 'react';
import type { ErrorPayload } from '../../../shared/result';
import type { RunRecord } from '../../../shared/runRecord';
import { api } from '../api';
import { ErrorNotice } from '../components/ErrorNotice';
import { routeHash } from '../shell/route';
import { formatByteSize } from '../../../shared/byteSize';
import { formatDateTime } from './timeFormat';

type Kept = NonNullable<RunRecord['replicas'][number]['kept']>;

const KIND: Record<Kept['kind'], string> = { prev: 'previous schema', undone: 'restored schema, set aside by the rollback' };
const STATE: Record<Kept['state'], string> = { kept: 'kept', 'rolled-back': 'rolled back (the replica uses it again)', discarded: 'discarded' };

/** A run the wizard may roll back: a side-by-side restore with a previous schema still kept for some replica. */
export const canRollBack = (run: RunRecord): boolean =>
  run.kind === 'restore' && run.mode === 'side-by-side' && run.status !== 'running' && run.replicas.some((r) => r.kept?.kind === 'prev' && r.kept.state === 'kept' && !r.rolledBack);

const serverOf = (ref: string) => ref.slice(ref.indexOf('/') + 1);

export function RunKeptSchemas({ run, onChanged }: { run: RunRecord; onChanged(): void }) {
  const [discarding, setDiscarding] = useState<string | null>(null);
  const [declined, setDeclined] = useState<string | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const kept = run.replicas.filter((r) => r.kept);
  if (kept.length === 0) return <p className="muted">This run keeps no schema aside{run.mode === 'in-place' ? ' (in place, the previous schema was dropped)' : ''}.</p>;

  const discard = async (replica: string) => {
    setDiscarding(replica);
    setDeclined(null);
    setError(null);
    // What a rollback set aside belongs to the run it rolled back: the core discards it there.
    const owner = run.kind === 'rollback' && run.rollbackOf ? run.rollbackOf : run.runId;
    const result = await api.discardKeptSchema({ runId: owner, replica: serverOf(replica) });
    setDiscarding(null);
    if (!result.ok) setError(result.error);
    else if (!result.value.discarded) setDeclined(replica);
    else onChanged();
  };

  return (
    <div className="run-kept">
      <table className="data-table" aria-label="Kept schemas">
        <thead>
          <tr>
            {['Replica', 'Kept schema', 'Size', 'State'].map((head) => (
              <th key={head} scope="col">
                {head}
              </th>
            ))}
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {kept.map((r) => {
            const k = r.kept!;
            return (
              <tr key={r.replica}>
                <td className="mono">{r.replica}</td>
                <td>
                  <span className="mono">{k.schema}</span> <span className="muted">({KIND[k.kind]})</span>
                </td>
                <td className="nowrap">{k.bytes !== null ? <span title={`${k.bytes.toLocaleString('en-US')} bytes`}>{formatByteSize(k.bytes)}</span> : 'unknown'}</td>
                <td>
                  {STATE[k.state]}
                  <span className="muted"> · {formatDateTime(k.at)}</span>
                  {k.byRun ? (
                    <>
                      {' '}
                      by <a href={routeHash({ view: 'history', runId: k.byRun })} className="mono">{k.byRun}</a>
                    </>
                  ) : null}
                </td>
                <td className="nowrap">
                  {k.state === 'kept' ? (
                    <button type="button" className="button button-danger" disabled={discarding !== null} onClick={() => void discard(r.replica)} title="Drops the kept schema; Replica Desk asks you to confirm first">
                      {discarding === r.replica ? 'Discarding…' : 'Discard kept schema…'}
                    </button>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {canRollBack(run) ? (
        <div className="actions">
          <a className="button" href={routeHash({ view: 'restore', rollback: run.runId })} title="Stop each replica, swap its previous schema back in, start it and verify it">
            Roll back…
          </a>
          <span className="muted">Each replica goes back to the schema it had before this run; the restored schema is kept aside.</span>
        </div>
      ) : null}
      {declined ? (
        <p className="muted" role="status">
          The kept schema of {declined} was not discarded.
        </p>
      ) : null}
      {error ? <ErrorNotice title="Could not discard the kept schema" error={error} /> : null}
    </div>
  );
}
