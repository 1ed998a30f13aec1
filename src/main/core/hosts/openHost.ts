// The host a server's commands and files live on, as its profile says: this workstation,
// or an SSH host reached with the keychain's `ssh` secret, the ssh-agent and the identity file,
// whose host key the profile pins or the user's OpenSSH known_hosts lists. The secret is
// offered only to the endpoint it was entered for (hostname, port, user, pinned host key);
// when that changed, the agent and an unencrypted key may still log in, and if they cannot,
// the admin is told why the stored secret was not used.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Server, ServerRef } from '../../../shared/profiles';
import { throwIfAborted } from '../cancellation';
import type { EndpointBoundSecretStore } from '../secrets/endpointBoundSecretStore';
import { KeychainLockedError } from '../secrets/keychainErrors';
import { sshEndpointOf, type SecretEndpointChangedError } from '../secrets/secretEndpoint';
import { SshAuthError, type Host } from './host';
import { knownHostsFiles } from './knownHosts';
import { LocalHost } from './localHost';
import { openSshHost } from './sshHost';

/** `~` and `~/…` (also `~\…`) against the user's home directory, as OpenSSH reads IdentityFile. */
export function expandHome(path: string, env: NodeJS.ProcessEnv): string {
  if (path !== '~' && !/^~[/\\]/.test(path)) return path;
  const home = env.HOME || (process.platform === 'win32' ? env.USERPROFILE : undefined) || homedir();
  return path === '~' ? home : join(home, path.slice(2));
}

export async function openHost(
  server: Server,
  ref: ServerRef,
  secretStore: EndpointBoundSecretStore,
  env: NodeJS.ProcessEnv,
  options: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<Host> {
  throwIfAborted(options.signal);
  const host = server.host;
  if (host.access === 'local') return new LocalHost();
  // No entry is normal (agent or unencrypted identity file); a keychain that fails is not.
  // A locked one may not matter (the agent may do): try without, and say "locked" if it did.
  let locked: KeychainLockedError | null = null;
  let withheld: SecretEndpointChangedError | null = null;
  const passphrase = await secretStore.get(ref, 'ssh', sshEndpointOf(host)).then(
    (found) => ((withheld = found.withheld), found.secret),
    (e: unknown) => {
      if (!(e instanceof KeychainLockedError)) throw e;
      locked = e;
      return null;
    },
  );
  const opened = openSshHost({
    hostname: host.hostname,
    port: host.port,
    user: host.user,
    identityFile: host.identityFile ? expandHome(host.identityFile, env) : undefined,
    hostKey: host.hostKey,
    knownHostsFiles: knownHostsFiles(env),
    passphrase,
    agent: env.SSH_AUTH_SOCK || undefined,
    readyTimeoutMs: options.timeoutMs,
    signal: options.signal,
    ref,
  });
  return opened.catch((e: unknown) => {
    if (e instanceof SshAuthError) throw locked ?? withheld ?? e;
    throw e;
  });
}
