// What each replica went through in the run's mode: its measured downtime (stop requested →
// running again) and, side by side, the name its previous schema is kept under.
import type { ReactNode } from 'react';
import type { RunRecord } from '../../../shared/runRecord';
import { MODE_LABEL } from '../restore/stepPhases';
import { formatDuration } from './timeFormat';

function keptText(run: RunRecord, r: RunRecord['replicas'][number]): ReactNode {
  const name = r.keptSchema ?? r.kept?.schema ?? null;
  if (name) return <>kept as <span className="mono">{name}</span></>;
  if (run.mode === 'in-place') return 'dropped (in place)';
  return 'not swapped yet';
}

export function RunDowntime({ run }: { run: RunRecord }) {
  return (
    <div className="run-downtime">
      <p className="muted">
        Mode: <strong>{MODE_LABEL[run.mode]}</strong>.{' '}
        {run.kind === 'rollback'
          ? 'Each replica was down only for the swap back; the restored schema is kept beside it.'
          : run.mode === 'side-by-side'
            ? 'Each replica served until its swap; its previous schema is kept beside it.'
            : 'Each replica was down from its stop through the restore.'}
      </p>
      <table className="data-table" aria-label="Downtime per replica">
        <thead>
          <tr>
            <th scope="col">Replica</th>
            <th scope="col">Downtime (stop requested → running again)</th>
            <th scope="col">Schema kept aside</th>
          </tr>
        </thead>
        <tbody>
          {run.replicas.map((r) => (
            <tr key={r.replica}>
              <td className="mono">{r.replica}</td>
              <td className="nowrap">{r.downtimeMs !== null ? formatDuration(r.downtimeMs) : '— (not running again yet)'}</td>
              <td>{keptText(run, r)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
