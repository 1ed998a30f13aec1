// A failure on an SSH route that carries the route's outcome along (each hop's result and
// where it broke), so the payload the app receives can show which hop failed. The code,
// message and hint stay those of what failed (`host-key-mismatch`, `wrong-password`, …).
import type { ErrorPayload } from '../../../shared/result';
import type { RouteOutcome } from '../../../shared/sshRoutes';
import { ReplicaDeskError } from '../errors';

export class RouteAttemptError extends ReplicaDeskError {
  override readonly usage: boolean;

  constructor(
    readonly error: ReplicaDeskError,
    readonly route: RouteOutcome,
  ) {
    super(error.code, error.message, error.hint, { cause: error });
    this.usage = error.usage;
  }

  override toPayload(): ErrorPayload {
    return { ...this.error.toPayload(), route: this.route };
  }
}
