// Typed errors of the core. Each carries a stable code and the hint that tells the admin
// what to do next; the IPC and CLI layers turn them into `{ ok: false, error }` and exit codes.
import type { ErrorPayload, ProblemPath } from '../../shared/result';

export class ReplicaDeskError extends Error {
  /** Bad usage or invalid input, nothing changed: the CLI exits 2 rather than 1. */
  readonly usage: boolean = false;

  constructor(
    readonly code: string,
    message: string,
    readonly hint: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }

  toPayload(): ErrorPayload {
    return { code: this.code, message: this.message, hint: this.hint };
  }
}

/** Bad input: nothing was changed. The CLI exits 2 for these. */
export class InvalidInputError extends ReplicaDeskError {
  override readonly usage = true;

  constructor(
    message: string,
    readonly problems: ProblemPath[] = [],
    hint = 'Correct the listed problems and try again; nothing was changed.',
  ) {
    super('invalid-input', message, hint);
  }

  override toPayload(): ErrorPayload {
    return { ...super.toPayload(), problems: this.problems };
  }
}

export class NotFoundError extends ReplicaDeskError {
  override readonly usage = true;

  constructor(what: string, hint = 'Check the name with `replica-desk profiles list`.') {
    super('not-found', `${what} does not exist.`, hint);
  }
}

export class ConflictError extends ReplicaDeskError {
  override readonly usage = true;

  constructor(message: string, hint: string) {
    super('conflict', message, hint);
  }
}

/** Errors the CLI reports with exit code 2 (bad usage or invalid input; nothing changed). */
export const isUsageError = (e: unknown): boolean => e instanceof ReplicaDeskError && e.usage;

export function toErrorPayload(e: unknown): ErrorPayload {
  if (e instanceof ReplicaDeskError) return e.toPayload();
  const message = e instanceof Error ? e.message : String(e);
  return {
    code: 'internal',
    message: `Unexpected error: ${message}`,
    hint: 'This is a bug in Replica Desk. The log file has details; please report it.',
  };
}
