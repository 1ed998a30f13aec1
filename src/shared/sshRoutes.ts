// How the app and the CLI describe an SSH route (core/tunnels/), shared by the topology,
// the connection test and the restore plan: each hop by role and address, and where the
// route broke when it did.

/** One hop as shown: "jump host 1 · ssh admin@bastion:22". */
export interface RouteHopView {
  /** "jump host 1", "tunnel endpoint", "server host". */
  role: string;
  /** "ssh user@hostname:port" after ~/.ssh/config is applied. */
  description: string;
  /** The ~/.ssh/config alias it came from, if any. */
  alias?: string;
}

export interface RouteView {
  hops: RouteHopView[];
  /** The database as the last hop reaches it: "db.internal:5432". */
  target: string;
}

/** Where a route broke: the hop (0-based) that could not be opened, or that dropped, and why. */
export interface RouteBreak {
  hopIndex: number;
  hopCount: number;
  /** The error code (`host-key-unknown`, `ssh-auth`, `host-unreachable`, `ssh-channel-refused`, `tunnel-dropped`, …). */
  code: string;
  message: string;
  hint: string;
}

/** One hop's outcome in a connection test. */
export interface RouteHopResult extends RouteHopView {
  status: 'ok' | 'failed' | 'not-tried';
  /** The host key the hop presented (`SHA256:…`), when it got that far. */
  hostKeyFingerprint?: string;
  elapsedMs?: number;
}

/**
 * A route after a connection attempt (connection test, fetch host key): each hop's outcome
 * and, when it failed, where it broke. Error payloads of such attempts carry it too.
 */
export interface RouteOutcome {
  view: RouteView;
  hops: RouteHopResult[];
  break?: RouteBreak;
}

/** "ssh a@bastion:22 → ssh b@gw:22 → db.internal:5432" */
export const formatRoute = (route: RouteView): string => [...route.hops.map((h) => h.description), route.target].join(' → ');

/** "hop 2 of 2 (tunnel endpoint · ssh b@gw:22), host-key-mismatch" */
export function formatRouteBreak(route: RouteView, at: RouteBreak): string {
  const hop = route.hops[at.hopIndex];
  const where = `hop ${at.hopIndex + 1} of ${at.hopCount}${hop ? ` (${hop.role} · ${hop.description})` : ''}`;
  return at.code === 'ssh-channel-refused' && at.hopIndex === at.hopCount - 1 ? `${where} could not reach ${route.target}, ${at.code}` : `${where}, ${at.code}`;
}
