// OpenSSH known_hosts files, read the way `ssh` reads them (sshd(8) "SSH_KNOWN_HOSTS FILE
// FORMAT"): which files, which lines name a host, and whether the key a server offers is
// the one recorded for it, another one, or a revoked one.
//
// Written here because nothing maintained fits: on npm, `known-hosts` is 0.1.0 and
// unmaintained, `sshpk` parses keys but not known_hosts files, and ssh2 leaves host key
// checking to its caller. Comparing the base64 key blob with the blob the server offers
// is all a check needs, so no key parsing is involved.
//
// Supported: plain host patterns with `*` and `?`, comma-separated lists, negation `!`,
// `[host]:port` for ports other than 22, hashed entries (`|1|salt|hash`, HMAC-SHA1 of the
// name as `ssh-keygen -H` writes them), `#` comments, and the `@revoked` marker (refuse).
// `@cert-authority` lines are ignored: host certificates need a CA-signed certificate
// check that ssh2 does not offer, so such a line neither vouches for nor against a key.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Replaces the list of known_hosts files (path-delimited), e.g. for tests. */
export const KNOWN_HOSTS_ENV = 'REPLICA_DESK_KNOWN_HOSTS';
export const SYSTEM_KNOWN_HOSTS = '/etc/ssh/ssh_known_hosts';

export interface KnownHostsEntry {
  file: string;
  /** 1-based, as editors and `ssh-keygen -R` messages count. */
  line: number;
  marker: 'revoked' | null;
  /** The host field as written: a pattern list or one hashed name. */
  hosts: string;
  keyType: string;
  /** The decoded key blob. */
  key: Buffer;
}

/** The files `ssh` reads by default (UserKnownHostsFile, GlobalKnownHostsFile), `~` from env. */
export function knownHostsFiles(env: NodeJS.ProcessEnv): string[] {
  const override = env[KNOWN_HOSTS_ENV];
  if (override !== undefined) return override.split(delimiter).filter(Boolean);
  const home = env.HOME || (process.platform === 'win32' ? env.USERPROFILE : undefined) || homedir();
  // Win32-OpenSSH keeps the system file under %ProgramData%\ssh.
  const system = process.platform === 'win32' ? join(env.PROGRAMDATA || 'C:\\ProgramData', 'ssh', 'ssh_known_hosts') : SYSTEM_KNOWN_HOSTS;
  return [join(home, '.ssh', 'known_hosts'), join(home, '.ssh', 'known_hosts2'), system];
}

/** The name a host is recorded under: `host`, or `[host]:port` when the port is not 22. */
export const knownHostsName = (hostname: string, port: number): string => {
  const host = hostname.toLowerCase();
  return port === 22 ? host : `[${host}]:${port}`;
};

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The entries of one file's text; malformed lines and `@cert-authority` lines are skipped, as ssh skips them. */
export function parseKnownHosts(text: string, file: string): KnownHostsEntry[] {
  const entries: KnownHostsEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const fields = raw.trim().split(/[ \t]+/);
    if (!fields[0] || fields[0].startsWith('#')) return;
    let marker: KnownHostsEntry['marker'] = null;
    if (fields[0].startsWith('@')) {
      if (fields[0] !== '@revoked') return; // @cert-authority, or a marker ssh does not know either
      marker = 'revoked';
      fields.shift();
    }
    const [hosts, keyType, keyText] = fields;
    if (!hosts || !keyType || !keyText || !BASE64.test(keyText)) return;
    entries.push({ file, line: i + 1, marker, hosts, keyType, key: Buffer.from(keyText, 'base64') });
  });
  return entries;
}

/** OpenSSH's match_pattern: `*` any run of characters, `?` exactly one, case already folded. */
function matchesPattern(name: string, pattern: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 's').test(name);
}

function matchesHashed(name: string, field: string): boolean {
  const [, magic, salt, hash] = field.split('|');
  if (magic !== '1' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Whether a host field names `name` (from knownHostsName): a negated match wins over any positive one. */
export function hostFieldMatches(field: string, name: string): boolean {
  if (field.startsWith('|')) return matchesHashed(name, field);
  let matched = false;
  for (const raw of field.toLowerCase().split(',')) {
    const negated = raw.startsWith('!');
    const pattern = negated ? raw.slice(1) : raw;
    if (!pattern || !matchesPattern(name, pattern)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

export type KnownHostVerdict =
  | { kind: 'known'; entry: KnownHostsEntry }
  /** The host is recorded, but none of its keys is the offered one ("REMOTE HOST IDENTIFICATION HAS CHANGED"). */
  | { kind: 'changed'; entries: KnownHostsEntry[] }
  | { kind: 'revoked'; entry: KnownHostsEntry }
  | { kind: 'unknown' };

export class KnownHosts {
  constructor(
    readonly entries: readonly KnownHostsEntry[],
    /** Files consulted, in order. */
    readonly files: readonly string[],
    /** Files that exist but could not be read (named in messages, since their entries were not checked). */
    readonly unreadable: readonly string[] = [],
  ) {}

  static parse(text: string, file: string): KnownHosts {
    return new KnownHosts(parseKnownHosts(text, file), [file]);
  }

  /** Reads the files; a missing one is normal and skipped. */
  static async read(files: readonly string[]): Promise<KnownHosts> {
    const entries: KnownHostsEntry[] = [];
    const unreadable: string[] = [];
    for (const file of files) {
      const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT' && error.code !== 'ENOTDIR') unreadable.push(`${file} (${error.code ?? error.message})`);
        return null;
      });
      if (text !== null) entries.push(...parseKnownHosts(text, file));
    }
    return new KnownHosts(entries, files, unreadable);
  }

  entriesFor(hostname: string, port: number): KnownHostsEntry[] {
    const name = knownHostsName(hostname, port);
    return this.entries.filter((e) => hostFieldMatches(e.hosts, name));
  }

  /** Key types recorded for the host, so the handshake can ask for one of them first (as ssh does). */
  keyTypesFor(hostname: string, port: number): string[] {
    return [...new Set(this.entriesFor(hostname, port).filter((e) => !e.marker).map((e) => e.keyType))];
  }

  check(hostname: string, port: number, offered: Buffer): KnownHostVerdict {
    const entries = this.entriesFor(hostname, port);
    const revoked = entries.find((e) => e.marker === 'revoked' && e.key.equals(offered));
    if (revoked) return { kind: 'revoked', entry: revoked };
    const recorded = entries.filter((e) => !e.marker);
    const known = recorded.find((e) => e.key.equals(offered));
    if (known) return { kind: 'known', entry: known };
    return recorded.length ? { kind: 'changed', entries: recorded } : { kind: 'unknown' };
  }
}
