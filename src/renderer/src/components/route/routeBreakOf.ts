// Where an SSH route broke, read from an operation's error: the payload's `route.break` when
// the operation carries the route (connection test, fetch host key); otherwise the hop named
// in the message of SshHopError ("SSH hop 2 of 3 (jump host 2, ssh u@h:22) failed: …") or
// TunnelDroppedError ("The SSH tunnel dropped at hop 2 of 3 (tunnel endpoint, ssh …): …").
import type { ErrorPayload } from '../../../../shared/result';
import type { RouteBreak } from '../../../../shared/sshRoutes';

/** A break as the app shows it: the RouteBreak, with the hop's role and address when the message names them. */
export interface RouteBreakView extends RouteBreak {
  role?: string;
  description?: string;
}

const HOP_PREFIX = /(?:SSH hop|dropped at hop) (\d+) of (\d+) \(([^,()]+?)(?: "[^"]*")?, (ssh [^)]+)\)/;

/** The break an error payload names, or null when it is not about an SSH hop. */
export function routeBreakOf(error: ErrorPayload): RouteBreakView | null {
  const carried = error.route?.break;
  if (carried) {
    const hop = error.route?.view.hops[carried.hopIndex];
    return hop ? { ...carried, role: hop.role, description: hop.description } : carried;
  }
  const match = HOP_PREFIX.exec(error.message);
  if (!match) return null;
  const [, index, count, role, description] = match;
  return { hopIndex: Number(index) - 1, hopCount: Number(count), code: error.code, message: error.message, hint: error.hint, role: role!.trim(), description: description! };
}
