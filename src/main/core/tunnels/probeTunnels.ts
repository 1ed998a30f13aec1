// What the short-lived users of SSH tunnels share (topology probes, connection tests,
// fetching a host key): pool settings suited to a few seconds' work, where a route's
// ~/.ssh/config context comes from, and where a hop's keychain secret comes from.
import { userInfo } from 'node:os';
import type { RouteContext } from './sshRoute';
import { TunnelPool, type TunnelPoolOptions } from './tunnelPool';

/**
 * A probe lasts seconds: a hop that stops answering should be noticed within a few of them,
 * not the run's 15 s; more frequent keepalives would only add traffic to short sessions.
 */
export const PROBE_KEEPALIVE = { intervalMs: 2_000, countMax: 2 } as const;

/** A hop's passphrase or password (endpoint-bound) from the keychain, or null. */
export type HopSecretLookup = TunnelPoolOptions['secretFor'];

/** Until the keychain knows hop secrets: the agent and unencrypted identity files only. */
export const noHopSecrets: HopSecretLookup = async () => null;

/** ~/.ssh/config and the local user, as every route is resolved. */
export type RouteContextSource = (env: NodeJS.ProcessEnv) => Promise<RouteContext>;

// TODO(i11): helper C's routeContextFor(env) (tunnels/sshConfig.ts) reads ~/.ssh/config; until it lands aliases are unknown.
export const defaultRouteContext: RouteContextSource = async () => ({ localUser: userInfo().username });

export interface ProbePoolOptions {
  env: NodeJS.ProcessEnv;
  secretFor?: HopSecretLookup;
  /** Bounds each hop's SSH handshake. */
  readyTimeoutMs: number;
}

/** A pool for one probe or test, with probe keepalives; the caller closes it. */
export const openProbePool = (options: ProbePoolOptions): TunnelPool =>
  new TunnelPool({ env: options.env, secretFor: options.secretFor ?? noHopSecrets, readyTimeoutMs: options.readyTimeoutMs, keepalive: PROBE_KEEPALIVE });
