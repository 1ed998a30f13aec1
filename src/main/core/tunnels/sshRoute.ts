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

/** The most jump hosts a route may have (the keychain kinds `…-jump1` … `…-jump8`). */
export const MAX_JUMP_HOSTS = 8;

export class SshJumpLoopError extends InvalidInputError {
  constructor(chain: readonly string[]) {
    super(`The SSH aliases' ProxyJump settings go round in a circle: ${chain.join(' → ')}.`, [], 'Fix ProxyJump in ~/.ssh/config so that no alias leads back to itself (or set it to `none` on the first jump host).');
  }
}

export class TooManyJumpHostsError extends InvalidInputError {
  constructor(count: number, role: string) {
    super(`The route to the ${role} has ${count} jump hosts; at most ${MAX_JUMP_HOSTS} are supported.`, [], 'Shorten the chain of jump hosts (profile jumpHosts or ProxyJump in ~/.ssh/config).');
  }
}

/** A hop with ~/.ssh/config applied (profile values win), but not yet numbered. */
interface HopWithConfig {
  hop: Omit<SshHop, 'secretKind' | 'role'>;
  proxyJump: string[];
}

/**
 * A hop with its alias's settings. A profile's alias must be a Host in ~/.ssh/config; a
 * name from a ProxyJump list may also be a plain hostname, as ssh takes it (`lenient`).
 */
function applyConfig(hop: ProfileHop, context: RouteContext, lenient: boolean): HopWithConfig {
  const fromConfig = hop.alias !== undefined ? context.lookupAlias?.(hop.alias) : undefined;
  if (hop.alias !== undefined && !fromConfig && hop.hostname === undefined && !lenient) throw new UnknownSshAliasError(hop.alias);
  const resolved: HopWithConfig['hop'] = {
    hostname: hop.hostname ?? fromConfig?.hostname ?? hop.alias!,
    port: hop.port ?? fromConfig?.port ?? 22,
    user: hop.user ?? fromConfig?.user ?? context.localUser,
  };
  const identityFile = hop.identityFile ?? fromConfig?.identityFile;
  if (identityFile !== undefined) resolved.identityFile = identityFile;
  if (hop.hostKey !== undefined) resolved.hostKey = hop.hostKey;
  if (hop.alias !== undefined && (fromConfig || !lenient)) resolved.alias = hop.alias;
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
 * The hops for an endpoint and its jump hosts, as OpenSSH chains them: the profile's
 * jumpHosts when given, else the alias's ProxyJump from ~/.ssh/config (as `ssh -J`
 * overrides the config). ssh reaches the first jump host with that host's own settings,
 * so its ProxyJump is followed in turn (nested); later jump hosts are reached through the
 * ones before them and their own ProxyJump does not apply. A chain that comes back to an
 * alias is refused.
 */
export function resolveHops(endpoint: ProfileHop, jumps: readonly ProfileHop[] | undefined, context: RouteContext, base: { secretKind: string; role: string }): SshHop[] {
  const chain = (hop: ProfileHop, explicitJumps: readonly ProfileHop[] | undefined, lenient: boolean, seen: readonly string[]): HopWithConfig['hop'][] => {
    const name = hop.alias?.toLowerCase();
    if (name !== undefined && seen.includes(name)) throw new SshJumpLoopError([...seen, name]);
    const path = name !== undefined ? [...seen, name] : seen;
    const resolved = applyConfig(hop, context, lenient);
    const before = explicitJumps && explicitJumps.length > 0 ? explicitJumps.map((j) => ({ hop: j, lenient: false })) : resolved.proxyJump.map((spec) => ({ hop: parseJumpSpec(spec), lenient: true }));
    if (before.length === 0) return [resolved.hop];
    const [head, ...rest] = before;
    return [...chain(head!.hop, undefined, head!.lenient, path), ...rest.map((j) => applyConfig(j.hop, context, j.lenient).hop), resolved.hop];
  };
  const hops = chain(endpoint, jumps, false, []);
  if (hops.length - 1 > MAX_JUMP_HOSTS) throw new TooManyJumpHostsError(hops.length - 1, base.role);
  return hops.map((hop, i) => (i === hops.length - 1 ? { ...hop, secretKind: base.secretKind, role: base.role } : { ...hop, secretKind: jumpKind(base.secretKind, i), role: `jump host ${i + 1}` }));
}

/** The hops to the server's own SSH host (its jump hosts, then the host); [] for a local host. */
export function hostRouteOf(server: Server, context: RouteContext): SshHop[] {
  const host = server.host;
  if (host.access === 'local') return [];
  return resolveHops(host, host.jumpHosts, context, { secretKind: 'ssh', role: 'server host' });
}

/** The route to the server's database, or null when the workstation connects directly. */
export function dbRouteOf(server: Server, context: RouteContext): SshRoute | null {
  const tunnel = server.db.tunnel;
  if (!tunnel) return null;
  const target = { host: server.db.host, port: server.db.port };
  if (tunnel.via === 'host') return { hops: hostRouteOf(server, context), target };
  return { hops: resolveHops(tunnel, tunnel.jumpHosts, context, { secretKind: 'tunnel', role: 'tunnel endpoint' }), target };
}

/**
 * Every SSH hop of the server's routes that may have its own keychain secret, each once by
 * kind: the host's jump hosts and the host (`ssh-jumpN`, `ssh`), then, for a tunnel through
 * an explicit endpoint, its jump hosts and the endpoint (`tunnel-jumpN`, `tunnel`). A
 * tunnel via the host shares the host's hops and secrets.
 */
export function secretHopsOf(server: Server, context: RouteContext): SshHop[] {
  const hostHops = hostRouteOf(server, context);
  const tunnel = server.db.tunnel;
  const tunnelHops = tunnel?.via === 'ssh' ? dbRouteOf(server, context)!.hops : [];
  return [...hostHops, ...tunnelHops];
}
