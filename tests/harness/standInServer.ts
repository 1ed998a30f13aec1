// Control commands for a stand-in CoreMedia server (standInServerProcess.mjs): the `start`, `stop`
// and `status` strings a test profile uses as control.*, on a local host or over SSH (the
// test sshd runs on this machine, so the same paths work there). They are plain POSIX sh.
//
//   start   launches the stand-in in the background, detached from the session's output,
//           and returns once its pid file exists, i.e. once its connection is established;
//   stop    SIGTERM and wait until the pid file is gone (the stand-in removes it after
//           closing its connection); with lyingStop it exits 0 and stops nothing;
//   status  exits 0 while the pid in the pid file is alive, 1 otherwise.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const STAND_IN_APPLICATION_NAME = 'coremedia-stand-in';
const SCRIPT = fileURLToPath(new URL('./standInServerProcess.mjs', import.meta.url));
/** start and stop give up after this many 0.1 s polls. */
const POLLS = 300;

export interface StandInOptions {
  /** Holds the pid file, the conninfo file and the log; created if missing. */
  dir: string;
  db: { host: string; port: number; database: string; user: string };
  /** A pgpass file (mode 0600) with the user's password. */
  pgpassFile: string;
  /** stop exits 0 but leaves the server running. */
  lyingStop?: boolean;
  /** start exits 0 but starts nothing, so status never reports it running. */
  neverStarts?: boolean;
  /** Shows in pg_stat_activity.application_name (default STAND_IN_APPLICATION_NAME). */
  applicationName?: string;
  /**
   * standInServerProcess.mjs; by default found next to this module. A bundled caller (the
   * benchmark runs through scripts/run-ts.mjs) passes the path, as this module is moved.
   */
  script?: string;
}

export interface StandInControl {
  start: string;
  stop: string;
  status: string;
}

export interface StandInFiles {
  pidFile: string;
  conninfoFile: string;
  logFile: string;
}

const q = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

export const standInFiles = (dir: string): StandInFiles => ({
  pidFile: join(dir, 'server.pid'),
  conninfoFile: join(dir, 'conninfo.json'),
  logFile: join(dir, 'server.log'),
});

/** A stop that really stops, whatever the profile's stop does; for a test's cleanup. */
export function standInStopCommand(dir: string): string {
  const pid = q(standInFiles(dir).pidFile);
  return [
    `[ -f ${pid} ] || exit 0`,
    `pid=$(cat ${pid})`,
    // A stand-in killed hard leaves its pid file behind: nothing to stop.
    `if ! kill -TERM "$pid" 2>/dev/null; then rm -f ${pid}; exit 0; fi`,
    'i=0',
    `while [ -f ${pid} ] && kill -0 "$pid" 2>/dev/null; do i=$((i+1)); if [ $i -gt ${POLLS} ]; then echo "stand-in $pid did not stop" >&2; exit 1; fi; sleep 0.1; done`,
    'exit 0',
  ].join('; ');
}

export function standInStatusCommand(dir: string): string {
  const pid = q(standInFiles(dir).pidFile);
  return `[ -f ${pid} ] && kill -0 "$(cat ${pid})" 2>/dev/null`;
}

function startCommand(dir: string, script: string): string {
  const { pidFile, conninfoFile, logFile } = standInFiles(dir);
  const [pid, failed, log] = [q(pidFile), q(`${pidFile}.failed`), q(logFile)];
  return [
    // Already running: like a real start script, nothing to do.
    `if ${standInStatusCommand(dir)}; then exit 0; fi`,
    `rm -f ${pid} ${failed}`,
    // Output away from the session's pipes, so the start command (and an SSH channel) can end.
    `nohup ${q(process.execPath)} ${q(script)} --pidfile ${pid} --conninfo-file ${q(conninfoFile)} >>${log} 2>&1 </dev/null & i=0`,
    `while [ ! -s ${pid} ]; do if [ -f ${failed} ]; then cat ${failed} >&2; exit 1; fi; i=$((i+1)); if [ $i -gt ${POLLS} ]; then echo "stand-in did not start; see ${logFile}" >&2; exit 1; fi; sleep 0.1; done`,
    'exit 0',
  ].join('; ');
}

/** Writes the stand-in's conninfo file and returns its control commands. */
export function standInControl(options: StandInOptions): StandInControl {
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  const { conninfoFile } = standInFiles(options.dir);
  writeFileSync(
    conninfoFile,
    JSON.stringify({ ...options.db, applicationName: options.applicationName ?? STAND_IN_APPLICATION_NAME, pgpassFile: options.pgpassFile }),
    { mode: 0o600 },
  );
  return {
    start: options.neverStarts ? 'echo "stand-in: pretending to start (neverStarts)"; exit 0' : startCommand(options.dir, options.script ?? SCRIPT),
    stop: options.lyingStop ? 'echo "stand-in: pretending to stop (lyingStop)"; exit 0' : standInStopCommand(options.dir),
    status: standInStatusCommand(options.dir),
  };
}
