// `sandbox down`'s machinery: stops and removes exactly what the manifest lists. A stand-in is
// killed only when the pid in its pid file runs our stand-in script for that directory (a
// reused pid belongs to someone else); a cluster is stopped with pg_ctl on its recorded data
// directory only (fast, then immediate); only the paths the sandbox recorded are removed, and
// the sandbox directory itself only when the sandbox created it and nothing else is left in it.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, rmdirSync } from 'node:fs';
import { join, sep } from 'node:path';
import { SANDBOX_DOWN_PHASES, type SandboxProgress } from '../../../shared/sandbox';
import { throwIfAborted } from '../cancellation';
import { isRunning, procAvailable, readCmdline, readStat } from '../processes/processIdentity';
import { stopCluster } from './sandboxCluster';
import { manifestPath, type SandboxManifest, type SandboxManifestServer } from './sandboxManifest';
import { standInFiles } from './standInServer';

export type TeardownPhase = 'servers' | 'clusters' | 'files';
const ALL_PHASES: readonly TeardownPhase[] = ['servers', 'clusters', 'files'];
const STOP_WAIT_MS = 10_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function commandLineOf(pid: number): string | null {
  if (procAvailable()) return readCmdline(pid)?.join(' ') ?? null;
  try {
    return execFileSync('ps', ['-p', String(pid), '-o', 'command='], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  if (procAvailable()) return isRunning(readStat(pid));
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopStandIn(m: SandboxManifest, s: SandboxManifestServer): Promise<string> {
  const { pidFile } = standInFiles(s.standInDir);
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return `stand-in ${s.name}: not running`;
  }
  const cmdline = Number.isInteger(pid) && pid > 0 ? commandLineOf(pid) : null;
  // Ours: the sandbox's stand-in script, for this server's directory.
  if (!cmdline || !cmdline.includes(join(m.dir, 'stand-in.sh')) || !cmdline.includes(s.standInDir)) {
    rmSync(pidFile, { force: true });
    return `stand-in ${s.name}: not running (stale pid file removed)`;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = performance.now() + STOP_WAIT_MS;
  while (alive(pid) && performance.now() < deadline) await sleep(50);
  if (alive(pid)) {
    process.kill(pid, 'SIGKILL');
    rmSync(pidFile, { force: true });
    return `stand-in ${s.name} (pid ${pid}): killed (it did not stop within ${STOP_WAIT_MS / 1000} s)`;
  }
  return `stand-in ${s.name} (pid ${pid}): stopped`;
}

/**
 * Without pg_ctl (the server programs were removed since): the postmaster named in the data
 * directory's postmaster.pid, if it runs on that data directory, gets SIGINT (a fast
 * shutdown), then SIGQUIT (immediate).
 */
async function stopPostmaster(dataDir: string): Promise<'stopped' | 'was-stopped'> {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return 'was-stopped';
  }
  if (!Number.isInteger(pid) || pid <= 0 || !commandLineOf(pid)?.includes(dataDir)) return 'was-stopped';
  for (const signal of ['SIGINT', 'SIGQUIT'] as const) {
    process.kill(pid, signal);
    const deadline = performance.now() + STOP_WAIT_MS;
    while (alive(pid) && performance.now() < deadline) await sleep(50);
    if (!alive(pid)) return 'stopped';
  }
  return 'stopped';
}

/** Whether `path` lies inside one of the paths the sandbox recorded as its own. */
const claimed = (m: SandboxManifest, path: string): boolean => m.paths.some((p) => path === p || path.startsWith(p + sep));

/**
 * Stops and removes what the manifest lists, phase by phase (`phases` picks some, in this
 * order: servers, clusters, files); returns one line per thing removed. The files phase
 * removes sandbox.json last.
 */
export async function teardownSandbox(
  m: SandboxManifest,
  onProgress: (p: SandboxProgress) => void,
  signal?: AbortSignal,
  options: { phases?: readonly TeardownPhase[] } = {},
): Promise<string[]> {
  const phases = options.phases ?? ALL_PHASES;
  const removed: string[] = [];
  const report = (phase: TeardownPhase, message: string) => {
    throwIfAborted(signal);
    onProgress({ action: 'down', phase, index: SANDBOX_DOWN_PHASES.indexOf(phase) + 1, count: SANDBOX_DOWN_PHASES.length, message });
  };

  if (phases.includes('servers')) {
    report('servers', 'Stopping the stand-in server processes…');
    removed.push(...(await Promise.all(m.servers.map((s) => stopStandIn(m, s)))));
  }

  if (phases.includes('clusters')) {
    report('clusters', 'Stopping the sandbox\'s PostgreSQL clusters and removing their data…');
    const lines = await Promise.all(
      m.clusters.map(async (c) => {
        if (!claimed(m, c.root)) return `cluster ${c.name}: left alone (${c.root} is not a directory the sandbox recorded as its own)`;
        const stopped = !existsSync(join(c.dataDir, 'PG_VERSION')) ? 'was-stopped' : existsSync(m.pg.binDir) ? await stopCluster(m.pg.binDir, c) : await stopPostmaster(c.dataDir);
        rmSync(c.root, { recursive: true, force: true });
        return `cluster ${c.name} (port ${c.port}): ${stopped === 'stopped' ? 'stopped, ' : ''}data directory removed`;
      }),
    );
    removed.push(...lines);
  }

  if (phases.includes('files')) {
    report('files', 'Removing the sandbox\'s files…');
    for (const path of [...m.paths].reverse()) {
      throwIfAborted(signal);
      if (!existsSync(path)) continue;
      rmSync(path, { recursive: true, force: true });
      removed.push(`removed ${path}`);
    }
    rmSync(manifestPath(m.dir), { force: true });
    if (m.createdDir) {
      try {
        rmdirSync(m.dir);
        removed.push(`removed ${m.dir}`);
      } catch {
        // Something else is in it now: it stays.
      }
    }
  }
  return removed;
}
