// Where an SSH route broke, from the error that broke it: a hop that could not be opened
// (SshHopError: its index, and the cause's code and hint kept), a forward whose far end
// refused the database connection (SshChannelRefusedError: the last hop could not connect
// onwards), or a hop that dropped after it was open (TunnelDroppedError). Pure.
import type { RouteBreak } from '../../../shared/sshRoutes';
import { ReplicaDeskError } from '../errors';
import { HostUnreachableError } from '../hosts/host';
import { describeHop, type SshHop, type SshRoute } from './sshRoute';
import { SshChannelRefusedError, SshHopError, TunnelDroppedError } from './tunnelErrors';

const breakAt = (hopIndex: number, hopCount: number, error: ReplicaDeskError): RouteBreak => ({
  hopIndex,
  hopCount,
  code: error.code,
  message: error.message,
  hint: error.hint,
});

/**
 * The RouteBreak an error means for `route`, or null when it is not about the route (a
 * wrong database password through a working tunnel, say). A refused forward is reported
 * at the last hop, the one that could not reach the database; its message names the target.
 */
export function routeBreakOf(error: unknown, route: SshRoute): RouteBreak | null {
  const count = route.hops.length;
  if (error instanceof SshHopError || error instanceof TunnelDroppedError) return breakAt(Math.min(error.hopIndex, count - 1), count, error);
  if (error instanceof SshChannelRefusedError) return breakAt(count - 1, count, error);
  return null;
}

/** The far end of a forward refused: the last hop's words for it, as an error naming the database. */
export const forwardRefused = (route: SshRoute, reason: string): SshChannelRefusedError =>
  new SshChannelRefusedError(route.hops.at(-1)!, route.target, reason);

/** A hop whose handshake did not finish before the caller's deadline. */
export function hopTimedOut(route: SshRoute, hopIndex: number, timeoutMs: number): SshHopError {
  const hop: SshHop = route.hops[hopIndex]!;
  const reason = new HostUnreachableError(describeHop(hop), `no SSH handshake within ${Math.round(timeoutMs / 100) / 10} s`);
  return new SshHopError(hopIndex, route.hops.length, hop, reason);
}
