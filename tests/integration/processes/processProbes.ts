// Looking at real processes from a test. This machine's init does not reap orphans, so a
// killed orphan stays a zombie: "running" means alive and not a zombie.
import { isRunning, readStat } from '../../../src/main/core/processes/processIdentity';

export function processIsRunning(pid: number): boolean {
  return isRunning(readStat(pid));
}

/** A killed process takes a moment to finish dying; give it a few seconds at most. */
export async function isGoneSoon(pid: number): Promise<boolean> {
  for (let i = 0; i < 150 && processIsRunning(pid); i += 1) await new Promise((r) => setTimeout(r, 20));
  return !processIsRunning(pid);
}

/** A little longer than a moment: used to show that something was *not* killed. */
export async function staysRunning(pid: number, ms = 300): Promise<boolean> {
  await new Promise((r) => setTimeout(r, ms));
  return processIsRunning(pid);
}
