// What the history list needs of a run, worked out once per run when the list loads: its
// outcome, timing, replicas, the message worth showing, and a lower-case haystack for the
// text search, so filtering 10,000 runs on each key press stays a plain scan.
import type { RunDump, RunRecord } from '../../../shared/runRecord';
import { elapsedMs, localDateKey } from './timeFormat';

export type RunOutcome = 'succeeded' | 'failed' | 'cancelled' | 'running' | 'interrupted';

export const OUTCOMES: ReadonlyArray<{ value: RunOutcome; label: string }> = [
  { value: 'succeeded', label: 'Succeeded' },
  { value: 'failed', label: 'Failed' },
  { value: 'cancelled', label: 'Cancelled' },
  { value: 'interrupted', label: 'Interrupted' },
  { value: 'running', label: 'Running' },
];

export const outcomeLabel = (outcome: RunOutcome): string => OUTCOMES.find((o) => o.value === outcome)?.label ?? outcome;

export interface RunSummary {
  runId: string;
  installation: string;
  /** A run of the sandbox installation, never production (kept after the sandbox is removed). */
  sandbox: boolean;
  outcome: RunOutcome;
  resumable: boolean;
  createdAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  /** Replicas as `installation/server`. */
  replicas: string[];
  /** The run's message, else the first failing replica's or step's. */
  message: string | null;
  /** The run's own dump: its size on disk, or deleted / missing. */
  dump: RunDump | null;
  /** Local calendar day of the start, `YYYY-MM-DD`. */
  day: string;
  searchText: string;
}

export function outcomeOf(run: Pick<RunRecord, 'status' | 'interrupted'>): RunOutcome {
  return run.interrupted ? 'interrupted' : run.status;
}

export function summarizeRun(run: RunRecord): RunSummary {
  const steps = run.steps ?? [];
  const replicaMessages = run.replicas.map((r) => r.message).filter((m): m is string => Boolean(m));
  const stepMessages = steps.map((s) => s.message).filter((m): m is string => Boolean(m));
  const problem = steps.find((s) => s.status === 'failed' || s.status === 'cancelled')?.message ?? null;
  const replicas = run.replicas.map((r) => r.replica);
  const started = new Date(run.createdAt);
  return {
    runId: run.runId,
    installation: run.installation,
    sandbox: run.sandbox === true,
    outcome: outcomeOf(run),
    resumable: run.resumable,
    createdAt: run.createdAt,
    finishedAt: run.finishedAt,
    durationMs: elapsedMs(run.createdAt, run.finishedAt),
    replicas,
    message: run.message ?? problem ?? replicaMessages[0] ?? null,
    dump: run.dump ?? null,
    day: Number.isNaN(started.getTime()) ? '' : localDateKey(started),
    searchText: [run.runId, run.installation, ...replicas, run.message ?? '', ...replicaMessages, ...stepMessages].join('\n').toLowerCase(),
  };
}

/** `rls1, rls2` for replicas of the run's own installation. */
export function replicaNames(summary: Pick<RunSummary, 'installation' | 'replicas'>): string {
  const prefix = `${summary.installation}/`;
  return summary.replicas.map((r) => (r.startsWith(prefix) ? r.slice(prefix.length) : r)).join(', ');
}
