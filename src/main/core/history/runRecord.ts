// The run record as the CLI's --json and the app's history show it (shared/contracts):
// runId, status, per replica its outcome and steps, every step, and the changelog position.
import { formatServerRef } from '../../../shared/profiles';
import { asConnectionEncryption, type ConnectionEncryption } from '../../../shared/connectionEncryption';
import type { KeptSchemaRecord, LogRow, RunRecord, RunRecordStep } from '../../../shared/runRecord';
import type { ReplicaSummary, RunRow, StepRow, SummaryStep } from './runRows';
import type { KeptSchemaRow } from './keptSchemaStore';
import { kindOf, modeOf } from '../../../shared/restorePlan';
import { dumpFactsOf, goneDumpOf, isUnfinished, runDump } from './runDump';

export type { RunRecord, RunRecordStep };

/** What a compact record keeps of a step's captured values: enough to learn durations and sizes. */
const COMPACT_CAPTURED = ['elapsedMs', 'backup', 'tables', 'changelog'] as const;

const compactCaptured = (captured: Record<string, unknown>) =>
  Object.fromEntries(COMPACT_CAPTURED.filter((k) => k in captured).map((k) => [k, captured[k]]));

const toStep = (installation: string, compact = false) => (s: StepRow): RunRecordStep => ({
  seq: s.seq,
  id: s.id,
  replica: s.replica === null ? null : formatServerRef({ installation, server: s.replica }),
  title: s.title,
  status: s.status,
  startedAt: s.startedAt,
  finishedAt: s.finishedAt,
  message: s.message,
  captured: compact ? compactCaptured(s.captured) : s.captured,
});

/** The run's captured `connections` (by server name) keyed by `installation/server`. */
function connectionsOf(run: RunRow): Record<string, ConnectionEncryption> {
  const captured = run.captured.connections;
  if (typeof captured !== 'object' || captured === null) return {};
  return Object.fromEntries(
    Object.entries(captured).flatMap(([server, value]) => {
      const encryption = asConnectionEncryption(value);
      return encryption ? [[formatServerRef({ installation: run.installation, server }), encryption]] : [];
    }),
  );
}

type SomeStep = SummaryStep | null | undefined;
const finishedStep = (s: SomeStep): s is SummaryStep => !!s && (s.status === 'done' || s.status === 'skipped');

/**
 * The replica's downtime: from the moment its stop was requested to the moment it was seen
 * running again (captured by the stop and start steps, serverControl.ts). Null until it runs.
 */
export function downtimeOf(stop: SomeStep, start: SomeStep): number | null {
  if (!finishedStep(start) || !stop) return null;
  const from = stop.captured.stopRequestedAt;
  const to = start.captured.runningAt;
  return typeof from === 'number' && typeof to === 'number' && to >= from ? to - from : null;
}

const keptSchemaOf = (swap: SomeStep): string | null =>
  finishedStep(swap) && typeof swap.captured.keptSchema === 'string' ? swap.captured.keptSchema : null;

const asRecord = ({ runId: _run, replica: _replica, ...kept }: KeptSchemaRow): KeptSchemaRecord => kept;

/**
 * What the run keeps aside for a replica, from the history's kept_schemas rows: a restore
 * its previous schema, or once rolled back the restored one the rollback set aside; a
 * rollback the restored schema it set aside. Runs recorded before that table fall back to
 * the swap step's captured name.
 */
function keptFor(run: RunRow, replica: string, rows: readonly KeptSchemaRow[], swap: SomeStep): Pick<RunRecord['replicas'][number], 'kept' | 'rolledBack'> {
  if (kindOf(run.planSummary) === 'rollback') {
    const undone = rows.find((k) => k.byRun === run.runId && k.replica === replica && k.kind === 'undone');
    return { kept: undone ? asRecord(undone) : null, rolledBack: null };
  }
  const own = rows.filter((k) => k.runId === run.runId && k.replica === replica);
  const prev = own.find((k) => k.kind === 'prev');
  const undone = own.find((k) => k.kind === 'undone');
  const rolledBack = prev?.state === 'rolled-back' && prev.byRun ? { byRun: prev.byRun, at: prev.at } : null;
  const shown = undone ?? prev;
  if (shown) return { kept: asRecord(shown), rolledBack };
  const name = keptSchemaOf(swap);
  const bytes = swap?.captured.keptBytes;
  return {
    kept: name ? { schema: name, kind: 'prev', bytes: typeof bytes === 'number' ? bytes : null, state: 'kept', at: swap?.finishedAt ?? run.createdAt, byRun: null } : null,
    rolledBack,
  };
}

/** Unfinished, and the file its resume would read is still there (history/runDump.ts). */
export function isResumable(run: RunRow): boolean {
  // A list asks this of thousands of runs: no error is built to say no.
  return isUnfinished(run) && goneDumpOf(dumpFactsOf(run)) === null;
}

/**
 * `compact` is for long lists: no per-replica copy of the steps (they are in `steps` too), no
 * preflight findings, and of each step's captured values only durations, sizes and positions.
 * `withoutSteps` leaves the step list empty too (what the record says of them stays).
 */
export function toRunRecord(run: RunRow, log?: LogRow[], options: { compact?: boolean; withoutSteps?: boolean; kept?: readonly KeptSchemaRow[] } = {}): RunRecord {
  const step = toStep(run.installation, options.compact);
  // What the record says of each replica's steps comes from its summary (runRows.ts): the
  // same with or without the step list. In place the fix-ups run in the replica's schema,
  // side by side in its shadow; the summary's `fixups` is whichever ran.
  const changelogOf = (s: ReplicaSummary) => s.fixups?.captured.changelog;
  const changelogs = run.replicas.map((r) => changelogOf(r.summary)).filter(Boolean) as RunRecord['changelog'][];
  const dump = runDump(dumpFactsOf(run));
  return {
    runId: run.runId,
    installation: run.installation,
    sandbox: run.sandbox,
    status: run.status,
    interrupted: run.interrupted,
    resumable: isResumable(run),
    createdAt: run.createdAt,
    finishedAt: run.finishedAt,
    message: run.message,
    backup: run.captured.backup ?? null,
    dump,
    mode: modeOf(run.planSummary),
    kind: kindOf(run.planSummary),
    rollbackOf: run.planSummary.rollbackOf ?? null,
    changelog: changelogs[0] ?? null,
    replicas: run.replicas.map((r) => ({
      replica: formatServerRef({ installation: run.installation, server: r.replica }),
      status: run.interrupted && r.status === 'running' ? 'interrupted' : r.status,
      message: r.message,
      changelog: changelogOf(r.summary) ?? null,
      verification: r.summary.verify?.captured.checks ?? null,
      downtimeMs: downtimeOf(r.summary.stop, r.summary.start),
      keptSchema: keptSchemaOf(r.summary.swap),
      ...keptFor(run, r.replica, options.kept ?? [], r.summary.swap),
      steps: options.compact ? [] : run.steps.filter((s) => s.replica === r.replica).map(step),
    })),
    steps: options.withoutSteps ? [] : run.steps.map(step),
    compensation: run.compensation,
    preflight: options.compact ? null : (run.captured.preflight ?? null),
    connections: connectionsOf(run),
    ...(log ? { log } : {}),
  };
}
