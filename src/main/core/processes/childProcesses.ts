// Which children a restore has running, told to whoever runs it. Spawners deep inside
// (startTool, LocalHost.run) call trackChild; the restore runner wraps its work in
// withChildTracking, so the report reaches the run's record without a parameter threaded
// through every step. Outside withChildTracking nothing is read or recorded.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ChildProcess } from 'node:child_process';
import { bootId, ownIdentity, procAvailable, readStat } from './processIdentity';

export type ChildRole = 'pg_dump' | 'pg_restore' | 'psql' | 'pg_tool' | 'control';

/** One spawned child, identified so that a later run can tell it from a reused pid. */
export interface ChildRecord {
  pid: number;
  /** Its process group: its own pid when it runs detached (a control command), ours otherwise. */
  pgid: number;
  /** /proc/<pid>/stat field 22, read right after spawn. */
  startTime: string;
  /** Start times only compare within one boot. */
  bootId: string | null;
  /** The program's own argv, as /proc/<pid>/cmdline shows it once any launcher (setpriv) has exec'd it. */
  cmdline: string[];
  role: ChildRole;
  /** For the admin: which command or tool this was. */
  description: string;
  /** The process that spawned it: while that one lives, the child is not a leftover. */
  owner: { pid: number; startTime: string };
}

export interface ChildTracker {
  started(record: ChildRecord): void;
  /** The child itself has exited; whatever it started on purpose (a daemon) is no concern of ours. */
  exited(record: ChildRecord): void;
}

const current = new AsyncLocalStorage<ChildTracker>();

/** Runs `fn` with every child it spawns (through trackChild) reported to `tracker`. */
export function withChildTracking<T>(tracker: ChildTracker, fn: () => Promise<T>): Promise<T> {
  return current.run(tracker, fn);
}

export interface TrackedChildInfo {
  role: ChildRole;
  description: string;
  /** The argv the program runs with (without a setpriv launcher in front). */
  cmdline: readonly string[];
}

/**
 * Reports `child` to the tracker of the current async context, if any. Call it right after
 * spawn(), before any await: until our event loop reaps it, the child's /proc entry exists
 * (at worst as a zombie), so its start time is always there to read.
 */
export function trackChild(child: ChildProcess, info: TrackedChildInfo): void {
  const tracker = current.getStore();
  if (!tracker || child.pid === undefined || !procAvailable()) return;
  const stat = readStat(child.pid);
  const owner = ownIdentity();
  if (!stat || !owner) return;
  const record: ChildRecord = {
    pid: child.pid,
    pgid: stat.pgid,
    startTime: stat.startTime,
    bootId: bootId(),
    cmdline: [...info.cmdline],
    role: info.role,
    description: info.description,
    owner,
  };
  // The record is a safety net for a later run: failing to write it must neither fail this
  // spawn (the child is already running and its caller must get to manage it) nor crash the
  // process from an exit listener.
  try {
    tracker.started(record);
  } catch {
    return;
  }
  child.once('exit', () => {
    try {
      tracker.exited(record);
    } catch {
      // as above
    }
  });
}

/** The role of a PostgreSQL client tool, from its file name. */
export function pgToolRole(path: string): ChildRole {
  const name = path.split(/[\\/]/).pop()?.replace(/\.exe$/i, '') ?? '';
  return name === 'pg_dump' || name === 'pg_restore' || name === 'psql' ? name : 'pg_tool';
}
