// What a running restore tells its watchers (the CLI's stderr, the app's wizard). Progress
// is throttled by its producers to about ten events a second.
import type { StepStatus, RunStatus } from './restorePlan';

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
  | { type: 'log'; runId: string; level: 'info' | 'warn' | 'error'; message: string };

export type RestoreEventListener = (event: RestoreEvent) => void;

/** Calls `fn` at most every `intervalMs`, always delivering the latest value, and the last one on flush. */
export function throttle<T>(fn: (value: T) => void, intervalMs = 100): { push(value: T): void; flush(): void } {
  let last = 0;
  let pending: T | undefined;
  let timer: NodeJS.Timeout | undefined;
  const emit = () => {
    timer = undefined;
    if (pending === undefined) return;
    const v = pending;
    pending = undefined;
    last = Date.now();
    fn(v);
  };
  return {
    push(value: T) {
      pending = value;
      const wait = intervalMs - (Date.now() - last);
      if (wait <= 0) emit();
      else timer ??= setTimeout(emit, wait);
    },
    flush() {
      if (timer) clearTimeout(timer);
      emit();
    },
  };
}
