import type { CompensationEntry } from '../../../shared/runRecord';
import { formatDateTime } from './timeFormat';

const OUTCOME_TEXT: Record<CompensationEntry['outcome'], string> = { done: 'done', failed: 'failed', 'left-stopped': 'left stopped' };

/** What the run put back after a failure or cancel, and what it could not. */
export function RunCompensation({ entries }: { entries: CompensationEntry[] }) {
  if (entries.length === 0) return <p className="muted">None: nothing had to be put back.</p>;
  return (
    <table className="data-table">
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Action</th>
          <th scope="col">Target</th>
          <th scope="col">Outcome</th>
          <th scope="col">Message</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((e, i) => (
          <tr key={`${e.at}-${i}`}>
            <td>{formatDateTime(e.at)}</td>
            <td className="mono">{e.action}</td>
            <td>{e.target}</td>
            <td className={`compensation-${e.outcome}`}>{OUTCOME_TEXT[e.outcome] ?? e.outcome}</td>
            <td>{e.message}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
