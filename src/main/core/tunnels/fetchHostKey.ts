// "Fetch host key" for one SSH hop, possibly behind jump hosts: the hops before it are
// connected and verified first (their host keys must be pinned or in known_hosts, as for
// any connection), then the hop's key is read through a channel of the last of them,
// without authenticating to it. An alias is looked up in ~/.ssh/config; hostname and port
// given beside it win, and its ProxyJump applies when no jump hosts are given (as `ssh`).
import type { Server, ServerRef } from '../../../shared/profiles';
import { CancelledError } from '../cancellation';
import { ReplicaDeskError } from '../errors';
import { DEFAULT_READY_TIMEOUT_MS, probeSshHostKey } from '../hosts/sshConnection';
import type { HopSecretLookup } from './hopSecrets';
import { noHopSecrets } from './hopSecrets';
import { openProbePool } from './probePool';
import { resolveHops, type ProfileHop, type RouteContext, type SshHop } from './sshRoute';
import { SshHopError } from './tunnelErrors';
import { channelTo, type TunnelPool } from './tunnelPool';

export interface HostKeyRequest {
  hostname?: string;
  port?: number;
  alias?: string;
  /** The jump hosts before the hop, first first. */
  via?: ProfileHop[];
  /** Whose keychain secrets the jump hosts use, and how hints name the server. */
  ref?: ServerRef;
}

export interface FetchHostKeyOptions {
  env: NodeJS.ProcessEnv;
  context: RouteContext;
  /** The jump hosts' keychain secrets (used only with a `ref`). */
  hopSecrets?: HopSecretLookup;
  /** The keychain secret kind the jump hosts' kinds are numbered after (`tunnel-jump1`, `ssh-jump1`). Default `tunnel`. */
  secretBase?: string;
  /** Bounds each handshake. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

const sameHop = (a: ProfileHop, b: ProfileHop): boolean =>
  a.alias === b.alias && a.hostname === b.hostname && a.port === b.port && a.user === b.user && a.identityFile === b.identityFile && a.hostKey === b.hostKey;

/**
 * Which of the server's jump host lists `via` is taken from, as the secret kind their
 * secrets are numbered after: `ssh` for the host's jumpHosts, else `tunnel`.
 */
export function jumpSecretBase(server: Server, via: readonly ProfileHop[]): 'ssh' | 'tunnel' {
  const hostJumps = server.host.access === 'ssh' ? (server.host.jumpHosts ?? []) : [];
  const tunnelJumps = server.db.tunnel?.via === 'ssh' ? (server.db.tunnel.jumpHosts ?? []) : [];
  const prefixOf = (list: readonly ProfileHop[]): boolean => via.length <= list.length && via.every((hop, i) => sameHop(hop, list[i]!));
  return !prefixOf(tunnelJumps) && prefixOf(hostJumps) ? 'ssh' : 'tunnel';
}

/** Hints name a server; without one they show the placeholder a user replaces. */
const ANY_SERVER: ServerRef = { installation: 'INSTALLATION', server: 'SERVER' };

/**
 * The `SHA256:` fingerprint hops[i] presents, read through hops before it (opened, or reused,
 * in `pool` and verified as any connection is). Failures are SshHopError counting every hop.
 */
export async function keyOfHop(pool: TunnelPool, ref: ServerRef, hops: readonly SshHop[], i: number, timeoutMs: number, signal?: AbortSignal): Promise<string> {
  const target = hops[i]!;
  const before = hops.slice(0, i);
  const renumbered = (error: unknown): unknown =>
    // Count the hop whose key is fetched too: "hop 1 of 2" is where the admin looks.
    error instanceof SshHopError ? new SshHopError(error.hopIndex, hops.length, error.hop, error.reason) : error;
  const last = before.length ? await pool.connect(ref, before, { signal }).catch((error: unknown) => Promise.reject(renumbered(error))) : null;
  try {
    const sock = last ? await channelTo(last.client, before.at(-1)!, target, signal) : undefined;
    return await probeSshHostKey(target.hostname, target.port, timeoutMs, signal, sock);
  } catch (error) {
    if (error instanceof CancelledError || !(error instanceof ReplicaDeskError)) throw error;
    throw new SshHopError(i, hops.length, target, error);
  }
}

/** The `SHA256:` fingerprint of the requested hop's host key. Failures are SshHopError naming the hop. */
export async function fetchHostKey(request: HostKeyRequest, options: FetchHostKeyOptions): Promise<{ fingerprint: string }> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const endpoint: ProfileHop = {
    ...(request.alias !== undefined ? { alias: request.alias } : {}),
    ...(request.hostname !== undefined ? { hostname: request.hostname } : {}),
    ...(request.port !== undefined ? { port: request.port } : {}),
  };
  const secretKind = options.secretBase ?? 'tunnel';
  // Hints name where the profile pins the jump hosts' keys: the host's jumpHosts or the tunnel's.
  const profilePath = secretKind === 'ssh' ? 'host' : 'db.tunnel';
  const hops = resolveHops(endpoint, request.via, options.context, { secretKind, role: 'SSH host', profilePath });
  const pool = openProbePool({ env: options.env, hopSecrets: request.ref ? options.hopSecrets : noHopSecrets, readyTimeoutMs: timeoutMs });
  try {
    return { fingerprint: await keyOfHop(pool, request.ref ?? ANY_SERVER, hops, hops.length - 1, timeoutMs, options.signal) };
  } finally {
    await pool.close();
  }
}
