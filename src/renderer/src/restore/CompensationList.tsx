import type { CompensationEntry } from '../../../shared/runRecord';
import { formatClock } from './formatMeasure';

/** Messages quote commands between backticks, as the CLI prints them. */
const withCode = (text: string) => text.split('`').map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part));

const OUTCOME_TONE = { done: 'ok', failed: 'error', 'left-stopped': 'warn' } as const;

/** What the run put back after it stopped early, and what it left for the admin. */
export function CompensationList({ entries }: { entries: CompensationEntry[] }) {
  return (
    <section className="compensation" aria-label="Compensation">
      <h4>Compensation</h4>
      <ul>
        {entries.map((e, i) => (
          <li key={`${e.at}:${i}`}>
            <span className={`pill pill-${OUTCOME_TONE[e.outcome]}`}>{e.outcome}</span>
            <span className="compensation-message">{withCode(e.message)}</span>
            <span className="muted mono">{formatClock(Date.parse(e.at))}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
