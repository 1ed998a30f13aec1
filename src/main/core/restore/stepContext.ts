// What a step gets to do its work: the plan, its servers, the run's resources, the abort
// signal, and ways to confirm, log, capture values and report progress.
import type { Server } from '../../../shared/profiles';
import type { PgTools } from '../postgres/pgTools';
import type { CommandApprovalCheck } from '../profiles/commandApprovals';
import { DEFAULT_STALL_TIMEOUT_MS } from '../postgres/progressWatchdog';
import { DEFAULT_FIXUP_LOCK_TIMEOUT_MS, DEFAULT_FIXUP_STATEMENT_TIMEOUT_MS } from '../coremedia/replicaFixups';
import type { RestoreResources } from './restoreResources';
import type { LiveDump } from './liveDump';
import type { PlannedStep, RestorePlan } from '../../../shared/restorePlan';

export interface Timeouts {
  /** Running one control command. */
  commandMs: number;
  /** Waiting for a stopped server's status and sessions to show it is down. */
  stopWaitMs: number;
  /** Waiting for a started server's status to report it running. */
  startWaitMs: number;
  /** Between two status checks. */
  pollMs: number;
  /** A dump or restore stream that moves no bytes for this long is a dead connection. */
  stallMs: number;
  /** DROP SCHEMA: how long to wait for locks, and for the statement. */
  dropSchema: { lockTimeoutMs: number; statementTimeoutMs: number };
  /** The fix-ups' transaction: the same two limits. */
  fixups: { lockTimeoutMs: number; statementTimeoutMs: number };
  /** The side-by-side swap's transaction: how long it may wait for the schemas' locks. */
  swap: { lockTimeoutMs: number };
}

export const DEFAULT_TIMEOUTS: Timeouts = {
  commandMs: 5 * 60_000,
  stopWaitMs: 60_000,
  startWaitMs: 5 * 60_000,
  pollMs: 1_000,
  stallMs: DEFAULT_STALL_TIMEOUT_MS,
  dropSchema: { lockTimeoutMs: 30_000, statementTimeoutMs: 10 * 60_000 },
  fixups: { lockTimeoutMs: DEFAULT_FIXUP_LOCK_TIMEOUT_MS, statementTimeoutMs: DEFAULT_FIXUP_STATEMENT_TIMEOUT_MS },
  swap: { lockTimeoutMs: 10_000 },
};

export interface ProgressUpdate {
  phase: 'dump' | 'restore';
  bytes: number;
  bytesTotal: number | null;
  tablesDone: number;
  tablesTotal: number | null;
}

export interface StepContext {
  runId: string;
  plan: RestorePlan;
  step: PlannedStep;
  master: Server;
  /** The step's replica; null for steps on the master. */
  replica: Server | null;
  resources: RestoreResources;
  /**
   * The run's dump while it is being written, when restores overlap it (overlappedPhases.ts);
   * null when the backup is finished before any restore starts.
   */
  liveDump?: LiveDump | null;
  /** Control commands run only while approved. */
  approvals: CommandApprovalCheck;
  tools(): Promise<PgTools>;
  signal: AbortSignal;
  timeouts: Timeouts;
  /** Values captured by earlier steps of the run (backup, master counts, identities…). */
  runCaptured(): Record<string, unknown>;
  captureRun(values: Record<string, unknown>): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  progress(update: ProgressUpdate): void;
  /** Asks the admin to do something by hand and confirm; false when declined. */
  confirm(instruction: string): Promise<boolean>;
}

export interface StepOutcome {
  message: string;
  captured?: Record<string, unknown>;
  /** The step did nothing because its work was already done (e.g. on resume). */
  skipped?: boolean;
}

export type StepImplementation = (ctx: StepContext) => Promise<StepOutcome>;

export function requireReplica(ctx: StepContext): Server {
  if (!ctx.replica) throw new Error(`step ${ctx.step.id} needs a replica`);
  return ctx.replica;
}

export const delay = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
