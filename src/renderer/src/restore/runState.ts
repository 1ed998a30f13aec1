// A run as the wizard watches it: every step's state and timing, the latest progress of
// each transfer, a bounded log tail and an open question for a manual step. Built from the
// plan (a new run) or the run record (a resumed one), then moved on by restore events.
import { kindOf, modeOf, type RestoreMode, type RestorePlan, type RunKind, type RunStatus } from '../../../shared/restorePlan';
import type { RestoreEvent } from '../../../shared/restoreEvents';
import type { RunRecord } from '../../../shared/runRecord';

export interface LiveStep {
  seq: number;
  id: string;
  /** The replica's server name, or null for a step on the master. */
  replica: string | null;
  title: string;
  status: string;
  startedAt: number | null;
  finishedAt: number | null;
  message: string | null;
}

/** A progress event and when it arrived, so rates are measured at the sample, not at render. */
export type LiveProgress = Extract<RestoreEvent, { type: 'progress' }> & { at: number };

export interface LogLine {
  id: number;
  at: number;
  level: 'info' | 'warn' | 'error';
  message: string;
}

export interface LiveRun {
  runId: string;
  mode: RestoreMode;
  kind: RunKind;
  status: RunStatus;
  message: string | null;
  steps: LiveStep[];
  /** The latest progress per step seq. */
  progress: Record<number, LiveProgress>;
  /** The size the dump reached, which each replica's restore then reads. */
  dumpBytes: number | null;
  log: LogLine[];
  question: { requestId: string; instruction: string } | null;
}

/** Enough lines to see what just happened; the full log stays in the history. */
export const LOG_TAIL_LINES = 300;
const FINISHED = new Set(['done', 'failed', 'cancelled', 'skipped']);

export function liveRunFromPlan(runId: string, plan: Pick<RestorePlan, 'mode' | 'kind' | 'steps'>): LiveRun {
  return {
    runId,
    mode: modeOf(plan),
    kind: kindOf(plan),
    status: 'running',
    message: null,
    steps: plan.steps.map((s) => ({ seq: s.seq, id: s.id, replica: s.replica, title: s.title, status: 'pending', startedAt: null, finishedAt: null, message: null })),
    progress: {},
    dumpBytes: null,
    log: [],
    question: null,
  };
}

const time = (iso: string | null): number | null => (iso ? Date.parse(iso) : null);
/** Run records name replicas `installation/server`; events and plans use the server name. */
const serverName = (ref: string | null): string | null => (ref === null ? null : ref.slice(ref.indexOf('/') + 1));

/** A resumed run: steps as recorded, the end of its log, and running again. */
export function liveRunFromRecord(record: RunRecord): LiveRun {
  const log = (record.log ?? []).slice(-LOG_TAIL_LINES).map((row, i): LogLine => ({
    id: -LOG_TAIL_LINES + i,
    at: Date.parse(row.at),
    level: row.level === 'warn' || row.level === 'error' ? row.level : 'info',
    message: row.message,
  }));
  const backupBytes = (record.backup as { bytes?: unknown } | null)?.bytes;
  return {
    runId: record.runId,
    mode: record.mode,
    kind: record.kind,
    status: 'running',
    message: null,
    steps: record.steps.map((s) => ({ seq: s.seq, id: s.id, replica: serverName(s.replica), title: s.title, status: s.status, startedAt: time(s.startedAt), finishedAt: time(s.finishedAt), message: s.message })),
    progress: {},
    dumpBytes: typeof backupBytes === 'number' ? backupBytes : null,
    log,
    question: null,
  };
}

let nextLogId = 0;

export function applyRestoreEvent(run: LiveRun, event: RestoreEvent, at: number): LiveRun {
  if (event.runId !== run.runId) return run;
  switch (event.type) {
    case 'run':
      return { ...run, status: event.status, message: event.message, question: event.status === 'running' ? run.question : null };
    case 'step': {
      const steps = run.steps.map((s) => {
        if (s.seq !== event.seq) return s;
        if (event.status === 'running') return { ...s, status: 'running', startedAt: at, finishedAt: null, message: event.message };
        return { ...s, status: event.status, finishedAt: FINISHED.has(event.status) ? at : null, message: event.message };
      });
      return { ...run, steps };
    }
    case 'progress':
      return { ...run, progress: { ...run.progress, [event.seq]: { ...event, at } }, dumpBytes: event.phase === 'dump' ? event.bytes : run.dumpBytes };
    case 'log': {
      const line: LogLine = { id: nextLogId++, at, level: event.level, message: event.message };
      return { ...run, log: [...run.log.slice(-(LOG_TAIL_LINES - 1)), line] };
    }
    case 'confirm':
      return { ...run, question: { requestId: event.requestId, instruction: event.instruction } };
  }
}

export const isRunOver = (status: RunStatus): boolean => status !== 'running';
