// Cancelling a long operation (Ctrl-C in the CLI, an API call in the app) aborts an
// AbortSignal; whatever notices it throws this one error, which a run records as `cancelled`.
import { ReplicaDeskError } from './errors';

export class CancelledError extends ReplicaDeskError {
  constructor(message = 'The operation was cancelled.', options?: { cause?: unknown }) {
    super('cancelled', message, 'Resume the run with `replica-desk runs resume RUN_ID` when you are ready.', options);
  }
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancelledError();
}
