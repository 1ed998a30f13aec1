// What a running restore tells its watchers (the CLI's stderr, the app's wizard). Progress
// is throttled by its producers to about ten events a second.
import type { RunStatus, StepStatus } from './restorePlan';

export type RestoreEvent =
  | { type: 'run'; runId: string; status: RunStatus; message: string | null }
  | { type: 'step'; runId: string; seq: number; id: string; replica: string | null; title: string; status: StepStatus; message: string | null }
  | {
      type: 'progress';
      runId: string;
      seq: number;
      replica: string | null;
      phase: 'dump' | 'restore';
      bytes: number;
      bytesTotal: number | null;
      tablesDone: number;
      tablesTotal: number | null;
    }
  | { type: 'log'; runId: string; level: 'info' | 'warn' | 'error'; message: string }
  /** A manual step waits for the admin (the app answers with answerConfirmation). */
  | { type: 'confirm'; runId: string; requestId: string; instruction: string };

export type RestoreEventListener = (event: RestoreEvent) => void;
