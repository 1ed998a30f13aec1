// What the app's *Try the sandbox* and *Remove sandbox* tell the window while they work, and
// what main reports about the one sandbox job it runs at a time (so a view opened mid-build
// shows the progress it missed). Shared by main, preload, the HTTP bridge and the renderer.
import type { SandboxDownReport, SandboxProgress, SandboxStatus } from './sandbox';
import type { ErrorPayload } from './result';

export type SandboxAction = 'up' | 'down';

/** The sandbox job main is running now. */
export interface SandboxJob {
  action: SandboxAction;
  startedAt: string;
  /** The latest progress, null until the first arrives. */
  progress: SandboxProgress | null;
  /** Cancel was asked for; the job stops at its next check. */
  cancelling: boolean;
}

export type SandboxEvent =
  | { type: 'progress'; progress: SandboxProgress }
  /** The job ended: `error` is set when it failed or was cancelled (code `cancelled`). */
  | { type: 'end'; action: SandboxAction; outcome: 'done' | 'cancelled' | 'failed'; error: ErrorPayload | null };

/** In a browser (the tests' HTTP bridge), sandbox events arrive on the event stream under this SSE event name. */
export const SANDBOX_SSE_EVENT = 'sandbox';

export type SandboxEventListener = (event: SandboxEvent) => void;

/** sandboxStatus: the sandbox as it stands, and the job running on it, if any. */
export type SandboxStatusReply = SandboxStatus & { job: SandboxJob | null };

/** sandboxDown: `confirmed` is false when the admin declined in main's dialog (nothing was removed, `report` is null). */
export interface SandboxDownReply {
  confirmed: boolean;
  report: SandboxDownReport | null;
}

export function isSandboxEvent(value: unknown): value is SandboxEvent {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { type?: unknown; progress?: unknown; action?: unknown };
  if (v.type === 'progress') return typeof v.progress === 'object' && v.progress !== null;
  return v.type === 'end' && (v.action === 'up' || v.action === 'down');
}
