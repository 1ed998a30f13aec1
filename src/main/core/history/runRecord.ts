// The run record as the CLI's --json and the app's history show it (shared/contracts):
// runId, status, per replica its outcome and steps, every step, and the changelog position.
import { formatServerRef } from '../../../shared/profiles';
import type { LogRow, RunRecord, RunRecordStep } from '../../../shared/runRecord';
import type { RunRow, StepRow } from './runStore';

export type { RunRecord, RunRecordStep };

const toStep = (installation: string) => (s: StepRow): RunRecordStep => ({
  seq: s.seq,
  id: s.id,
  replica: s.replica === null ? null : formatServerRef({ installation, server: s.replica }),
  title: s.title,
  status: s.status,
  startedAt: s.startedAt,
  finishedAt: s.finishedAt,
  message: s.message,
  captured: s.captured,
});

export function isResumable(run: RunRow): boolean {
  return run.status === 'failed' || run.status === 'cancelled' || run.interrupted;
}

/** `compact` leaves out each replica's copy of its steps (they are in `steps` too), for long lists. */
export function toRunRecord(run: RunRow, log?: LogRow[], options: { compact?: boolean } = {}): RunRecord {
  const step = toStep(run.installation);
  const fixupsOf = (replica: string) => run.steps.find((s) => s.id === 'fixups' && s.replica === replica);
  const changelogs = run.plan.replicas.map((r) => fixupsOf(r)?.captured.changelog).filter(Boolean) as RunRecord['changelog'][];
  return {
    runId: run.runId,
    installation: run.installation,
    status: run.status,
    interrupted: run.interrupted,
    resumable: isResumable(run),
    createdAt: run.createdAt,
    finishedAt: run.finishedAt,
    message: run.message,
    backup: run.captured.backup ?? null,
    changelog: changelogs[0] ?? null,
    replicas: run.replicas.map((r) => ({
      replica: formatServerRef({ installation: run.installation, server: r.replica }),
      status: run.interrupted && r.status === 'running' ? 'interrupted' : r.status,
      message: r.message,
      changelog: fixupsOf(r.replica)?.captured.changelog ?? null,
      verification: run.steps.find((s) => s.id === 'verify' && s.replica === r.replica)?.captured.checks ?? null,
      steps: options.compact ? [] : run.steps.filter((s) => s.replica === r.replica).map(step),
    })),
    steps: run.steps.map(step),
    compensation: run.compensation,
    preflight: run.captured.preflight ?? null,
    ...(log ? { log } : {}),
  };
}
