// Who a process is, as Linux's /proc tells it: a pid alone is not an identity (pids are
// reused), but a pid with its start time in the same boot is. Everything here answers
// null where there is no /proc (macOS, Windows), and callers then leave processes alone.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessStat {
  pid: number;
  /** One letter: R, S, D, Z (zombie), T, … */
  state: string;
  pgid: number;
  /** Field 22 of /proc/<pid>/stat: clock ticks after boot. Text, as it is compared, never computed with. */
  startTime: string;
}

const PROC = '/proc';

/** Whether this OS has a Linux-style /proc to identify processes by. */
export function procAvailable(): boolean {
  return process.platform === 'linux' && readStatFile(`${PROC}/self/stat`) !== null;
}

/** Parses one /proc/<pid>/stat line. The command name (field 2) may hold spaces and ")". */
export function parseStat(text: string): ProcessStat | null {
  const open = text.indexOf(' (');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open));
  // After "pid (comm) ", field N is rest[N - 3].
  const rest = text.slice(close + 2).trim().split(/\s+/);
  const state = rest[0];
  const pgid = Number(rest[2]);
  const startTime = rest[19];
  if (!Number.isInteger(pid) || !state || !Number.isInteger(pgid) || !startTime || !/^\d+$/.test(startTime)) return null;
  return { pid, state, pgid, startTime };
}

function readStatFile(path: string): ProcessStat | null {
  try {
    return parseStat(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

/** The process's stat, or null when it does not exist (or there is no /proc). A zombie still has one. */
export function readStat(pid: number): ProcessStat | null {
  if (!Number.isInteger(pid) || pid <= 0) return null;
  return readStatFile(`${PROC}/${pid}/stat`);
}

/** The argv the process runs with (empty for a zombie or a kernel thread), or null when it is gone. */
export function readCmdline(pid: number): string[] | null {
  try {
    const raw = readFileSync(`${PROC}/${pid}/cmdline`, 'utf8');
    const argv = raw.split('\0');
    if (argv.at(-1) === '') argv.pop();
    return argv;
  } catch {
    return null;
  }
}

let cachedBootId: string | null | undefined;

/** This boot's id: start times count from boot, so they only compare within one boot. */
export function bootId(): string | null {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = readFileSync(`${PROC}/sys/kernel/random/boot_id`, 'utf8').trim() || null;
    } catch {
      cachedBootId = null;
    }
  }
  return cachedBootId;
}

/** Alive: it exists and is not a zombie (which has done all it will ever do). */
export function isRunning(stat: ProcessStat | null): stat is ProcessStat {
  return stat !== null && stat.state !== 'Z' && stat.state !== 'X';
}

/** The live (non-zombie) members of process group `pgid`. */
export function groupMembers(pgid: number): ProcessStat[] {
  let entries: string[];
  try {
    entries = readdirSync(PROC);
  } catch {
    return [];
  }
  const members: ProcessStat[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat && stat.pgid === pgid && isRunning(stat)) members.push(stat);
  }
  return members;
}

let self: ProcessStat | null | undefined;

/** This process's own identity, to tell later whether the process that spawned a child is still alive. */
export function ownIdentity(): { pid: number; startTime: string } | null {
  if (self === undefined) self = readStat(process.pid);
  return self ? { pid: self.pid, startTime: self.startTime } : null;
}

/** Whether the process that had `pid` and `startTime` in boot `boot` is still running. */
export function stillRunning(identity: { pid: number; startTime: string }, boot: string | null): boolean {
  if (!procAvailable()) return true;
  if (boot !== null && bootId() !== null && boot !== bootId()) return false;
  const stat = readStat(identity.pid);
  return isRunning(stat) && stat.startTime === identity.startTime;
}
