// The SSH tunnels of one restore run (or of one preflight): the routes of the servers it
// touches, one TunnelPool for all of them (one connection per hop, shared by servers behind
// the same hops), and the installation as the run dials it, each tunnelled server's
// db.connectTo set to its local forward. This is the one place that opens the tunnels,
// substitutes the forwards and closes them: withRunTunnels() closes the pool whatever the
// work did (succeeded, failed, was cancelled, threw). The dialable installation lives only
// in memory: connectTo (an ephemeral port) never reaches the run record, the plan or a
// snapshot, which keep the profile's servers.
import type { Installation, Server } from '../../../shared/profiles';
import type { RouteView } from '../../../shared/sshRoutes';
import { noHopSecrets, type HopSecretLookup } from '../tunnels/hopSecrets';
import { routeContextFor } from '../tunnels/sshConfig';
import { dbRouteOf, type SshHop, type SshRoute } from '../tunnels/sshRoute';
import { routeViewOf } from '../tunnels/routeView';
import { SshHopError, type TunnelDroppedError } from '../tunnels/tunnelErrors';
import { ReplicaDeskError } from '../errors';
import { TunnelPool } from '../tunnels/tunnelPool';

/** How opening a run's tunnels may take at most, every route together. */
export const RUN_TUNNEL_OPEN_TIMEOUT_MS = 60_000;

export interface RunTunnelsOptions {
  env: NodeJS.ProcessEnv;
  /** The hops' passphrases from the keychain (hopSecrets.ts); without it, the agent and unencrypted keys only. */
  secrets?: HopSecretLookup;
  signal?: AbortSignal;
  /** Bounds opening every route, in total. Default RUN_TUNNEL_OPEN_TIMEOUT_MS. */
  timeoutMs?: number;
}

const sameHop = (a: SshHop, b: SshHop): boolean => a.hostname.toLowerCase() === b.hostname.toLowerCase() && a.port === b.port && a.user === b.user;

/** The routes of `servers` whose database is reached through SSH, by server name, and the servers whose route cannot be resolved (an unknown alias). */
export async function dbRoutesOf(servers: readonly Server[], env: NodeJS.ProcessEnv): Promise<{ routes: Map<string, SshRoute>; failures: Map<string, Error> }> {
  const context = await routeContextFor(env);
  const routes = new Map<string, SshRoute>();
  const failures = new Map<string, Error>();
  for (const server of servers) {
    try {
      const route = dbRouteOf(server, context);
      if (route) routes.set(server.name, route);
    } catch (error) {
      failures.set(server.name, error instanceof Error ? error : new Error(String(error)));
    }
  }
  return { routes, failures };
}

/** The plan's routes (RestorePlan.routes): per `installation/server`, as shown. */
export function planRoutes(installation: Pick<Installation, 'name'>, routes: ReadonlyMap<string, SshRoute>): Record<string, RouteView> {
  return Object.fromEntries([...routes].map(([name, route]) => [`${installation.name}/${name}`, routeViewOf(route)]));
}

/** Where a server sits in the profiles@1 file: `installation "prod-eu" → servers[1] ("rls1")`. */
export const serverPathOf = (installation: Installation, server: Server): string =>
  `installation "${installation.name}" → servers[${installation.servers.indexOf(server)}] ("${server.name}")`;

/**
 * A hop refused for its host key: the hint (which names the hop's hostKey field, e.g.
 * `db.tunnel.hostKey`) also says which server of which installation it belongs to.
 */
function withPinPath(error: Error, installation: Installation, server: Server): Error {
  if (!(error instanceof SshHopError) || !error.code.startsWith('host-key') || !error.hop.profilePath) return error;
  const path = `${serverPathOf(installation, server)} → ${error.hop.profilePath}.hostKey`;
  return new ReplicaDeskError(error.code, error.message, `${error.hint} That hop's pin is the profile's ${path} (profiles@1 JSON path).`, { cause: error });
}

export class RunTunnels {
  private constructor(
    private readonly pool: TunnelPool,
    /** The installation as the run dials it: tunnelled servers carry db.connectTo. */
    readonly installation: Installation,
    readonly routes: ReadonlyMap<string, SshRoute>,
    /** Servers whose route could not be opened (SshHopError naming the hop) or resolved. */
    readonly failures: ReadonlyMap<string, Error>,
    /** The connectTo of each tunnelled server, by name: the objects its dialable db carries. */
    private readonly forwards: ReadonlyMap<string, { host: string; port: number }>,
  ) {}

  /**
   * Opens the routes of the named servers (all in parallel; hops they share are opened once)
   * and returns the dialable installation. A route that fails is in `failures`; its server
   * keeps no connectTo, so a caller must not dial it (it would go around the tunnel).
   */
  static async open(installation: Installation, serverNames: readonly string[], options: RunTunnelsOptions): Promise<RunTunnels> {
    const servers = installation.servers.filter((s) => serverNames.includes(s.name));
    const { routes, failures } = await dbRoutesOf(servers, options.env);
    const pool = new TunnelPool({ ...(options.secrets ?? noHopSecrets), env: options.env });
    const forwards = new Map<string, { host: string; port: number }>();
    // Each route's failure (a hop's SshHopError, or CancelledError when the run is cancelled
    // while opening) is kept for the caller, which refuses that server.
    await Promise.all(
      [...routes].map(async ([name, route]) => {
        try {
          const forward = await pool.forward({ installation: installation.name, server: name }, route, {
            ...(options.signal ? { signal: options.signal } : {}),
            timeoutMs: options.timeoutMs ?? RUN_TUNNEL_OPEN_TIMEOUT_MS,
          });
          forwards.set(name, { host: forward.host, port: forward.port });
        } catch (error) {
          failures.set(name, withPinPath(error instanceof Error ? error : new Error(String(error)), installation, servers.find((s) => s.name === name)!));
        }
      }),
    );
    const dialable: Installation = {
      ...installation,
      servers: installation.servers.map((s) => {
        const connectTo = forwards.get(s.name);
        return connectTo ? { ...s, db: { ...s.db, connectTo } } : s;
      }),
    };
    return new RunTunnels(pool, dialable, routes, failures, forwards);
  }

  /** The dialable server of that name (the profile's, with connectTo when tunnelled). */
  server(name: string): Server {
    const found = this.installation.servers.find((s) => s.name === name);
    if (!found) throw new Error(`server ${name} is not in the run's installation`);
    return found;
  }

  /** The drop that cut `serverName`'s route (its route passes the hop that went away), or null. */
  droppedFor(serverName: string): TunnelDroppedError | null {
    const dropped = this.pool.dropped;
    const route = this.routes.get(serverName);
    if (!dropped || !route) return null;
    return route.hops.some((hop) => sameHop(hop, dropped.hop)) ? dropped : null;
  }

  /**
   * droppedFor, after waiting up to `graceMs` for a drop to be noticed: a tool whose
   * forwarded connection ended can fail a moment before the SSH connection reports its close.
   */
  async dropFor(serverName: string, graceMs = 500): Promise<TunnelDroppedError | null> {
    if (!this.routes.has(serverName)) return null;
    const deadline = Date.now() + graceMs;
    while (!this.droppedFor(serverName) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    return this.droppedFor(serverName);
  }

  /**
   * After a drop: opens every route that lost its forward again (the pool has forgotten the
   * dead hops) and points the dialable servers at the new forwards. Compensation uses it to
   * check schemas and hold the replica's lock before starting it again; best effort, bounded.
   * Returns the servers whose route is open now.
   */
  async reopen(timeoutMs = 15_000): Promise<string[]> {
    const reopened: string[] = [];
    await Promise.all(
      [...this.forwards].map(async ([name, connectTo]) => {
        if (!this.droppedFor(name)) return reopened.push(name);
        try {
          const forward = await this.pool.forward({ installation: this.installation.name, server: name }, this.routes.get(name)!, { timeoutMs });
          // The dialable db holds this very object: every later connection dials the new forward.
          connectTo.port = forward.port;
          reopened.push(name);
        } catch {
          // Still unreachable: that server's connections keep failing, and say why.
        }
      }),
    );
    return reopened;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** Opens the tunnels, runs `work` with them, and closes them whatever `work` did. */
export async function withRunTunnels<T>(installation: Installation, serverNames: readonly string[], options: RunTunnelsOptions, work: (tunnels: RunTunnels) => Promise<T>): Promise<T> {
  const tunnels = await RunTunnels.open(installation, serverNames, options);
  try {
    return await work(tunnels);
  } finally {
    await tunnels.close();
  }
}
