// Reads a PostgreSQL password file the way libpq does (fe-connect.c, passwordFromFile and
// pwdfMatchesString), so an admin's existing ~/.pgpass answers for Replica Desk exactly as
// it answers for psql:
//   host:port:database:username:password, one entry a line, the first match wins;
//   a field that is exactly `*` matches anything; `\:` and `\\` (any `\x`) stand for x;
//   a line is a comment only when `#` is its first character;
//   on Unix a file with any group or world permission bits is ignored, with a warning.
// libpq lets a `localhost` entry match a Unix-socket connection; we only connect over TCP,
// so the host is compared exactly as given.
import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, win32 } from 'node:path';
import { Secret } from './secret';

export interface PgpassTarget {
  host: string;
  port: number | string;
  database: string;
  user: string;
}

/** One line of a pgpass file. A field that is null was `*` and matches anything. */
export interface PgpassEntry {
  host: string | null;
  port: string | null;
  database: string | null;
  user: string | null;
  password: string;
}

type Field = { text: string; wildcard: boolean };

/**
 * Reads the four match fields, each ended by an unescaped `:`. Returns null for a line
 * that ends early, which libpq can never match.
 */
function readMatchFields(line: string): { fields: Field[]; rest: string } | null {
  const fields: Field[] = [];
  let i = 0;
  while (fields.length < 4) {
    if (line[i] === '*' && line[i + 1] === ':') {
      fields.push({ text: '*', wildcard: true });
      i += 2;
      continue;
    }
    let text = '';
    for (;;) {
      if (i >= line.length) return null;
      let ch = line[i] as string;
      let escaped = false;
      if (ch === '\\') {
        i += 1;
        if (i >= line.length) return null;
        ch = line[i] as string;
        escaped = true;
      }
      i += 1;
      if (ch === ':' && !escaped) break;
      text += ch;
    }
    fields.push({ text, wildcard: false });
  }
  return { fields, rest: line.slice(i) };
}

// The password runs to the next unescaped `:` or the end; a final lone `\` stays literal.
function readPassword(rest: string): string {
  let out = '';
  for (let i = 0; i < rest.length && rest[i] !== ':'; i += 1) {
    if (rest[i] === '\\' && i + 1 < rest.length) i += 1;
    out += rest[i];
  }
  return out;
}

export function parsePgpass(text: string): PgpassEntry[] {
  const entries: PgpassEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[\r\n]+$/, '');
    if (line.length === 0 || line.startsWith('#')) continue;
    const parsed = readMatchFields(line);
    if (!parsed) continue;
    const [host, port, database, user] = parsed.fields.map((f) => (f.wildcard ? null : f.text));
    entries.push({ host: host ?? null, port: port ?? null, database: database ?? null, user: user ?? null, password: readPassword(parsed.rest) });
  }
  return entries;
}

const fieldMatches = (pattern: string | null, value: string): boolean => pattern === null || pattern === value;

/** The first entry that matches, as libpq picks it; null when none does. */
export function matchPgpass(entries: readonly PgpassEntry[], target: PgpassTarget): PgpassEntry | null {
  // libpq never consults the file without a database and a user name.
  if (target.database === '' || target.user === '') return null;
  const port = String(target.port);
  return (
    entries.find(
      (e) =>
        fieldMatches(e.host, target.host) &&
        fieldMatches(e.port, port) &&
        fieldMatches(e.database, target.database) &&
        fieldMatches(e.user, target.user),
    ) ?? null
  );
}

/** Where libpq looks: PGPASSFILE, else ~/.pgpass (on Windows %APPDATA%\postgresql\pgpass.conf). */
export function pgpassFilePath(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string | null {
  if (env.PGPASSFILE) return env.PGPASSFILE;
  if (platform === 'win32') return env.APPDATA ? win32.join(env.APPDATA, 'postgresql', 'pgpass.conf') : null;
  const home = env.HOME || homedir();
  return home ? join(home, '.pgpass') : null;
}

export interface PgpassLookup {
  secret: Secret | null;
  /** The file consulted, or null when there is none to consult. */
  file: string | null;
  /** Why an existing file was ignored, in libpq's words. */
  warning?: string;
}

/** What the file says as a whole: its entries, or why it is not consulted. */
type PgpassFileState = { entries: PgpassEntry[]; warning?: undefined } | { entries: null; warning?: string; absent: boolean };

async function readPgpassFile(file: string, platform: NodeJS.Platform): Promise<PgpassFileState> {
  let info;
  try {
    info = await stat(file);
  } catch {
    return { entries: null, absent: true };
  }
  if (!info.isFile()) return { entries: null, absent: false, warning: `password file "${file}" is not a plain file` };
  if (platform !== 'win32' && (info.mode & 0o077) !== 0) {
    return {
      entries: null,
      absent: false,
      warning: `password file "${file}" has group or world access; permissions should be u=rw (0600) or less (chmod 0600 "${file}")`,
    };
  }
  try {
    return { entries: parsePgpass(await readFile(file, 'utf8')) };
  } catch {
    return { entries: null, absent: false }; // libpq, too, passes over a file it cannot open
  }
}

/**
 * Lookups running at the same time share one read of the file: a topology probe of 100
 * servers asks for 100 passwords at once, and 200 file operations queued in libuv's small
 * thread pool would delay the keychain reads and SCRAM hashing that wait there too.
 */
const reading = new Map<string, Promise<PgpassFileState>>();

function readShared(file: string, platform: NodeJS.Platform): Promise<PgpassFileState> {
  const key = `${platform}\0${file}`;
  const running = reading.get(key);
  if (running) return running;
  const read = readPgpassFile(file, platform).finally(() => reading.delete(key));
  reading.set(key, read);
  return read;
}

export async function lookupPgpassPassword(
  target: PgpassTarget,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
): Promise<PgpassLookup> {
  const file = pgpassFilePath(env, platform);
  if (!file) return { secret: null, file: null };
  const state = await readShared(file, platform);
  if (!state.entries) {
    if (state.absent) return { secret: null, file: null };
    return state.warning ? { secret: null, file, warning: state.warning } : { secret: null, file };
  }
  const entry = matchPgpass(state.entries, target);
  // An empty password cannot be a Secret; we treat it as no password (libpq would send it).
  return { secret: entry && entry.password !== '' ? new Secret(entry.password) : null, file };
}
