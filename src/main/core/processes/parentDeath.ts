// Children that die with their parent, where the OS allows it. On Linux, util-linux's
// setpriv sets PR_SET_PDEATHSIG and then execs the real program (same pid), so a kill -9 of
// Replica Desk takes its pg_dump with it instead of leaving it writing a dump nobody reads.
//
// Limits worth knowing:
// - The signal fires when the *thread* that spawned the child exits. Node spawns from the
//   thread that calls spawn(): the main thread here. Spawning from a worker_thread would
//   kill the child when that worker ends.
// - It is not inherited across fork(): only the direct child gets it. That is why control
//   commands do not use it (see localHost.ts): their shell dying alone would orphan what it
//   runs, out of reach of the leftover check, which needs the recorded group leader alive.
// - Where setpriv is missing or too old for --pdeathsig, children start as before, and
//   the leftover check (leftoverProcesses.ts) is what ends them on the next run.
import { accessSync, constants } from 'node:fs';
import { spawnSync } from 'node:child_process';

export const SETPRIV_PATH = '/usr/bin/setpriv';
const OPTIONS = ['--pdeathsig', 'SIGKILL', '--'];

const usable = new Map<string, boolean>();

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Whether `setpriv` exists and really understands --pdeathsig (util-linux ≥ 2.33); asked once. */
export function parentDeathSignalAvailable(setpriv = SETPRIV_PATH): boolean {
  let known = usable.get(setpriv);
  if (known === undefined) {
    // It execs itself, so the probe needs no other program to exist.
    known =
      process.platform === 'linux' &&
      executable(setpriv) &&
      spawnSync(setpriv, [...OPTIONS, setpriv, '--version'], { stdio: 'ignore', timeout: 5_000 }).status === 0;
    usable.set(setpriv, known);
  }
  return known;
}

/**
 * How to spawn `file args` so that it gets SIGKILL when this process dies: through setpriv
 * when it can, otherwise unchanged. A `file` that cannot be executed is left unchanged too,
 * so spawn() still reports ENOENT/EACCES itself rather than setpriv exiting 127.
 */
export function dieWithParent(file: string, args: readonly string[], setpriv = SETPRIV_PATH): { file: string; args: string[] } {
  if (!parentDeathSignalAvailable(setpriv) || !executable(file)) return { file, args: [...args] };
  return { file: setpriv, args: [...OPTIONS, file, ...args] };
}

/**
 * The argv `argv` may show in /proc while setpriv has not yet exec'd it: the recorded
 * command line is the program's own, so an identity check accepts this form as well.
 */
export function isParentDeathWrapperOf(current: readonly string[], argv: readonly string[]): boolean {
  const prefix = current.length - argv.length;
  return (
    prefix === OPTIONS.length + 1 &&
    /(^|\/)setpriv$/.test(current[0] ?? '') &&
    OPTIONS.every((option, i) => current[i + 1] === option) &&
    argv.every((arg, i) => current[prefix + i] === arg)
  );
}
