// The SSH tunnels of one topology probe: one TunnelPool for the whole call (one connection
// per hop, servers behind the same hops share it), closed when the probe ends. Opening a
// server's route counts inside that server's deadline: the SSH handshakes are the
// server's time, the keychain reads for hop secrets are ours and are given back.
import type { Server, ServerRef } from '../../../shared/profiles';
import { formatServerRef } from '../../../shared/profiles';
import type { ReplicaDeskError } from '../errors';
import type { LocalForward } from '../tunnels/localForward';
import type { EndpointBoundSecretStore } from '../secrets/endpointBoundSecretStore';
import { hopSecretLookup, type HopSecretLookup } from '../tunnels/hopSecrets';
import { openProbePool, type RouteContextSource } from '../tunnels/probePool';
import { routeContextFor } from '../tunnels/sshConfig';
import { RouteAttempt } from '../tunnels/routeAttempt';
import { dbRouteOf, type RouteContext, type SshRoute } from '../tunnels/sshRoute';
import type { TunnelPool } from '../tunnels/tunnelPool';
import { DEADLINE_CAP_FACTOR, type Deadline } from './deadline';

export interface ProbeTunnelSources {
  env: NodeJS.ProcessEnv;
  secretStore: EndpointBoundSecretStore;
  /** Hop secrets; default the keychain's (hopSecretLookup over secretStore). */
  hopSecrets?: HopSecretLookup;
  /** ~/.ssh/config for aliases; default: none known. */
  routeContext?: RouteContextSource;
}

export class ProbeTunnels {
  private readonly pool: TunnelPool;
  private readonly deadlines = new Map<string, Deadline>();
  private readonly ending = new AbortController();
  private context: Promise<RouteContext> | null = null;

  constructor(
    private readonly sources: ProbeTunnelSources,
    timeoutMs: number,
  ) {
    const lookup = sources.hopSecrets ?? hopSecretLookup(sources.secretStore);
    this.pool = openProbePool({
      env: sources.env,
      // A handshake never outlasts the longest a server's deadline can move to.
      readyTimeoutMs: Math.ceil(timeoutMs * DEADLINE_CAP_FACTOR),
      hopSecrets: {
        secretFor: async (hop, ref) => {
          const deadline = this.deadlines.get(formatServerRef(ref));
          const started = performance.now();
          try {
            return await lookup.secretFor(hop, ref);
          } finally {
            deadline?.giveBack(performance.now() - started);
          }
        },
        explainAuthFailure: (hop, ref, error) => lookup.explainAuthFailure(hop, ref, error),
      },
    });
  }

  /** A pool only when some server needs one. */
  static for(servers: readonly Server[], sources: ProbeTunnelSources, timeoutMs: number): ProbeTunnels | null {
    return servers.some((s) => s.db.tunnel) ? new ProbeTunnels(sources, timeoutMs) : null;
  }

  /** The server's database route, or null when it is reached directly; InvalidInputError for an unknown alias. */
  async routeOf(server: Server): Promise<SshRoute | null> {
    if (!server.db.tunnel) return null;
    this.context ??= (this.sources.routeContext ?? routeContextFor)(this.sources.env);
    return dbRouteOf(server, await this.context);
  }

  /**
   * Opens the route's forward within `deadline`. Rejects with the hop's error (SshHopError),
   * or at the deadline with a timeout naming the hop it waited on (`onTimeout()` if every hop
   * was open); `attempt` says where it broke.
   */
  async open(ref: ServerRef, attempt: RouteAttempt, deadline: Deadline, onTimeout: () => Error): Promise<LocalForward> {
    this.deadlines.set(formatServerRef(ref), deadline);
    // The shared hops are bounded by the whole probe, not by one server: a server that gives up
    // must not cut a hop another server is still opening.
    const opening = attempt.open(this.pool, ref, { signal: this.ending.signal });
    return deadline.race(opening, () => attempt.giveUp(deadline.ms) ?? onTimeout());
  }

  /**
   * When a database connection through `forward` failed on the route rather than at the
   * database (a hop of it dropped, or the last hop could not reach the database), that
   * error, noted in `attempt`; otherwise null.
   */
  routeFailure(attempt: RouteAttempt, forward: LocalForward): ReplicaDeskError | null {
    return attempt.failureOnRoute(this.pool, forward);
  }

  /** Ends every hop and forward; idempotent. */
  async close(): Promise<void> {
    this.ending.abort();
    await this.pool.close();
  }
}
