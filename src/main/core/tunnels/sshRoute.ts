// The SSH route to a server's database or host, as the profile describes it: the hops in
// order from this workstation (jump hosts first, then the tunnel's endpoint) and the
// database address as the last hop sees it. Pure: reading ~/.ssh/config for aliases is
// sshConfig.ts's job, and its answer comes in as `lookupAlias`.
import type { Server } from '../../../shared/profiles';
import { InvalidInputError } from '../errors';

/** One hop, every field resolved: what connectSsh needs, plus how hints name it. */
export interface SshHop {
  hostname: string;
  port: number;
  user: string;
  identityFile?: string;
  /** The pinned `SHA256:` fingerprint; without one, the user's known_hosts decides. */
  hostKey?: string;
  /** The keychain secret kind that holds this hop's passphrase or password (`ssh`, `tunnel`, `tunnel-jump1`, …). */
  secretKind: string;
  /** How messages name the hop: "jump host 1", "tunnel endpoint", "server host". */
  role: string;
  /** The ~/.ssh/config alias it came from, if any. */
  alias?: string;
  /** Where the profile spells it (`db.tunnel`, `host.jumpHosts[0]`, …): hints say where to pin its key. Absent for a hop from ProxyJump. */
  profilePath?: string;
}

export interface SshRoute {
  hops: SshHop[];
  /** The database's address as the last hop connects to it. */
  target: { host: string; port: number };
}

/** A hop as the profile writes it (shared/profiles.ts SshHopSchema), before ~/.ssh/config is applied. */
export interface ProfileHop {
  alias?: string;
  hostname?: string;
  port?: number;
  user?: string;
  identityFile?: string;
  hostKey?: string;
}

/** What ~/.ssh/config says about an alias (sshConfig.ts); null when it has no such Host. */
export interface AliasSettings {
  hostname?: string;
  port?: number;
  user?: string;
  identityFile?: string;
  /** ProxyJump's hops, in order, each `[user@]host[:port]` or another alias. */
  proxyJump?: string[];
}

export interface RouteContext {
  /** ~/.ssh/config's settings for an alias; the default knows none. */
  lookupAlias?: (alias: string) => AliasSettings | null;
  /** The workstation user, for a hop with no user anywhere (as ssh does). */
  localUser: string;
}

export const describeHop = (hop: Pick<SshHop, 'user' | 'hostname' | 'port'>): string => `ssh ${hop.user}@${hop.hostname}:${hop.port}`;

/** "ssh a@bastion:22 → ssh b@gw:22 → db.internal:5432" */
export const describeRoute = (route: SshRoute): string => [...route.hops.map(describeHop), `${route.target.host}:${route.target.port}`].join(' → ');

/** The jump hosts' secrets are numbered after what they lead to: `ssh-jump1`, `tunnel-jump2`. */
const jumpKind = (base: string, i: number): string => `${base}-jump${i + 1}`;

export class UnknownSshAliasError extends InvalidInputError {
  constructor(alias: string) {
    super(`The SSH alias "${alias}" is not a Host in ~/.ssh/config (or that file cannot be read).`, [], 'Add a `Host` entry for it to ~/.ssh/config, or write hostname, port and user into the profile instead of alias.');
  }
}

/**
 * One hop with ~/.ssh/config applied. A profile's `alias` must be a Host there; a ProxyJump
 * element (`fromProxyJump`) is looked up too but, as in OpenSSH, may just be a host name.
 */
function resolveHop(hop: ProfileHop, context: RouteContext, secretKind: string, role: string, profilePath?: string, fromProxyJump = false): { hop: SshHop; proxyJump: string[] } {
  const fromConfig = hop.alias !== undefined ? context.lookupAlias?.(hop.alias) : undefined;
  if (hop.alias !== undefined && !fromConfig && hop.hostname === undefined && !fromProxyJump) throw new UnknownSshAliasError(hop.alias);
  const resolved: SshHop = {
    hostname: hop.hostname ?? fromConfig?.hostname ?? hop.alias!,
    port: hop.port ?? fromConfig?.port ?? 22,
    user: hop.user ?? fromConfig?.user ?? context.localUser,
    secretKind,
    role,
  };
  const identityFile = hop.identityFile ?? fromConfig?.identityFile;
  if (identityFile !== undefined) resolved.identityFile = identityFile;
  if (hop.hostKey !== undefined) resolved.hostKey = hop.hostKey;
  if (hop.alias !== undefined && (fromConfig || !fromProxyJump)) resolved.alias = hop.alias;
  if (profilePath !== undefined) resolved.profilePath = profilePath;
  return { hop: resolved, proxyJump: fromConfig?.proxyJump ?? [] };
}

/** `[user@]host[:port]` (a ProxyJump element) as a profile hop; a bare name may be an alias. */
export function parseJumpSpec(spec: string): ProfileHop {
  const at = spec.lastIndexOf('@');
  const user = at > 0 ? spec.slice(0, at) : undefined;
  let rest = at > 0 ? spec.slice(at + 1) : spec;
  let port: number | undefined;
  const bracketed = /^\[(.+)\](?::(\d+))?$/.exec(rest);
  const colon = /^([^:]+):(\d+)$/.exec(rest);
  if (bracketed) {
    rest = bracketed[1]!;
    if (bracketed[2]) port = Number(bracketed[2]);
  } else if (colon) {
    rest = colon[1]!;
    port = Number(colon[2]);
  }
  return { alias: rest, ...(user ? { user } : {}), ...(port ? { port } : {}) };
}

/**
 * The hops for an endpoint and its jump hosts: the profile's jumpHosts when given, else
 * the alias's ProxyJump from ~/.ssh/config (as `ssh -J` overrides the config).
 */
export function resolveHops(
  endpoint: ProfileHop,
  jumps: readonly ProfileHop[] | undefined,
  context: RouteContext,
  base: { secretKind: string; role: string; profilePath: string },
): SshHop[] {
  const last = resolveHop(endpoint, context, base.secretKind, base.role, base.profilePath);
  const fromProfile = !!jumps && jumps.length > 0;
  const jumpHops = fromProfile ? jumps : last.proxyJump.map(parseJumpSpec);
  const resolvedJumps = jumpHops.map((j, i) => resolveHop(j, context, jumpKind(base.secretKind, i), `jump host ${i + 1}`, fromProfile ? `${base.profilePath}.jumpHosts[${i}]` : undefined, !fromProfile).hop);
  return [...resolvedJumps, last.hop];
}

/** The hops to the server's own SSH host (its jump hosts, then the host); [] for a local host. */
export function hostRouteOf(server: Server, context: RouteContext): SshHop[] {
  const host = server.host;
  if (host.access === 'local') return [];
  return resolveHops(host, host.jumpHosts, context, { secretKind: 'ssh', role: 'server host', profilePath: 'host' });
}

/** The route to the server's database, or null when the workstation connects directly. */
export function dbRouteOf(server: Server, context: RouteContext): SshRoute | null {
  const tunnel = server.db.tunnel;
  if (!tunnel) return null;
  const target = { host: server.db.host, port: server.db.port };
  if (tunnel.via === 'host') return { hops: hostRouteOf(server, context), target };
  return { hops: resolveHops(tunnel, tunnel.jumpHosts, context, { secretKind: 'tunnel', role: 'tunnel endpoint', profilePath: 'db.tunnel' }), target };
}
