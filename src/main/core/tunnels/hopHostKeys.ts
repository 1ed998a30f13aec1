// `connection test --host-keys`: the host key every SSH hop of a server's routes presents
// now (each read through the hops before it), set against the key the profile pins for it,
// so an admin can compare and pin them without opening each hop by hand.
import type { Server, ServerRef } from '../../../shared/profiles';
import type { ErrorPayload } from '../../../shared/result';
import type { RouteHopView } from '../../../shared/sshRoutes';
import { toErrorPayload } from '../errors';
import { keyOfHop } from './fetchHostKey';
import type { HopSecretLookup } from './hopSecrets';
import { openProbePool } from './probePool';
import { hopViewOf } from './routeView';
import { dbRouteOf, hostRouteOf, type RouteContext, type SshHop } from './sshRoute';

export interface HopHostKey extends RouteHopView {
  /** What the hop presented now; absent when it could not be reached (see error). */
  fingerprint?: string;
  /** The profile's pin for the hop, if any. */
  pinned?: string;
  /** `not-pinned`: known_hosts decides for this hop. */
  verdict: 'matches-pin' | 'differs-from-pin' | 'not-pinned' | 'unreachable';
  error?: ErrorPayload;
}

export interface RouteHostKeys {
  /** `server host`: the route to the server's own SSH host; `database`: the tunnel to its database. */
  route: 'server host' | 'database';
  hops: HopHostKey[];
}

const sameKey = (a: string, b: string): boolean => a.trim().replace(/=+$/, '') === b.trim().replace(/=+$/, '');

function verdictOf(hop: SshHop, fingerprint: string): HopHostKey['verdict'] {
  if (hop.hostKey === undefined) return 'not-pinned';
  return sameKey(hop.hostKey, fingerprint) ? 'matches-pin' : 'differs-from-pin';
}

/** Every route of the server with SSH hops: its own host's, and the database tunnel's when that is a route of its own. */
function routesOf(server: Server, context: RouteContext): Array<{ route: RouteHostKeys['route']; hops: SshHop[] }> {
  const routes: Array<{ route: RouteHostKeys['route']; hops: SshHop[] }> = [];
  const host = hostRouteOf(server, context);
  if (host.length) routes.push({ route: 'server host', hops: host });
  if (server.db.tunnel?.via === 'ssh') routes.push({ route: 'database', hops: dbRouteOf(server, context)!.hops });
  return routes;
}

export async function hopHostKeys(
  server: Server,
  ref: ServerRef,
  options: { env: NodeJS.ProcessEnv; context: RouteContext; hopSecrets: HopSecretLookup; timeoutMs: number },
): Promise<RouteHostKeys[]> {
  const pool = openProbePool({ env: options.env, hopSecrets: options.hopSecrets, readyTimeoutMs: options.timeoutMs });
  try {
    const result: RouteHostKeys[] = [];
    for (const { route, hops } of routesOf(server, options.context)) {
      const keys: HopHostKey[] = [];
      // One hop after the other: each later one goes through the connections the earlier opened.
      for (const [i, hop] of hops.entries()) {
        const pinned = hop.hostKey !== undefined ? { pinned: hop.hostKey } : {};
        try {
          const fingerprint = await keyOfHop(pool, ref, hops, i, options.timeoutMs);
          keys.push({ ...hopViewOf(hop), fingerprint, ...pinned, verdict: verdictOf(hop, fingerprint) });
        } catch (error) {
          keys.push({ ...hopViewOf(hop), ...pinned, verdict: 'unreachable', error: toErrorPayload(error) });
        }
      }
      result.push({ route, hops: keys });
    }
    return result;
  } finally {
    await pool.close();
  }
}
