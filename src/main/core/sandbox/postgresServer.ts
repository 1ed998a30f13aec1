// Running the PostgreSQL server programs on this machine, for the sandbox's clusters (and the
// test harness's): initdb refuses to run as root, so as root every server program runs as
// the `postgres` user through `runuser -u postgres --`, and the files it touches must belong
// to that user. Also: a free loopback port, and Debian's server directory when no search
// result is at hand.
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ReplicaDeskError } from '../errors';
import { dieWithParent } from '../processes/parentDeath';

const run = promisify(execFile);

/** The OS user the server runs as when we are root. */
export const SERVER_USER = 'postgres';

export const runsAsRoot = (): boolean => process.getuid?.() === 0;

/** pg_config's bindir if it has initdb, else the newest /usr/lib/postgresql/N/bin (synchronous: for test set-ups). */
export function findPostgresBinDir(): string {
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  } catch {
    // no pg_config on PATH; look where Debian puts the server
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+(\.\d+)?$/.test(v) && existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0] === undefined) throw new Error('No PostgreSQL server binaries found; install them with: apt-get install -y postgresql');
  return join(root, versions[0], 'bin');
}

/** The file and argv that run `tool` from `binDir` as the server's user. */
export function serverCommand(binDir: string, tool: string, args: string[]): [string, string[]] {
  const file = join(binDir, tool);
  return runsAsRoot() ? ['runuser', ['-u', SERVER_USER, '--', file, ...args]] : [file, args];
}

export class ServerProgramError extends ReplicaDeskError {
  constructor(tool: string, detail: string) {
    super('server-program-failed', `${tool} failed: ${detail}`, 'The server log in the cluster directory may say more. Check free disk space and that the PostgreSQL server programs work (`initdb --version`).');
  }
}

const RUNUSER = ['/usr/sbin/runuser', '/sbin/runuser', '/usr/bin/runuser'];

/**
 * As serverCommand, but the program gets SIGKILL when this process dies (Linux, through
 * setpriv; elsewhere unchanged): for a program that must not outlive an interrupted caller,
 * such as initdb, which would race the next `sandbox up` for its directory. As root both
 * runuser and the program under it are wrapped, since the signal is not inherited by
 * runuser's child and is cleared when runuser changes user.
 */
export function serverCommandDyingWithUs(binDir: string, tool: string, args: string[]): [string, string[]] {
  const inner = dieWithParent(join(binDir, tool), args);
  if (!runsAsRoot()) return [inner.file, inner.args];
  const runuser = RUNUSER.find((path) => existsSync(path)) ?? 'runuser';
  const outer = dieWithParent(runuser, ['-u', SERVER_USER, '--', inner.file, ...inner.args]);
  return [outer.file, outer.args];
}

/**
 * Runs a server program as the server's user; its output is the error's text when it fails.
 * With `diesWithUs`, it is killed if this process dies first (serverCommandDyingWithUs).
 */
export async function runServerTool(binDir: string, tool: string, args: string[], options: { signal?: AbortSignal; diesWithUs?: boolean } = {}): Promise<string> {
  const [file, argv] = (options.diesWithUs ? serverCommandDyingWithUs : serverCommand)(binDir, tool, args);
  try {
    const { stdout } = await run(file, argv, { encoding: 'utf8', signal: options.signal });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message: string };
    throw new ServerProgramError(tool, (e.stderr || e.stdout || e.message).trim());
  }
}

/** A port on 127.0.0.1 that nothing listened on a moment ago (a server may still take it first: retry on a bind failure). */
export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Whether something accepts connections on 127.0.0.1:port. */
export async function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(true));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(false)));
  });
}

let serverIds: { uid: number; gid: number } | undefined;

/** As root, gives `path` to the server's user (its files must belong to whoever runs it); otherwise nothing. */
export function handOverToServerUser(path: string): void {
  if (!runsAsRoot()) return;
  serverIds ??= {
    uid: Number(execFileSync('id', ['-u', SERVER_USER], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', SERVER_USER], { encoding: 'utf8' }).trim()),
  };
  chownSync(path, serverIds.uid, serverIds.gid);
}

/** As root: whether the server's user can enter `dir` (every directory above it must be traversable). */
export async function serverUserCanEnter(dir: string): Promise<boolean> {
  if (!runsAsRoot()) return true;
  try {
    await run('runuser', ['-u', SERVER_USER, '--', 'test', '-x', dir]);
    return true;
  } catch {
    return false;
  }
}
