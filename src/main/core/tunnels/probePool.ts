// What the short-lived users of SSH tunnels share (topology probes, connection tests,
// fetching a host key): pool settings suited to a few seconds' work, where a route's
// ~/.ssh/config context comes from, and where a hop's keychain secret comes from.
import { noHopSecrets, type HopSecretLookup } from './hopSecrets';
import type { RouteContext } from './sshRoute';
import { TunnelPool } from './tunnelPool';

/**
 * A probe lasts seconds: a hop that stops answering should be noticed within a few of them,
 * not the run's 15 s; more frequent keepalives would only add traffic to short sessions.
 */
export const PROBE_KEEPALIVE = { intervalMs: 2_000, countMax: 2 } as const;

/** ~/.ssh/config and the local user, as every route is resolved (default: sshConfig.ts routeContextFor). */
export type RouteContextSource = (env: NodeJS.ProcessEnv) => Promise<RouteContext>;

export interface ProbePoolOptions {
  env: NodeJS.ProcessEnv;
  hopSecrets?: HopSecretLookup;
  /** Bounds each hop's SSH handshake. */
  readyTimeoutMs: number;
}

/** A pool for one probe or test, with probe keepalives; the caller closes it. */
export function openProbePool(options: ProbePoolOptions): TunnelPool {
  return new TunnelPool({
    ...(options.hopSecrets ?? noHopSecrets),
    env: options.env,
    readyTimeoutMs: options.readyTimeoutMs,
    keepalive: PROBE_KEEPALIVE,
  });
}
