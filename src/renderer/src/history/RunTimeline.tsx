import { useMemo } from 'react';
import type { RunRecord } from '../../../shared/runRecord';
import { layoutTimeline, TIMELINE_GEOMETRY } from './timelineLayout';
import { formatDateTime } from './timeFormat';
import { useElementWidth } from './useElementWidth';

interface RunTimelineProps {
  run: RunRecord;
  /** The time a running step's bar reaches; the page passes the time of its last refresh. */
  now: number;
}

/** A Gantt chart of the run: per replica (and the master), one bar per step on a shared time axis, each replica's downtime shaded. */
export function RunTimeline({ run, now }: RunTimelineProps) {
  const [ref, width] = useElementWidth<HTMLDivElement>(960);
  const layout = useMemo(() => layoutTimeline(run, { width, now }), [run, width, now]);
  const { barHeight, rowHeight, groupHeight } = TIMELINE_GEOMETRY;
  const started = run.steps.some((s) => s.startedAt);

  return (
    <div ref={ref} className="timeline">
      {!started ? (
        <p className="muted">No step has started, so there is nothing to draw yet.</p>
      ) : (
        <svg
          className="timeline-chart"
          width={layout.width}
          height={layout.height}
          viewBox={`0 0 ${layout.width} ${layout.height}`}
          role="img"
          aria-label={`Timeline of ${run.steps.length} steps, from ${formatDateTime(new Date(layout.startMs).toISOString())}`}
        >
          {layout.ticks.map((tick) => (
            <g key={tick.x} className="timeline-tick">
              <line x1={tick.x} x2={tick.x} y1={layout.axisY + 4} y2={layout.height - 4} />
              <text x={tick.x} y={layout.axisY} textAnchor="middle">
                {tick.label}
              </text>
            </g>
          ))}
          {layout.groups.map((group) => (
            <g key={group.key} className="timeline-group">
              <rect className="timeline-group-band" x={0} y={group.y + 2} width={layout.width} height={groupHeight - 4} rx={4} />
              <text className="timeline-group-label" x={8} y={group.y + groupHeight / 2 + 4}>
                {group.label}
              </text>
              {group.downtime ? (
                <g className={`timeline-downtime${group.downtime.open ? ' timeline-downtime-open' : ''}`}>
                  <title>{`${group.label} was down ${group.downtime.label.slice('down '.length)} (stop requested → running again)`}</title>
                  <rect className="timeline-downtime-band" x={group.downtime.x} y={group.downtime.y} width={group.downtime.width} height={group.downtime.height} rx={3} />
                  <text className="timeline-downtime-label" x={group.downtime.x} y={group.y + groupHeight / 2 + 4}>
                    {group.downtime.label}
                  </text>
                </g>
              ) : null}
              {group.rows.map((row) => (
                <g key={row.seq} className={`timeline-row timeline-status-${row.status}`}>
                  <title>{`${row.title}: ${row.status}${row.durationMs !== null ? `, ${row.note}` : ''}`}</title>
                  <text className="timeline-label" x={16} y={row.y + rowHeight / 2 + 4}>
                    {row.label}
                  </text>
                  {row.bar ? (
                    <rect
                      className={`timeline-bar${row.bar.open ? ' timeline-bar-open' : ''}`}
                      x={row.bar.x}
                      y={row.y + (rowHeight - barHeight) / 2}
                      width={row.bar.width}
                      height={barHeight}
                      rx={2}
                    />
                  ) : null}
                  <text className="timeline-note" x={row.noteX} y={row.y + rowHeight / 2 + 4} textAnchor={row.noteAnchor}>
                    {row.note}
                  </text>
                </g>
              ))}
            </g>
          ))}
        </svg>
      )}
      <ul className="timeline-legend" aria-label="Legend">
        {['done', 'running', 'failed', 'cancelled', 'interrupted', 'skipped'].map((status) => (
          <li key={status} className={`timeline-status-${status}`}>
            <span className="timeline-swatch" aria-hidden="true" />
            {status}
          </li>
        ))}
        {layout.groups.some((g) => g.downtime) ? (
          <li className="timeline-downtime-legend">
            <span className="timeline-swatch" aria-hidden="true" />
            replica down (stop requested → running again)
          </li>
        ) : null}
      </ul>
    </div>
  );
}
