// Runs one PostgreSQL client tool: argv only (no shell), a connection string without a
// password, the password in a private PGPASSFILE, stderr kept for the error message, and a
// termination that escalates from SIGTERM to SIGKILL so a cancel never leaves a child behind.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { pgToolRole, trackChild } from '../processes/childProcesses';
import { dieWithParent } from '../processes/parentDeath';
import type { PgpassFileEntry } from '../secrets/privatePgpassFile';
import type { Secret } from '../secrets/secret';
import type { DbSettings } from './connect';
import { StderrTail } from './pgToolErrors';
import type { PgTool } from './pgTools';

export const PG_CONNECT_TIMEOUT_S = 10;
const KILL_GRACE_MS = 3_000;

/** A libpq value in a connection string: quoted, with \ and ' escaped. */
const conninfoValue = (value: string | number): string => `'${String(value).replace(/[\\']/g, (c) => `\\${c}`)}'`;

/**
 * libpq's settings for noticing a dead peer on a TCP connection (libpq ignores them on a
 * Unix socket; we leave them out there). Keepalive probes start after 10 s of silence, every
 * 10 s, 6 unanswered ones end the connection: an idle connection to a vanished server dies
 * in about 70 s instead of the OS's two hours. tcp_user_timeout (libpq 12+) covers the
 * other case, data sent and never acknowledged, which keepalives do not probe. Neither
 * helps when something in between keeps answering for a frozen peer (a proxy, a NAT):
 * that is the progress watchdog's job (progressWatchdog.ts).
 */
export const LIBPQ_KEEPALIVES = { keepalives: 1, keepalives_idle: 10, keepalives_interval: 10, keepalives_count: 6 } as const;
export const LIBPQ_TCP_USER_TIMEOUT_MS = 60_000;

/** Whether libpq reaches `host` through a Unix socket (a directory, or an abstract socket name). */
export const isUnixSocketHost = (host: string): boolean => host.startsWith('/') || host.startsWith('@');

/**
 * A libpq connection string for `db`, never with a password. Passing the database this way
 * (rather than --dbname=NAME) keeps a name containing "=" from being read as one itself.
 * Over TCP it carries LIBPQ_KEEPALIVES and, unless `libpqMajor` says the tool is older
 * than 12 (which rejects the keyword), tcp_user_timeout.
 */
export function conninfoFor(db: DbSettings, extra: Record<string, string | number> = {}, options: { libpqMajor?: number } = {}): string {
  const tcp = isUnixSocketHost(db.host)
    ? {}
    : { ...LIBPQ_KEEPALIVES, ...((options.libpqMajor ?? 12) >= 12 ? { tcp_user_timeout: LIBPQ_TCP_USER_TIMEOUT_MS } : {}) };
  const fields: Record<string, string | number> = {
    host: db.host,
    // Through a local SSH forward libpq dials hostaddr and still uses host for TLS and pgpass.
    ...(db.connectTo ? { hostaddr: db.connectTo.host } : {}),
    port: db.connectTo?.port ?? db.port,
    dbname: db.database,
    user: db.user,
    sslmode: db.sslmode ?? 'prefer',
    connect_timeout: PG_CONNECT_TIMEOUT_S,
    ...tcp,
    ...extra,
  };
  return Object.entries(fields)
    .map(([k, v]) => `${k}=${conninfoValue(v)}`)
    .join(' ');
}

/** What to write into the private pgpass file for `db`; empty without a password. */
export function pgpassEntriesFor(db: DbSettings, password: Secret | null): PgpassFileEntry[] {
  if (!password) return [];
  // libpq matches the port it dials: the local forward's, when there is one.
  const entry = { host: db.host, port: db.connectTo?.port ?? db.port, database: db.database, user: db.user, password };
  // libpq matches a Unix-socket directory against "localhost" in pgpass.
  return db.host.startsWith('/') ? [entry, { ...entry, host: 'localhost' }] : [entry];
}

/**
 * The child's environment: ours, minus every way libpq could find a password or other
 * connection settings on its own, plus the private pgpass file (which may be empty:
 * then a server that asks for a password fails clearly instead of prompting).
 */
export function pgToolEnv(base: NodeJS.ProcessEnv, pgpassFile: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const key of ['PGPASSWORD', 'PGSERVICE', 'PGSERVICEFILE', 'PGHOST', 'PGHOSTADDR', 'PGPORT', 'PGDATABASE', 'PGUSER', 'PGSSLMODE']) delete env[key];
  env.PGPASSFILE = pgpassFile;
  env.PGCONNECT_TIMEOUT = String(PG_CONNECT_TIMEOUT_S);
  return env;
}

export interface RunningTool {
  child: ChildProcess;
  stderr: StderrTail;
  /** Settles when the process is gone and its stdio closed; never rejects. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; spawnError?: Error }>;
  /** SIGTERM, then SIGKILL after a grace period; resolves once the process is gone. */
  terminate(): Promise<void>;
}

export function startTool(
  tool: PgTool,
  args: string[],
  options: { env: NodeJS.ProcessEnv; stdio: StdioOptions; onStderrLine?: (line: string) => void },
): RunningTool {
  // It dies with us where the OS allows (a kill -9 must not leave pg_dump writing on), and it
  // is recorded for the run, so a later run can end it where the OS does not.
  const launch = dieWithParent(tool.path, args);
  const child = spawn(launch.file, launch.args, { shell: false, env: options.env, stdio: options.stdio, windowsHide: true });
  const role = pgToolRole(tool.path);
  trackChild(child, { role, description: role === 'pg_tool' ? tool.path : role, cmdline: [tool.path, ...args] });
  const stderr = new StderrTail();
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk, options.onStderrLine));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; spawnError?: Error }>((resolve) => {
    child.once('error', (spawnError) => resolve({ code: null, signal: null, spawnError }));
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  const terminate = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
  };
  return { child, stderr, exited, terminate };
}

/** Calls `fn` at most every `intervalMs` (≈10/s); a caller sends its final value directly. */
export function throttled<T>(fn: ((value: T) => void) | undefined, intervalMs = 100): { push(value: T): void } {
  let last = 0;
  return {
    push(value) {
      const now = Date.now();
      if (!fn || now - last < intervalMs) return;
      last = now;
      fn(value);
    },
  };
}
