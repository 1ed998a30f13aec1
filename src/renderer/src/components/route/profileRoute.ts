// A server's database route as its profile writes it, before ~/.ssh/config is applied (the
// core resolves aliases; the server card only repeats what the admin entered): each hop as
// "ssh user@host:port" or its alias, then the database as the last hop sees it.
import type { z } from 'zod';
import type { Server, SshHopSchema } from '../../../../shared/profiles';

/** A hop as the profile writes it (alias or hostname, the rest optional). */
type SshHopInput = z.input<typeof SshHopSchema>;

export interface ProfileRouteHop {
  role: string;
  text: string;
  /** Whether a host key is pinned for it (else the user's known_hosts decides). */
  pinned: boolean;
}

export interface ProfileRoute {
  hops: ProfileRouteHop[];
  target: string;
}

function hopText(hop: SshHopInput): string {
  const name = hop.hostname ?? `alias ${hop.alias ?? '?'}`;
  return `ssh ${hop.user ? `${hop.user}@` : ''}${name}${hop.port !== undefined ? `:${hop.port}` : ''}`;
}

const hopsOf = (endpoint: SshHopInput, jumpHosts: readonly SshHopInput[] | undefined, role: string): ProfileRouteHop[] => [
  ...(jumpHosts ?? []).map((hop, i) => ({ role: `jump host ${i + 1}`, text: hopText(hop), pinned: hop.hostKey !== undefined })),
  { role, text: hopText(endpoint), pinned: endpoint.hostKey !== undefined },
];

/** The route to the server's database, or null when the workstation connects directly. */
export function profileRouteOf(server: Pick<Server, 'db' | 'host'>): ProfileRoute | null {
  const tunnel = server.db.tunnel;
  if (!tunnel) return null;
  const target = `${server.db.host}:${server.db.port}`;
  if (tunnel.via === 'ssh') return { hops: hopsOf(tunnel, tunnel.jumpHosts, 'tunnel endpoint'), target };
  const host = server.host;
  return { hops: host.access === 'ssh' ? hopsOf(host, host.jumpHosts, 'server host') : [], target };
}

/** " through 2 jump hosts" after a host's address; empty without jump hosts. */
export const throughJumpHosts = (jumpHosts: readonly unknown[] | undefined): string =>
  jumpHosts?.length ? ` through ${jumpHosts.length} jump ${jumpHosts.length === 1 ? 'host' : 'hosts'}` : '';
