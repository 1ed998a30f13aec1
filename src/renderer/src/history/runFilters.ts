// The history list's filters: installation, replica, outcome, a date range and free text.
// Pure, so the tests check exactly what an admin's choices keep.
import type { RunOutcome, RunSummary } from './runSummary';

export interface RunFilters {
  installation: string;
  /** A replica as `installation/server`. */
  replica: string;
  outcome: RunOutcome | '';
  /** Local days, `YYYY-MM-DD`, inclusive; empty for no bound. */
  from: string;
  to: string;
  text: string;
}

export const NO_FILTERS: RunFilters = { installation: '', replica: '', outcome: '', from: '', to: '', text: '' };

export function hasFilters(filters: RunFilters): boolean {
  return Object.values(filters).some((v) => v.trim() !== '');
}

/** Every whitespace-separated word must occur (case-insensitive) somewhere in the run. */
export function searchTerms(text: string): string[] {
  return text.toLowerCase().split(/\s+/).filter(Boolean);
}

export function filterRuns(runs: readonly RunSummary[], filters: RunFilters): RunSummary[] {
  const terms = searchTerms(filters.text);
  const installation = filters.installation.toLowerCase();
  const replica = filters.replica.toLowerCase();
  // A reversed range is read as the admin meant it.
  const [from, to] = filters.from && filters.to && filters.from > filters.to ? [filters.to, filters.from] : [filters.from, filters.to];
  return runs.filter(
    (run) =>
      (!installation || run.installation.toLowerCase() === installation) &&
      (!replica || run.replicas.some((r) => r.toLowerCase() === replica)) &&
      (!filters.outcome || run.outcome === filters.outcome) &&
      (!from || run.day >= from) &&
      (!to || run.day <= to) &&
      terms.every((t) => run.searchText.includes(t)),
  );
}

export interface FilterChoices {
  installations: string[];
  /** Replicas of the chosen installation, or of all installations. */
  replicas: string[];
}

/** What the filter menus offer: the installations and replicas that occur in the history. */
export function filterChoices(runs: readonly RunSummary[], installation: string, known: readonly string[] = []): FilterChoices {
  const installations = new Set<string>(known);
  const replicas = new Set<string>();
  const chosen = installation.toLowerCase();
  for (const run of runs) {
    installations.add(run.installation);
    if (!chosen || run.installation.toLowerCase() === chosen) for (const r of run.replicas) replicas.add(r);
  }
  const byName = (a: string, b: string) => a.localeCompare(b);
  return { installations: [...installations].sort(byName), replicas: [...replicas].sort(byName) };
}

/** Counts per outcome, for the summary line above the list. */
export function countOutcomes(runs: readonly RunSummary[]): Record<RunOutcome, number> {
  const counts: Record<RunOutcome, number> = { succeeded: 0, failed: 0, cancelled: 0, running: 0, interrupted: 0 };
  for (const run of runs) counts[run.outcome]++;
  return counts;
}
