// Finding a test's own child processes by something only they carry on their command line.
import { readFileSync, readdirSync } from 'node:fs';

/** Pids (other than this process) whose command line contains `text`. */
export function processesMentioning(text: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}
