// "Fetch host key" for one SSH hop, possibly behind jump hosts: the hops before it are
// connected and verified first (their host keys must be pinned or in known_hosts, as for
// any connection), then the hop's key is read through a channel of the last of them,
// without authenticating to it. An alias is looked up in ~/.ssh/config; hostname and port
// given beside it win, and its ProxyJump applies when no jump hosts are given (as `ssh`).
import type { Server, ServerRef } from '../../../shared/profiles';
import { CancelledError } from '../cancellation';
import { ReplicaDeskError } from '../errors';
import { DEFAULT_READY_TIMEOUT_MS, probeSshHostKey } from '../hosts/sshConnection';
import { noHopSecrets, openProbePool, type HopSecretLookup } from './probeTunnels';
import { resolveHops, type ProfileHop, type RouteContext } from './sshRoute';
import { SshHopError } from './tunnelErrors';
import { channelTo } from './tunnelPool';

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
  secretFor?: HopSecretLookup;
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

/** The `SHA256:` fingerprint of the hop's host key. Failures of the jump hosts are SshHopError naming the hop. */
export async function fetchHostKey(request: HostKeyRequest, options: FetchHostKeyOptions): Promise<{ fingerprint: string }> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  const endpoint: ProfileHop = {
    ...(request.alias !== undefined ? { alias: request.alias } : {}),
    ...(request.hostname !== undefined ? { hostname: request.hostname } : {}),
    ...(request.port !== undefined ? { port: request.port } : {}),
  };
  const hops = resolveHops(endpoint, request.via, options.context, { secretKind: options.secretBase ?? 'tunnel', role: 'SSH host' });
  const target = hops.at(-1)!;
  const before = hops.slice(0, -1);
  if (before.length === 0) return { fingerprint: await probeSshHostKey(target.hostname, target.port, timeoutMs, options.signal) };

  const pool = openProbePool({ env: options.env, secretFor: request.ref ? (options.secretFor ?? noHopSecrets) : noHopSecrets, readyTimeoutMs: timeoutMs });
  try {
    const last = await pool.connect(request.ref ?? ANY_SERVER, before, { signal: options.signal });
    try {
      const sock = await channelTo(last.client, before.at(-1)!, target, options.signal);
      return { fingerprint: await probeSshHostKey(target.hostname, target.port, timeoutMs, options.signal, sock) };
    } catch (error) {
      if (error instanceof CancelledError || !(error instanceof ReplicaDeskError)) throw error;
      throw new SshHopError(hops.length - 1, hops.length, target, error);
    }
  } finally {
    await pool.close();
  }
}
