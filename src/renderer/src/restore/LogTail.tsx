import { useEffect, useRef } from 'react';
import { formatClock } from './formatMeasure';
import type { LogLine } from './runState';

/** The run's newest log lines (masked by the core), kept scrolled to the end. */
export function LogTail({ lines }: { lines: LogLine[] }) {
  const box = useRef<HTMLOListElement>(null);
  useEffect(() => {
    const element = box.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, [lines]);
  return (
    <section className="log-tail" aria-label="Log">
      <h4>Log</h4>
      <ol ref={box} className="log-lines" tabIndex={0}>
        {lines.length === 0 ? <li className="muted">Waiting for the first log line…</li> : null}
        {lines.map((line) => (
          <li key={line.id} className={`log-line log-${line.level}`}>
            <span className="log-time">{formatClock(line.at)}</span>
            <span className="log-level">{line.level}</span>
            <span className="log-message">{line.message}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
