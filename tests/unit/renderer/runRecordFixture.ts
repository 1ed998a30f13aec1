// RunRecords as the core's toRunRecord shapes them, built by hand for the renderer's pure
// history logic (summaries, filters, the timeline layout).
import type { RunRecord, RunRecordStep } from '../../../src/shared/runRecord';

export function step(seq: number, replica: string | null, status: string, startedAt: string | null, finishedAt: string | null, over: Partial<RunRecordStep> = {}): RunRecordStep {
  return { seq, id: `step-${seq}`, replica, title: `Step ${seq}${replica ? ` on ${replica}` : ''}`, status, startedAt, finishedAt, message: null, captured: {}, ...over };
}

export function runRecord(over: Partial<RunRecord> & Pick<RunRecord, 'runId'>): RunRecord {
  const installation = over.installation ?? 'prod-eu';
  const steps = over.steps ?? [];
  const replicas = over.replicas ?? [{ replica: `${installation}/rls1`, status: 'succeeded', message: null, changelog: null, verification: null, downtimeMs: null, keptSchema: null, kept: null, rolledBack: null, steps: [] }];
  return {
    installation,
    sandbox: false,
    status: 'succeeded',
    interrupted: false,
    resumable: false,
    createdAt: '2026-03-10T12:00:00.000Z',
    finishedAt: '2026-03-10T12:10:00.000Z',
    message: null,
    backup: null,
    dump: null,
    mode: 'in-place',
    kind: 'restore',
    rollbackOf: null,
    changelog: null,
    compensation: [],
    preflight: null,
    ...over,
    replicas,
    steps,
  };
}
