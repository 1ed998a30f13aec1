// Ends what a dead run left running: its pg_dump still writing the .partial file, a start
// command still going in its own process group. Only a process that is provably the one
// recorded (same boot, same start time, same command line) is signalled; a pid that now
// belongs to anything else is left alone and reported.
import type { ChildRecord } from './childProcesses';
import { isParentDeathWrapperOf } from './parentDeath';
import { bootId, groupMembers, isRunning, procAvailable, readCmdline, readStat, type ProcessStat } from './processIdentity';

export type LeftoverOutcome =
  /** It was running as recorded and is gone now. */
  | 'killed'
  /** It had already ended (or the machine rebooted since). */
  | 'gone'
  /** The pid belongs to another process now, or its command line is not the recorded one: not touched. */
  | 'not-ours'
  /** It is ours but could not be ended (no permission, or it survived SIGKILL). */
  | 'failed';

export interface LeftoverResult {
  pid: number;
  outcome: LeftoverOutcome;
  message: string;
}

export type LeftoverLog = (level: 'info' | 'warn' | 'error', message: string) => void;

export interface EndLeftoversOptions {
  /** Between SIGTERM and SIGKILL. */
  graceMs?: number;
  /** After SIGKILL, before giving up. */
  killWaitMs?: number;
}

const POLL_MS = 50;

type Verdict = { ours: true; stat: ProcessStat } | { ours: false; outcome: 'gone' | 'not-ours'; why: string };

function sameArgv(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((arg, i) => arg === b[i]);
}

/**
 * Whether `current` (from /proc) is a command line the recorded process can have: its own,
 * setpriv's before it exec'd the program, or, for a control command, the simple command the
 * shell exec'd in its place (bash as /bin/sh does that for `sh -c 'one command'`).
 */
export function cmdlineMatches(record: Pick<ChildRecord, 'cmdline' | 'role'>, current: readonly string[]): boolean {
  if (sameArgv(current, record.cmdline) || isParentDeathWrapperOf(current, record.cmdline)) return true;
  const [, flag, command] = record.cmdline;
  if (record.role !== 'control' || flag !== '-c' || command === undefined || current.length === 0) return false;
  return current.join(' ') === command.trim().split(/\s+/).join(' ');
}

/** Whether the process recorded in `record` is the one running under its pid now. */
export function identify(record: ChildRecord): Verdict {
  if (record.bootId !== null && bootId() !== null && record.bootId !== bootId()) {
    return { ours: false, outcome: 'gone', why: 'the machine has restarted since' };
  }
  const stat = readStat(record.pid);
  if (!isRunning(stat)) {
    // A zombie keeps its pid and start time but has run its last instruction.
    return { ours: false, outcome: 'gone', why: 'it has ended' };
  }
  if (stat.startTime !== record.startTime) {
    return { ours: false, outcome: 'not-ours', why: `pid ${record.pid} now belongs to another process (started at tick ${stat.startTime}, not ${record.startTime})` };
  }
  const cmdline = readCmdline(record.pid);
  if (cmdline === null) return { ours: false, outcome: 'gone', why: 'it has ended' };
  if (!cmdlineMatches(record, cmdline)) {
    return { ours: false, outcome: 'not-ours', why: `pid ${record.pid} runs \`${cmdline.join(' ')}\`, not the recorded \`${record.cmdline.join(' ')}\`` };
  }
  return { ours: true, stat };
}

function describe(record: ChildRecord): string {
  return record.role === 'control' ? `control command \`${record.description}\` (pid ${record.pid})` : `${record.description} (pid ${record.pid})`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(done: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; !done(); await sleep(POLL_MS)) {
    if (Date.now() >= end) return done();
  }
  return true;
}

async function endOne(record: ChildRecord, log: LeftoverLog, graceMs: number, killWaitMs: number): Promise<LeftoverResult> {
  const verdict = identify(record);
  const what = describe(record);
  if (!verdict.ours) {
    const message = verdict.outcome === 'gone' ? `${what} of the interrupted run is no longer running: ${verdict.why}` : `left ${what} alone: ${verdict.why}`;
    log(verdict.outcome === 'gone' ? 'info' : 'warn', message);
    return { pid: record.pid, outcome: verdict.outcome, message };
  }
  // A detached control command leads its own group, and the whole group is what it started
  // and never finished. A pg tool shares the group of the process that spawned it (and,
  // after that died, of whatever else was in it): only the tool itself is signalled.
  const asGroup = verdict.stat.pgid === record.pid;
  const target = asGroup ? -record.pid : record.pid;
  const leaderStillOurs = () => {
    const stat = readStat(record.pid);
    return stat !== null && stat.startTime === record.startTime;
  };
  const gone = asGroup ? () => groupMembers(record.pid).length === 0 : () => !isRunning(readStat(record.pid)) || !leaderStillOurs();
  const send = (signal: NodeJS.Signals): 'sent' | 'gone' | Error => {
    try {
      process.kill(target, signal);
      return 'sent';
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ESRCH' ? 'gone' : (e as Error);
    }
  };
  const failed = (why: string): LeftoverResult => {
    const message = `could not end ${what} of the interrupted run: ${why}. End it by hand (kill ${asGroup ? `-- -${record.pid}` : record.pid}).`;
    log('error', message);
    return { pid: record.pid, outcome: 'failed', message };
  };

  const term = send('SIGTERM');
  if (term instanceof Error) return failed(term.message);
  if (term === 'sent' && !(await waitFor(gone, graceMs))) {
    // The group's id stays reserved while its leader exists, even as a zombie; once the
    // leader is reaped its pid could in principle go to someone else, so we look first.
    if (asGroup && readStat(record.pid) !== null && !leaderStillOurs()) return failed('its process group changed hands');
    const kill = send('SIGKILL');
    if (kill instanceof Error) return failed(kill.message);
    if (!(await waitFor(gone, killWaitMs))) return failed('it survived SIGKILL');
  }
  const message = `ended ${what} left running by the interrupted run${asGroup ? ', with its process group' : ''}`;
  log('warn', message);
  return { pid: record.pid, outcome: 'killed', message };
}

/**
 * Ends the recorded children of a run whose process is gone: SIGTERM, then SIGKILL after
 * `graceMs`, each only after checking that the pid is still the recorded process. Without
 * /proc (macOS, Windows) nothing can be checked, so nothing is signalled.
 */
export async function endLeftovers(records: readonly ChildRecord[], log: LeftoverLog, options: EndLeftoversOptions = {}): Promise<LeftoverResult[]> {
  if (records.length === 0) return [];
  if (!procAvailable()) {
    log('warn', `${records.length} process(es) of an interrupted run may still be running, but this OS has no /proc to check which ones are ours: none was signalled.`);
    return [];
  }
  return Promise.all(records.map((record) => endOne(record, log, options.graceMs ?? 3_000, options.killWaitMs ?? 2_000)));
}
