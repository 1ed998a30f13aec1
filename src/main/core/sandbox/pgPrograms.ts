// The PostgreSQL programs the sandbox needs on this workstation: the server programs
// (initdb, pg_ctl, postgres) to run its throwaway clusters, and the client tools (pg_dump,
// pg_restore, psql) the restore uses. Where one set is missing it stops with the package to
// install for this OS. The server must not be newer than the client tools (pg_dump refuses
// a newer server), so the newest server whose major the client tools cover wins.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ReplicaDeskError } from '../errors';
import { PgToolsMissingError, findPgTools, installedBinDirs, isExecutable, pathEntries, readVersion } from '../postgres/pgTools';

/** A directory that must hold the server programs (the search is skipped). */
export const PG_SERVER_BIN_ENV = 'REPLICA_DESK_PG_SERVER_BIN';
const SERVER_PROGRAMS = ['initdb', 'pg_ctl', 'postgres'] as const;

export interface SandboxPrograms {
  /** initdb, pg_ctl and postgres. */
  binDir: string;
  /** pg_dump, pg_restore and psql (often the same directory). */
  clientBinDir: string;
  /** The server's version, e.g. "15.18". */
  version: string;
}

type Distro = 'debian' | 'fedora' | 'other';

function distroOf(osRelease: string | null): Distro {
  const ids = /^(?:ID|ID_LIKE)=(.*)$/gm;
  const words: string[] = [];
  for (const match of (osRelease ?? '').matchAll(ids)) words.push(...(match[1] ?? '').replace(/"/g, '').split(/\s+/));
  if (words.some((w) => ['debian', 'ubuntu'].includes(w))) return 'debian';
  if (words.some((w) => ['fedora', 'rhel', 'centos'].includes(w))) return 'fedora';
  return 'other';
}

/** What to install for the server programs (`server`) or the client tools, on this OS. */
export function sandboxPackageHint(what: 'server' | 'client', platform: NodeJS.Platform, osRelease: string | null): string {
  const debian = what === 'server' ? '`sudo apt-get install postgresql`' : '`sudo apt-get install postgresql-client`';
  const fedora = what === 'server' ? '`sudo dnf install postgresql-server`' : '`sudo dnf install postgresql`';
  switch (platform) {
    case 'darwin':
      return 'Install PostgreSQL with Homebrew: `brew install postgresql@16` (it has the server programs and the client tools).';
    case 'win32':
      return `Install PostgreSQL with the EDB installer (https://www.postgresql.org/download/windows/), with the ${what === 'server' ? '"PostgreSQL Server" and ' : ''}"Command Line Tools" component${what === 'server' ? 's' : ''}.`;
    default: {
      const distro = distroOf(osRelease);
      if (distro === 'debian') return `Install them on Debian/Ubuntu with ${debian}.`;
      if (distro === 'fedora') return `Install them on Fedora/RHEL with ${fedora}.`;
      return `Install them with your package manager: ${debian} on Debian/Ubuntu, ${fedora} on Fedora/RHEL.`;
    }
  }
}

export class SandboxProgramsMissingError extends ReplicaDeskError {
  constructor(message: string, hint: string) {
    super('sandbox-programs-missing', message, hint);
  }
}

function readOsRelease(): string | null {
  try {
    return readFileSync('/etc/os-release', 'utf8');
  } catch {
    return null;
  }
}

interface ServerCandidate {
  dir: string;
  version: string;
  major: number;
}

async function serverIn(dir: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): Promise<ServerCandidate | null> {
  const join = platform === 'win32' ? path.win32.join : path.posix.join;
  const suffix = platform === 'win32' ? '.exe' : '';
  for (const program of SERVER_PROGRAMS) if (!(await isExecutable(join(dir, `${program}${suffix}`), platform))) return null;
  const version = await readVersion(join(dir, `postgres${suffix}`), env);
  return version ? { dir, ...version } : null;
}

/**
 * The programs to build the sandbox with, or SandboxProgramsMissingError whose hint names the
 * package for this OS. `osRelease` (the text of /etc/os-release) tells Debian from Fedora;
 * it is read from the system when not given.
 */
export async function checkSandboxPrograms(
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
  options: { osRelease?: string | null } = {},
): Promise<SandboxPrograms> {
  const osRelease = options.osRelease === undefined ? (platform === 'linux' ? readOsRelease() : null) : options.osRelease;
  let clientBinDir: string;
  let clientMajor: number;
  try {
    const tools = await findPgTools({ env, platform });
    clientBinDir = path.dirname(tools.pgDump.path);
    clientMajor = tools.pgDump.major;
  } catch (error) {
    if (!(error instanceof PgToolsMissingError)) throw error;
    throw new SandboxProgramsMissingError(
      `The sandbox needs the PostgreSQL client tools (pg_dump, pg_restore, psql), and they were not found. ${error.message}`,
      sandboxPackageHint('client', platform, osRelease),
    );
  }

  const configured = env[PG_SERVER_BIN_ENV]?.trim() || null;
  const dirs = configured ? [configured] : [...pathEntries(env, platform), ...(await installedBinDirs(platform))];
  const found = (await Promise.all([...new Set(dirs)].map((dir) => serverIn(dir, env, platform)))).filter((c): c is ServerCandidate => c !== null);
  if (found.length === 0) {
    const where = configured ? `in ${configured} (${PG_SERVER_BIN_ENV})` : `on PATH or where PostgreSQL installs itself (${[...new Set(dirs)].join(', ') || 'no directory to search'})`;
    throw new SandboxProgramsMissingError(
      `The sandbox needs the PostgreSQL server programs (${SERVER_PROGRAMS.join(', ')}) to run its throwaway clusters, and they were not found ${where}.`,
      `${sandboxPackageHint('server', platform, osRelease)} Or point ${PG_SERVER_BIN_ENV} at the directory that holds them.`,
    );
  }
  // Newest first; equal majors keep the search order.
  const usable = found.filter((c) => c.major <= clientMajor).sort((a, b) => b.major - a.major);
  const best = usable[0];
  if (!best) {
    const oldest = found.reduce((a, b) => (a.major <= b.major ? a : b));
    throw new SandboxProgramsMissingError(
      `The PostgreSQL server programs found (${found.map((c) => `${c.version} in ${c.dir}`).join(', ')}) are newer than the client tools in ${clientBinDir} (${clientMajor}); pg_dump refuses a server newer than itself.`,
      `Install the PostgreSQL ${oldest.major} client tools (or newer). ${sandboxPackageHint('client', platform, osRelease)}`,
    );
  }
  return { binDir: best.dir, clientBinDir, version: best.version };
}
