// The host a server's commands and files live on, as its profile says: this workstation,
// or an SSH host reached with the keychain's `ssh` secret, the ssh-agent and the identity file,
// whose host key the profile pins or the user's OpenSSH known_hosts lists. Behind
// `host.jumpHosts` it is reached through them (a TunnelPool, closed when the Host closes),
// each hop's host key checked and each with its own keychain secret (`ssh-jumpN`). A
// secret is offered only to the endpoint it was entered for (hostname, port, user, pinned
// host key); when that changed, or the keychain is locked, the agent and an unencrypted key
// may still log in, and if they cannot, the admin is told why the stored secret was not used.
import type { Server, ServerRef } from '../../../shared/profiles';
import { throwIfAborted } from '../cancellation';
import type { EndpointBoundSecretStore } from '../secrets/endpointBoundSecretStore';
import { hopSecretLookup } from '../tunnels/hopSecrets';
import { routeContextFor } from '../tunnels/sshConfig';
import { hostRouteOf, type RouteContext } from '../tunnels/sshRoute';
import { hopConnectOptions, TunnelPool } from '../tunnels/tunnelPool';
import type { Host } from './host';
import { expandHome } from './homeDir';
import { LocalHost } from './localHost';
import { openSshHost, SshHost } from './sshHost';

export { expandHome };

export interface OpenHostOptions {
  signal?: AbortSignal;
  /** Bounds opening the host (every hop, behind jump hosts). */
  timeoutMs?: number;
  /** ~/.ssh/config for the jump hosts' aliases; read from env's HOME when not given. */
  routeContext?: RouteContext;
}

export async function openHost(server: Server, ref: ServerRef, secretStore: EndpointBoundSecretStore, env: NodeJS.ProcessEnv, options: OpenHostOptions = {}): Promise<Host> {
  throwIfAborted(options.signal);
  if (server.host.access === 'local') return new LocalHost();
  const hops = hostRouteOf(server, options.routeContext ?? (await routeContextFor(env)));
  const secrets = hopSecretLookup(secretStore);
  if (hops.length === 1) {
    const hop = hops[0]!;
    const passphrase = await secrets.secretFor(hop, ref);
    return openSshHost({ ...hopConnectOptions(hop, env, ref), passphrase, readyTimeoutMs: options.timeoutMs, signal: options.signal }).catch((e: unknown) => {
      throw e instanceof Error ? secrets.explainAuthFailure(hop, ref, e) : e;
    });
  }
  const pool = new TunnelPool({ ...secrets, env, ...(options.timeoutMs !== undefined ? { readyTimeoutMs: options.timeoutMs } : {}) });
  try {
    const connection = await pool.connect(ref, hops, { signal: options.signal, timeoutMs: options.timeoutMs });
    return new SshHost(connection.client, connection.description, connection.hostKeyFingerprint, () => pool.close());
  } catch (error) {
    await pool.close();
    throw error;
  }
}
