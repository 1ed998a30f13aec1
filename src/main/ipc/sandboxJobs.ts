// The app's sandbox jobs (*Try the sandbox*, *Remove sandbox*): main runs one sandbox up or
// down at a time — a second is refused, not queued — streams its progress to the window as
// SandboxEvents (a new phase at once, the master's MB at most ten times a second), cancels it
// on request, and remembers the running job so a view opened mid-build shows where it is.
// Transport-neutral: Electron sends the events to its window, the tests' bridge over SSE.
import { CancelledError } from '../core/cancellation';
import { ConflictError, ReplicaDeskError, toErrorPayload } from '../core/errors';
import { throttle } from '../core/restore/restoreEventThrottle';
import type { SandboxProgressListener, SandboxService } from '../core/sandbox/sandboxService';
import type { SandboxDownReport, SandboxProgress, SandboxStatus, SandboxUpOptions } from '../../shared/sandbox';
import type { SandboxAction, SandboxEvent, SandboxJob } from '../../shared/sandboxEvents';

const DOING: Record<SandboxAction, string> = { up: 'being built', down: 'being removed' };

export class SandboxBusyError extends ConflictError {
  constructor(running: SandboxAction, stage: 'running' | 'asking' = 'running') {
    super(
      stage === 'asking' ? 'Removing the sandbox is being confirmed already.' : `The sandbox is ${DOING[running]} already.`,
      stage === 'asking' ? 'Answer the open dialog first.' : 'Wait until that finishes, or cancel it; one sandbox job runs at a time.',
    );
  }
}

/** A cancelled sandbox job: what exists stays recorded, so the next up or down picks it up. */
export class SandboxJobCancelledError extends ReplicaDeskError {
  constructor(action: SandboxAction, options?: { cause?: unknown }) {
    super(
      'cancelled',
      action === 'up' ? 'Building the sandbox was cancelled.' : 'Removing the sandbox was cancelled.',
      action === 'up'
        ? 'What was built so far stays recorded: Try the sandbox again reuses it, Remove sandbox removes it.'
        : 'What is left stays recorded: Remove sandbox again removes the rest.',
      options,
    );
  }
}

interface RunningJob {
  state: SandboxJob;
  abort: AbortController;
  settled: Promise<void>;
}

export class SandboxJobs {
  private job: RunningJob | null = null;
  /** A job the admin is being asked to confirm (main's dialog is open): it counts as running. */
  private asking: SandboxAction | null = null;

  constructor(
    private readonly sandbox: () => SandboxService,
    private readonly emit: (event: SandboxEvent) => void,
  ) {}

  /** The job running now (a copy), or null. */
  current(): SandboxJob | null {
    return this.job ? { ...this.job.state } : null;
  }

  /** Throws SandboxBusyError while a job runs (so a caller can refuse before asking the admin anything). */
  assertIdle(): void {
    if (this.job) throw new SandboxBusyError(this.job.state.action);
    if (this.asking) throw new SandboxBusyError(this.asking, 'asking');
  }

  /**
   * Runs `ask` (the confirmation before a job) with the jobs held, so a second request while
   * the dialog is open is refused rather than opening a second dialog.
   */
  async whileAsking<T>(action: SandboxAction, ask: () => Promise<T>): Promise<T> {
    this.assertIdle();
    this.asking = action;
    try {
      return await ask();
    } finally {
      this.asking = null;
    }
  }

  /** Builds the sandbox of about `sizeMb` (the service's default when absent) where the service keeps it: the window never picks the directory. */
  up(sizeMb: number | undefined): Promise<SandboxStatus> {
    const options: SandboxUpOptions = sizeMb === undefined ? {} : { sizeMb };
    return this.run('up', (onProgress, signal) => this.sandbox().up(options, onProgress, signal));
  }

  down(): Promise<SandboxDownReport> {
    return this.run('down', (onProgress, signal) => this.sandbox().down(onProgress, signal));
  }

  /** Asks the running job to stop; false when none runs. */
  cancel(): boolean {
    if (!this.job) return false;
    this.job.state.cancelling = true;
    this.job.abort.abort();
    return true;
  }

  /** Resolves once no job runs (for a clean shutdown and tests). */
  async idle(): Promise<void> {
    await this.job?.settled;
  }

  private async run<T>(action: SandboxAction, work: (onProgress: SandboxProgressListener, signal: AbortSignal) => Promise<T>): Promise<T> {
    // Synchronous up to here: two calls in the same tick cannot both pass.
    this.assertIdle();
    let settle = (): void => {};
    const state: SandboxJob = { action, startedAt: new Date().toISOString(), progress: null, cancelling: false };
    const abort = new AbortController();
    this.job = { state, abort, settled: new Promise<void>((resolve) => (settle = resolve)) };
    const progress = throttle((p: SandboxProgress) => this.emit({ type: 'progress', progress: p }));
    const onProgress = (p: SandboxProgress): void => {
      const newPhase = state.progress?.phase !== p.phase || state.progress.action !== p.action;
      state.progress = p;
      progress.push(p);
      if (newPhase) progress.flush();
    };
    try {
      const value = await work(onProgress, abort.signal);
      progress.flush();
      this.emit({ type: 'end', action, outcome: 'done', error: null });
      return value;
    } catch (e) {
      progress.flush();
      const cancelled = e instanceof CancelledError || (abort.signal.aborted && toErrorPayload(e).code === 'cancelled');
      const error = cancelled ? new SandboxJobCancelledError(action, { cause: e }) : e;
      // The operation's handler logs an internal error; the window hears how the job ended.
      this.emit({ type: 'end', action, outcome: cancelled ? 'cancelled' : 'failed', error: toErrorPayload(error) });
      throw error;
    } finally {
      this.job = null;
      settle();
    }
  }
}
