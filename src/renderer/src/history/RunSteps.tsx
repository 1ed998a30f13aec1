import type { RunRecordStep } from '../../../shared/runRecord';
import { elapsedMs, formatClockTime, formatDuration } from './timeFormat';

/** Every step in order, with its replica, state, times and the message it left. */
export function RunSteps({ steps, interrupted }: { steps: RunRecordStep[]; interrupted: boolean }) {
  return (
    <table className="data-table run-step-table">
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">Step</th>
          <th scope="col">Status</th>
          <th scope="col">Started</th>
          <th scope="col">Duration</th>
          <th scope="col">Message</th>
        </tr>
      </thead>
      <tbody>
        {steps.map((s) => {
          const status = s.status === 'running' && interrupted ? 'interrupted' : s.status;
          const ms = elapsedMs(s.startedAt, s.finishedAt);
          return (
            <tr key={s.seq}>
              <td className="muted nowrap">{s.seq}</td>
              <td className="run-step-table-title">{s.title}</td>
              <td className="nowrap">
                <span className={`step-status step-status-${status}`}>{status}</span>
              </td>
              <td className="mono nowrap">{s.startedAt ? formatClockTime(s.startedAt) : '—'}</td>
              <td className="nowrap">{ms === null ? '—' : formatDuration(ms)}</td>
              <td className="run-step-table-message">{s.message ?? ''}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
