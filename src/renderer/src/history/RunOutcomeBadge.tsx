import { outcomeLabel, type RunOutcome } from './runSummary';

/** A run's (or replica's) outcome as a coloured pill; the word carries the meaning, not the colour. */
export function RunOutcomeBadge({ outcome }: { outcome: RunOutcome | string }) {
  const known = ['succeeded', 'failed', 'cancelled', 'running', 'interrupted', 'pending'].includes(outcome) ? outcome : 'pending';
  const label = outcome === 'pending' ? 'Pending' : outcomeLabel(outcome as RunOutcome);
  return <span className={`outcome outcome-${known}`}>{label}</span>;
}
