// The preflight's host check, shared by a restore's and a rollback's preflight: a server
// whose control commands or key file the run will use must be reachable before anything is
// stopped (SSH host key checked, within the preflight's timeout). The caller looks at what
// it needs on the opened host (a key file) inside `use`; the host is closed after.
import type { Server, ServerRef } from '../../../shared/profiles';
import type { Host } from '../hosts/host';
import { openHost } from '../hosts/openHost';
import type { EndpointBoundSecretStore } from '../secrets/endpointBoundSecretStore';

export const DEFAULT_HOST_CHECK_TIMEOUT_MS = 10_000;

/** The run reaches the server's host: to run its control commands, or to place its key file. */
export function runNeedsHost(server: Server, keyFile: boolean): boolean {
  return Boolean(server.control?.stop || server.control?.start || server.control?.status || keyFile);
}

export async function onReachableHost<T>(
  server: Server,
  ref: ServerRef,
  secretStore: EndpointBoundSecretStore,
  env: NodeJS.ProcessEnv,
  timeoutMs: number | undefined,
  use: (host: Host) => Promise<T>,
): Promise<T> {
  const host = await openHost(server, ref, secretStore, env, { timeoutMs: timeoutMs ?? DEFAULT_HOST_CHECK_TIMEOUT_MS });
  try {
    return await use(host);
  } finally {
    await host.close();
  }
}
