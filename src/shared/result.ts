// How every operation answers across a boundary (IPC, the HTTP bridge, the CLI's --json):
// errors are values, never thrown strings.
import type { RouteOutcome } from './sshRoutes';

export interface ProblemPath {
  /** JSON path of the offending value, e.g. `$.installations[0].servers[1].db.port`. */
  path: string;
  message: string;
}

export interface ErrorPayload {
  /** Stable machine-readable code, e.g. `wrong-password`, `invalid-input`. */
  code: string;
  /** What went wrong, in one sentence. */
  message: string;
  /** What the admin should do next. */
  hint: string;
  /** For validation failures: every problem with its JSON path. */
  problems?: ProblemPath[];
  /** For a failure on an SSH route (a connection test through a tunnel): each hop's outcome and where it broke. */
  route?: RouteOutcome;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorPayload };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(error: ErrorPayload): Result<T> => ({ ok: false, error });
