// Errors of the restore procedure itself; each says what the admin must do next.
import { ReplicaDeskError } from '../errors';

export class RestoreError extends ReplicaDeskError {}

export class PreflightFailedError extends RestoreError {
  constructor(count: number) {
    super('preflight-failed', `Preflight found ${count} problem(s); nothing was changed.`, 'Fix each problem listed above (each has its own hint), then run the restore again.');
  }
}

export class ConfirmationDeclinedError extends RestoreError {
  constructor(what: string) {
    super('not-confirmed', `Not confirmed: ${what}`, 'Nothing further was done for this step. Run the restore again (or `runs resume`) when you are ready.');
  }
}

export class ReplicaStillRunningError extends RestoreError {
  constructor(replica: string, detail: string) {
    super(
      'replica-still-running',
      `${replica} is still running after its stop command: ${detail}`,
      `Stop ${replica} by hand and check its stop and status commands in the profile; nothing was dropped. Then \`runs resume\`.`,
    );
  }
}

export class ReplicaStatusUnknownError extends RestoreError {
  constructor(server: string, command: string, why: string) {
    super(
      'server-status-unknown',
      `Cannot tell whether ${server} is stopped: its status command \`${command}\` gave no answer (${why}). Nothing was dropped or changed.`,
      `Run the status command by hand on that host and fix it in the profile (control.status must exit 0 while the server runs and non-zero while it is stopped), then \`replica-desk runs resume RUN_ID\`.`,
    );
  }
}

export class ReplicaStillConnectedError extends RestoreError {
  constructor(replica: string, sessions: string[]) {
    super(
      'replica-still-connected',
      `${replica}'s database user still has ${sessions.length} session(s) open: ${sessions.join('; ')}`,
      'A server (or another client) still uses the replica database. Stop it, or end those sessions, then `runs resume`. Nothing was dropped.',
    );
  }
}

export class ControlCommandFailedError extends RestoreError {
  constructor(what: string, exitCode: number | null, stderr: string) {
    const tail = stderr.trim().split('\n').slice(-5).join(' | ');
    super('control-command-failed', `${what} exited with ${exitCode ?? 'a signal'}${tail ? `: ${tail}` : ''}`, 'Run the command by hand on that host to see why, fix it or the profile, then `runs resume`.');
  }
}

export class ServerDidNotStartError extends RestoreError {
  constructor(server: string, waitedMs: number) {
    super('server-did-not-start', `${server} did not report running within ${Math.round(waitedMs / 1000)} s.`, `Check ${server}'s logs and its status command. The database is restored; start the server by hand, then \`runs resume\` to verify.`);
  }
}

export class RowCountMismatchError extends RestoreError {
  constructor(replica: string, mismatches: string[]) {
    super('row-count-mismatch', `The restored tables of ${replica} do not match the master: ${mismatches.slice(0, 5).join('; ')}${mismatches.length > 5 ? ` (+${mismatches.length - 5} more)` : ''}`, 'The restore is incomplete or the backup was not what it seemed. `runs resume` restores it again from the same backup.');
  }
}

export class VerificationFailedError extends RestoreError {
  constructor(replica: string, failed: string[]) {
    super('verification-failed', `${replica} failed verification: ${failed.join('; ')}`, 'See the checks in `runs show`; fix the cause, then `runs resume` to run the remaining steps again.');
  }
}

export class RunNotResumableError extends RestoreError {
  constructor(runId: string, why: string, hint = 'See `replica-desk runs show RUN_ID`; start a new restore if needed.') {
    super('not-resumable', `Run ${runId} cannot be resumed: ${why}`, hint);
  }
}

export class ConfirmationRequiredError extends RestoreError {
  override readonly usage = true;

  /** `what`: the operation, e.g. "This rollback stops replicas and swaps their schemas back". */
  constructor(what = 'This restore drops replica schemas') {
    super('confirmation-required', `${what} and needs a typed confirmation, but there is no terminal to ask on.`, 'Run it in a terminal, or pass --yes to confirm non-interactively. Nothing was changed.');
  }
}
