// The user's OpenSSH client config (~/.ssh/config) as a profile's SSH aliases see it:
// HostName (with %h), Port, User, the first IdentityFile and ProxyJump, computed the way
// `ssh` does (the first value obtained wins; Host patterns with *, ? and !). Parsing and
// computing are the `ssh-config` package's (cyjake/ssh-config); this file reads the files,
// follows Include (which that package leaves to its caller) and gives every caller the same
// RouteContext through routeContextFor(env).
//
// Deliberately not evaluated: `Match exec` (it would run a shell command from the file) and
// the system-wide /etc/ssh/ssh_config (a profile alias is a user's own shortcut).
import { readdirSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import SSHConfig, { glob, LineType, type Line } from 'ssh-config';
import { ReplicaDeskError } from '../errors';
import { expandHome } from '../hosts/openHost';
import type { AliasSettings, RouteContext } from './sshRoute';

/** OpenSSH's own bound on nested Include files. */
const MAX_INCLUDE_DEPTH = 16;

export class SshConfigUnreadableError extends ReplicaDeskError {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(
      'ssh-config-unreadable',
      `Cannot use the OpenSSH config file ${file}: ${reason}.`,
      `Fix or remove that file (\`ssh -G <alias>\` shows how OpenSSH reads it), or write hostname, port and user into the profile instead of an alias.`,
    );
  }
}

/** ~/.ssh/config, with HOME from the env the caller runs with (not the process's own home when HOME is set). */
export const userSshConfigPath = (env: NodeJS.ProcessEnv): string => join(expandHome('~', env), '.ssh', 'config');

const valueText = (value: string | { val: string }[]): string[] => (typeof value === 'string' ? [value] : value.map((v) => v.val));

function readConfigText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new SshConfigUnreadableError(file, code === 'EACCES' ? 'permission denied' : (error as Error).message);
  }
}

function parseConfig(text: string, file: string): SSHConfig {
  try {
    return SSHConfig.parse(text);
  } catch (error) {
    throw new SshConfigUnreadableError(file, `it does not parse (${(error as Error).message})`);
  }
}

/** The files an `Include` argument names: relative to ~/.ssh, `~` expanded, `*`/`?` in the last part. */
function includedFiles(argument: string, env: NodeJS.ProcessEnv): string[] {
  const expanded = expandHome(argument, env);
  const path = isAbsolute(expanded) ? expanded : join(expandHome('~', env), '.ssh', expanded);
  const pattern = basename(path);
  if (!/[*?]/.test(pattern)) return [path];
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return [];
  }
  // OpenSSH includes glob(3)'s matches in lexical order.
  return names.filter((name) => !name.startsWith('.') && glob(pattern, name)).sort().map((name) => join(dirname(path), name));
}

/**
 * The file's lines with each Include replaced by the included files' lines: at the top
 * level as they are, inside a Host or Match section the included directives join that
 * section and the included sections follow it.
 */
function withIncludes(config: SSHConfig, file: string, env: NodeJS.ProcessEnv, depth: number): SSHConfig {
  const result = new SSHConfig();
  const load = (argument: string): Line[] => {
    if (depth >= MAX_INCLUDE_DEPTH) throw new SshConfigUnreadableError(file, `Include nests deeper than ${MAX_INCLUDE_DEPTH} files (a loop?)`);
    return includedFiles(argument, env).flatMap((included) => {
      const text = readConfigText(included);
      return text === null ? [] : [...withIncludes(parseConfig(text, included), included, env, depth + 1)];
    });
  };
  for (const line of config) {
    if (line.type !== LineType.DIRECTIVE) continue;
    if (/^include$/i.test(line.param)) {
      result.push(...valueText(line.value).flatMap(load));
      continue;
    }
    if (!('config' in line)) {
      result.push(line);
      continue;
    }
    const inner = new SSHConfig();
    const trailing: Line[] = [];
    for (const sub of line.config) {
      if (sub.type !== LineType.DIRECTIVE) continue;
      if (!/^include$/i.test(sub.param)) {
        inner.push(sub);
        continue;
      }
      for (const included of valueText(sub.value).flatMap(load)) {
        if (included.type === LineType.DIRECTIVE && 'config' in included) trailing.push(included);
        else if (trailing.length === 0) inner.push(included);
      }
    }
    result.push({ ...line, config: inner }, ...trailing);
  }
  return result;
}

const first = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

/** OpenSSH's HostName tokens: `%h` the name given, `%%` a percent sign. */
const expandHostName = (hostname: string, alias: string): string => hostname.replace(/%([%h])/g, (_, token: string) => (token === 'h' ? alias : '%'));

/** Whether a Host line names this alias through more than the catch-all `*`. */
function namesAlias(config: SSHConfig, alias: string): boolean {
  return config.some((line) => {
    if (line.type !== LineType.DIRECTIVE || !/^host$/i.test(line.param)) return false;
    const patterns = valueText(line.value);
    return patterns.some((p) => p !== '*' && !p.startsWith('!')) && glob(patterns, alias);
  });
}

/** What the config says about an alias, or null when no Host entry (other than `Host *`) names it. */
export function aliasSettingsFrom(config: SSHConfig, alias: string, file: string): AliasSettings | null {
  if (!namesAlias(config, alias)) return null;
  let computed: Record<string, string | string[]>;
  try {
    computed = config.compute(alias, { ignoreCase: true, matchExec: false });
  } catch (error) {
    throw new SshConfigUnreadableError(file, (error as Error).message);
  }
  const settings: AliasSettings = {};
  const hostname = first(computed.hostname);
  if (hostname) settings.hostname = expandHostName(hostname, alias);
  const port = first(computed.port);
  if (port !== undefined) {
    const number = Number(port);
    if (!Number.isInteger(number) || number < 1 || number > 65535) throw new SshConfigUnreadableError(file, `Port "${port}" for Host ${alias} is not a port number`);
    settings.port = number;
  }
  const user = first(computed.user);
  if (user) settings.user = user;
  const identityFile = first(computed.identityfile);
  if (identityFile && identityFile.toLowerCase() !== 'none') settings.identityFile = identityFile;
  const proxyJump = first(computed.proxyjump);
  if (proxyJump !== undefined) {
    settings.proxyJump = proxyJump.toLowerCase() === 'none' ? [] : proxyJump.split(',').map((s) => s.trim()).filter(Boolean);
  }
  return settings;
}

/** The user's ~/.ssh/config with its Include files, or null when there is none. */
export function loadUserSshConfig(env: NodeJS.ProcessEnv): { config: SSHConfig; file: string } | null {
  const file = userSshConfigPath(env);
  const text = readConfigText(file);
  if (text === null) return null;
  return { config: withIncludes(parseConfig(text, file), file, env, 0), file };
}

/** The workstation user, as ssh takes it for a hop with no User anywhere. */
export function localUserOf(env: NodeJS.ProcessEnv): string {
  if (env.USER) return env.USER;
  if (env.LOGNAME) return env.LOGNAME;
  if (env.USERNAME) return env.USERNAME;
  try {
    return userInfo().username;
  } catch {
    return 'root';
  }
}

/**
 * The RouteContext every route resolution uses (restore, topology, connection test, host
 * key fetch, openHost). The config is read once, here; a config that cannot be read or
 * parsed only fails the lookups (a profile without aliases never needs it).
 */
export async function routeContextFor(env: NodeJS.ProcessEnv): Promise<RouteContext> {
  let loaded: ReturnType<typeof loadUserSshConfig> = null;
  let failure: unknown = null;
  try {
    loaded = loadUserSshConfig(env);
  } catch (error) {
    failure = error;
  }
  const cache = new Map<string, AliasSettings | null>();
  return {
    localUser: localUserOf(env),
    lookupAlias(alias: string): AliasSettings | null {
      if (failure) throw failure;
      if (!loaded) return null;
      if (!cache.has(alias)) cache.set(alias, aliasSettingsFrom(loaded.config, alias, loaded.file));
      return cache.get(alias)!;
    },
  };
}
