import type { LogRow } from '../../../shared/runRecord';
import { formatClockTime } from './timeFormat';

/** The run's whole log, as recorded (secrets were masked before it was stored). */
export function RunLog({ rows }: { rows: LogRow[] }) {
  if (rows.length === 0) return <p className="muted">The run wrote no log lines.</p>;
  return (
    <ol className="run-log" aria-label="Run log">
      {rows.map((row, i) => (
        <li key={i} className={`run-log-line run-log-${row.level}`}>
          <time dateTime={row.at} title={row.at}>
            {formatClockTime(row.at)}
          </time>
          <span className="run-log-level">{row.level.toUpperCase()}</span>
          <span className="run-log-step">{row.stepSeq === null ? '' : `#${row.stepSeq}`}</span>
          <span className="run-log-message">{row.message}</span>
        </li>
      ))}
    </ol>
  );
}
