// The endpoint a keychain secret is for, and the error when a server no longer points there.
// A database password belongs to host, port, database and user; an SSH secret (passphrase
// or password) to hostname, port, user and the pinned host key, and so does the secret of
// a tunnel endpoint or a jump host (kinds `tunnel`, `ssh-jumpN`, `tunnel-jumpN`), of that
// hop as its route resolves (~/.ssh/config applied). Host names are compared
// without case (DNS ignores it); everything else exactly, and a missing host key is a value
// of its own: pinning one, or dropping the pin, is a change of endpoint.
import { z } from 'zod';
import type { SecretKind } from '../../../shared/api';
import { formatServerRef, type Server, type ServerRef } from '../../../shared/profiles';
import { InvalidInputError, ReplicaDeskError } from '../errors';
import { secretHopsOf, type RouteContext, type SshHop } from '../tunnels/sshRoute';

export const DbEndpointSchema = z.object({
  kind: z.literal('db'),
  host: z.string(),
  port: z.number().int(),
  database: z.string(),
  user: z.string(),
});

export const SshEndpointSchema = z.discriminatedUnion('access', [
  z.object({ kind: z.literal('ssh'), access: z.literal('local') }),
  z.object({
    kind: z.literal('ssh'),
    access: z.literal('ssh'),
    hostname: z.string(),
    port: z.number().int(),
    user: z.string(),
    hostKey: z.string().nullable(),
  }),
]);

export const SecretEndpointSchema = z.union([DbEndpointSchema, SshEndpointSchema]);

export type DbEndpoint = z.infer<typeof DbEndpointSchema>;
export type SshEndpoint = z.infer<typeof SshEndpointSchema>;
export type SecretEndpoint = z.infer<typeof SecretEndpointSchema>;

export function dbEndpointOf(db: { host: string; port: number | string; database: string; user: string }): DbEndpoint {
  return { kind: 'db', host: db.host, port: Number(db.port), database: db.database, user: db.user };
}

export function sshEndpointOf(host: Server['host']): SshEndpoint {
  if (host.access === 'local') return { kind: 'ssh', access: 'local' };
  return { kind: 'ssh', access: 'ssh', hostname: host.hostname, port: host.port, user: host.user, hostKey: host.hostKey ?? null };
}

/** A resolved SSH hop as a secret's endpoint (the same shape as the server's own SSH host). */
export function sshHopEndpoint(hop: Pick<SshHop, 'hostname' | 'port' | 'user' | 'hostKey'>): SshEndpoint {
  return { kind: 'ssh', access: 'ssh', hostname: hop.hostname, port: hop.port, user: hop.user, hostKey: hop.hostKey ?? null };
}

/**
 * The endpoint a secret of this kind goes to. `db` and `ssh` come from the profile alone;
 * a tunnel or jump host kind needs the route (RouteContext for aliases), and is null when
 * the server's profile has no such hop.
 */
export function endpointOf(server: Server, kind: 'db' | 'ssh'): SecretEndpoint;
export function endpointOf(server: Server, kind: SecretKind, context: RouteContext): SecretEndpoint | null;
export function endpointOf(server: Server, kind: SecretKind, context?: RouteContext): SecretEndpoint | null {
  if (kind === 'db') return dbEndpointOf(server.db);
  if (kind === 'ssh') return sshEndpointOf(server.host);
  const hop = secretHopsOf(server, context!).find((h) => h.secretKind === kind);
  return hop ? sshHopEndpoint(hop) : null;
}

/** A tunnel or jump host secret kind that the server's routes do not have. */
export class NoSuchSecretHopError extends InvalidInputError {
  constructor(ref: ServerRef, kind: SecretKind, hops: readonly SshHop[]) {
    const kinds = ['db', 'ssh', ...hops.map((h) => h.secretKind).filter((k) => k !== 'ssh')];
    super(
      `${formatServerRef(ref)} has no SSH hop for the secret kind "${kind}": ${hops.length === 0 ? 'its profile has no SSH route' : `its routes go through ${hops.map((h) => `${h.role} (${h.secretKind})`).join(', ')}`}.`,
      [],
      `Use one of the kinds ${kinds.join(', ')}, or add the jump host or tunnel to the server's profile first. Nothing was changed.`,
    );
  }
}

/** A stored endpoint (JSON from SQLite); null when it is not one this version understands. */
export function parseEndpoint(json: string): SecretEndpoint | null {
  try {
    const parsed = SecretEndpointSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function sameEndpoint(a: SecretEndpoint, b: SecretEndpoint): boolean {
  if (a.kind === 'db' && b.kind === 'db') {
    return a.host.toLowerCase() === b.host.toLowerCase() && a.port === b.port && a.database === b.database && a.user === b.user;
  }
  if (a.kind === 'ssh' && b.kind === 'ssh') {
    if (a.access === 'local' || b.access === 'local') return a.access === b.access;
    return a.hostname.toLowerCase() === b.hostname.toLowerCase() && a.port === b.port && a.user === b.user && a.hostKey === b.hostKey;
  }
  return false;
}

/** `user@host:port/database`, or `user@hostname:port (host key …)` for SSH. */
export function describeEndpoint(e: SecretEndpoint | null): string {
  if (!e) return 'an endpoint this version cannot read';
  if (e.kind === 'db') return `${e.user}@${e.host}:${e.port}/${e.database}`;
  if (e.access === 'local') return 'this workstation (local access, no SSH)';
  return `${e.user}@${e.hostname}:${e.port} (${e.hostKey ? `host key ${e.hostKey}` : 'no pinned host key'})`;
}

const secretName = (kind: SecretKind): string => {
  if (kind === 'db') return 'database password';
  if (kind === 'ssh') return 'SSH secret (passphrase or password)';
  if (kind === 'tunnel') return 'SSH secret of the tunnel endpoint';
  const [, base, n] = /^(ssh|tunnel)-jump(\d)$/.exec(kind)!;
  return `SSH secret of jump host ${n} (before the ${base === 'ssh' ? 'server host' : 'tunnel endpoint'})`;
};

/** A keychain secret that was not used because the server now points somewhere else. */
export class SecretEndpointChangedError extends ReplicaDeskError {
  constructor(
    readonly ref: ServerRef,
    readonly kind: SecretKind,
    readonly enteredFor: SecretEndpoint | null,
    readonly current: SecretEndpoint,
  ) {
    const name = formatServerRef(ref);
    super(
      'secret-endpoint-changed',
      `The stored ${secretName(kind)} for ${name} was entered for ${describeEndpoint(enteredFor)}; the profile now points at ${describeEndpoint(current)}. It was not used.`,
      `Re-enter it with \`replica-desk secrets set ${name} ${kind}\`, or confirm it for the new endpoint with \`replica-desk secrets confirm ${name} ${kind}\` (in the app: the server card's "Use it for the new endpoint").`,
    );
  }
}

/** The words an admin is shown before a secret may go to a new endpoint (CLI prompt and the app's dialog). */
export function endpointChangeText(ref: ServerRef, kind: SecretKind, enteredFor: SecretEndpoint | null, current: SecretEndpoint): { message: string; detail: string } {
  const name = formatServerRef(ref);
  return {
    message: `The stored ${secretName(kind)} for ${name} was entered for another endpoint than the one ${name} points at now.`,
    detail:
      `Entered for:   ${describeEndpoint(enteredFor)}\n` +
      `Points now at: ${describeEndpoint(current)}\n\n` +
      `Confirm only if ${describeEndpoint(current)} should receive this secret. Otherwise re-enter the secret for it.`,
  };
}
