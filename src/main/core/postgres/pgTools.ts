// Finds pg_dump, pg_restore and psql. An admin's machine may have several PostgreSQL
// versions (distribution packages, Homebrew, Postgres.app, the EDB installer), and pg_dump
// refuses a server newer than itself, so every candidate directory is asked for its version
// and the newest complete set wins. A directory the admin configured is binding: if it
// lacks the tools we say so rather than quietly use others.
import { execFile } from 'node:child_process';
import { access, constants, readdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { ReplicaDeskError } from '../errors';

export interface PgTool {
  path: string;
  /** As the tool prints it, e.g. "15.18". */
  version: string;
  major: number;
}

export interface PgTools {
  pgDump: PgTool;
  pgRestore: PgTool;
  psql: PgTool;
}

export interface FindPgToolsOptions {
  /** The configured directory; when set (or REPLICA_DESK_PG_BIN is), only it is searched. */
  binDir?: string;
  env: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

export const PG_BIN_ENV = 'REPLICA_DESK_PG_BIN';
const VERSION_TIMEOUT_MS = 5_000;
const TOOL_NAMES = { pgDump: 'pg_dump', pgRestore: 'pg_restore', psql: 'psql' } as const;
type ToolKey = keyof typeof TOOL_NAMES;

export class PgToolsMissingError extends ReplicaDeskError {
  constructor(
    readonly searched: string[],
    configured: string | null,
    platform: NodeJS.Platform,
  ) {
    const where = searched.length > 0 ? searched.join(', ') : '(no directory to search)';
    super(
      'pg-tools-missing',
      configured
        ? `pg_dump, pg_restore and psql were not all found in the configured directory ${configured}.`
        : `pg_dump, pg_restore and psql were not found together in any directory. Looked in: ${where}.`,
      `${installHint(platform)} Or point ${PG_BIN_ENV} (or the configured PostgreSQL tools directory) at the directory that holds all three.`,
    );
  }
}

function installHint(platform: NodeJS.Platform): string {
  switch (platform) {
    case 'darwin':
      return 'Install the PostgreSQL client tools, e.g. `brew install libpq` (or postgresql@16) or Postgres.app.';
    case 'win32':
      return 'Install PostgreSQL with the EDB installer (the "Command Line Tools" component is enough).';
    default:
      return 'Install the PostgreSQL client tools: `apt-get install postgresql-client` on Debian/Ubuntu, `dnf install postgresql` on RHEL/Fedora.';
  }
}

export class PgToolTooOldError extends ReplicaDeskError {
  constructor(
    readonly tool: string,
    readonly toolVersion: string,
    readonly serverMajor: number,
    readonly toolPath?: string,
  ) {
    super(
      'pg-tool-too-old',
      `${tool} ${toolVersion}${toolPath ? ` (${toolPath})` : ''} is older than the PostgreSQL ${serverMajor} server; ${tool} refuses servers newer than itself ("server version mismatch").`,
      `Install the PostgreSQL ${serverMajor} (or newer) client tools, e.g. postgresql-client-${serverMajor}, and point ${PG_BIN_ENV} or the configured tools directory at their bin directory if they are not found on their own.`,
    );
  }
}

/** Throws PgToolTooOldError when any tool's major version is below the server's. */
export function requireToolsFor(tools: PgTools, serverMajor: number): void {
  for (const key of Object.keys(TOOL_NAMES) as ToolKey[]) {
    const tool = tools[key];
    if (tool.major < serverMajor) throw new PgToolTooOldError(TOOL_NAMES[key], tool.version, serverMajor, tool.path);
  }
}

/** Parses `pg_dump (PostgreSQL) 15.18 (Debian …)` and development versions like `17beta2`. */
export function parseToolVersion(output: string): { version: string; major: number } | null {
  const match = /\(PostgreSQL\)\s+(\d+)((?:\.\d+)*)([a-z]+\d*)?/i.exec(output);
  if (!match?.[1]) return null;
  return { version: `${match[1]}${match[2] ?? ''}${match[3] ?? ''}`, major: Number(match[1]) };
}

interface InstallPattern {
  parent: string;
  entry: RegExp;
  rest: string[];
}

function installPatterns(platform: NodeJS.Platform): InstallPattern[] {
  switch (platform) {
    case 'darwin':
      return [
        { parent: '/opt/homebrew/opt', entry: /^(postgresql@\d+|libpq)$/, rest: ['bin'] },
        { parent: '/usr/local/opt', entry: /^(postgresql@\d+|libpq)$/, rest: ['bin'] },
        { parent: '/Applications/Postgres.app/Contents/Versions', entry: /^[\w.]+$/, rest: ['bin'] },
      ];
    case 'win32':
      return [{ parent: 'C:\\Program Files\\PostgreSQL', entry: /^\d+(\.\d+)?$/, rest: ['bin'] }];
    default:
      return [
        { parent: '/usr/lib/postgresql', entry: /^\d+(\.\d+)?$/, rest: ['bin'] },
        { parent: '/usr', entry: /^pgsql-\d+(\.\d+)?$/, rest: ['bin'] },
      ];
  }
}

async function expandPattern(p: InstallPattern, join: (...parts: string[]) => string): Promise<string[]> {
  try {
    const entries = await readdir(p.parent);
    // Newest first, so that equal majors keep a stable, sensible order.
    return entries
      .filter((e) => p.entry.test(e))
      .sort((a, b) => b.localeCompare(a, 'en', { numeric: true }))
      .map((e) => join(p.parent, e, ...p.rest));
  } catch {
    return [];
  }
}

export function pathEntries(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string[] {
  // Windows spells it Path; the lookup is case-insensitive there.
  const key = Object.keys(env).find((k) => (platform === 'win32' ? k.toUpperCase() === 'PATH' : k === 'PATH'));
  const value = key ? env[key] : undefined;
  return (value ?? '').split(platform === 'win32' ? ';' : ':').filter((d) => d.trim().length > 0);
}

export async function isExecutable(file: string, platform: NodeJS.Platform): Promise<boolean> {
  try {
    await access(file, platform === 'win32' ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function readVersion(file: string, env: NodeJS.ProcessEnv): Promise<{ version: string; major: number } | null> {
  return new Promise((resolve) => {
    execFile(file, ['--version'], { shell: false, timeout: VERSION_TIMEOUT_MS, env, windowsHide: true }, (error, stdout) => {
      resolve(error ? null : parseToolVersion(String(stdout)));
    });
  });
}

/** Where PostgreSQL installs itself on this OS (newest first within each pattern); the sandbox looks there for the server programs too. */
export async function installedBinDirs(platform: NodeJS.Platform): Promise<string[]> {
  const join = platform === 'win32' ? path.win32.join : path.posix.join;
  return (await Promise.all(installPatterns(platform).map((p) => expandPattern(p, join)))).flat();
}

interface Candidate {
  tools: PgTools;
  /** Debian's pg_wrapper picks a version per call; a real binary is more predictable. */
  viaWrapper: boolean;
  order: number;
}

async function candidateIn(dir: string, order: number, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): Promise<Candidate | null> {
  const join = platform === 'win32' ? path.win32.join : path.posix.join;
  const suffix = platform === 'win32' ? '.exe' : '';
  const files = Object.fromEntries((Object.keys(TOOL_NAMES) as ToolKey[]).map((k) => [k, join(dir, `${TOOL_NAMES[k]}${suffix}`)])) as Record<ToolKey, string>;
  // Existence first: no process is spawned for a directory that lacks a tool.
  for (const file of Object.values(files)) if (!(await isExecutable(file, platform))) return null;
  const keys = Object.keys(files) as ToolKey[];
  const versions = await Promise.all(keys.map((key) => readVersion(files[key], env)));
  const tools: Partial<PgTools> = {};
  for (const [i, key] of keys.entries()) {
    const version = versions[i];
    if (!version) return null;
    tools[key] = { path: files[key], ...version };
  }
  const real = await realpath(files.pgDump).catch(() => files.pgDump);
  return { tools: tools as PgTools, viaWrapper: /pg_wrapper$/.test(real), order };
}

/** The tools to use, or PgToolsMissingError naming every directory searched. */
export async function findPgTools(options: FindPgToolsOptions): Promise<PgTools> {
  const platform = options.platform ?? process.platform;
  const configured = options.binDir?.trim() || options.env[PG_BIN_ENV]?.trim() || null;
  let dirs: string[];
  if (configured) {
    dirs = [configured];
  } else {
    dirs = [...pathEntries(options.env, platform), ...(await installedBinDirs(platform))];
  }
  const unique = [...new Set(dirs)];

  // The directories are asked at once: each answer is a few process starts.
  const found = await Promise.all(unique.map((dir, order) => candidateIn(dir, order, options.env, platform)));
  const candidates: Candidate[] = [];
  for (const candidate of found) {
    // All three must agree: a pg_restore older than the pg_dump cannot read its archives.
    if (candidate && candidate.tools.pgRestore.major === candidate.tools.pgDump.major && candidate.tools.psql.major === candidate.tools.pgDump.major) {
      candidates.push(candidate);
    }
  }
  candidates.sort((a, b) => b.tools.pgDump.major - a.tools.pgDump.major || Number(a.viaWrapper) - Number(b.viaWrapper) || a.order - b.order);
  const best = candidates[0];
  if (!best) throw new PgToolsMissingError(unique, configured, platform);
  return best.tools;
}
