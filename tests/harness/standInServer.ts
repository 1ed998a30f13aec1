// Control commands for a stand-in CoreMedia server (standInServerProcess.mjs): the `start`, `stop`
// and `status` strings a test profile uses as control.*, on a local host or over SSH (the
// test sshd runs on this machine, so the same paths work there). They are plain POSIX sh,
// built by the product's sandbox/standInServer.ts around this harness's Node stand-in.
//
//   start   launches the stand-in in the background, detached from the session's output,
//           and returns once its pid file exists, i.e. once its connection is established;
//   stop    SIGTERM and wait until the pid file is gone (the stand-in removes it after
//           closing its connection); with lyingStop it exits 0 and stops nothing;
//   status  exits 0 while the pid in the pid file is alive, 1 otherwise.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  STAND_IN_APPLICATION_NAME,
  shellQuote,
  standInFiles as productStandInFiles,
  standInStartCommand,
  standInStatusCommand as productStatusCommand,
  standInStopCommand as productStopCommand,
  type StandInControl,
  type StandInFiles,
} from '../../src/main/core/sandbox/standInServer';

export { STAND_IN_APPLICATION_NAME, type StandInControl, type StandInFiles };
const SCRIPT = fileURLToPath(new URL('./standInServerProcess.mjs', import.meta.url));

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

const q = shellQuote;

export const standInFiles = (dir: string): StandInFiles => ({ ...productStandInFiles(dir), conninfoFile: join(dir, 'conninfo.json') });

/** A stop that really stops, whatever the profile's stop does; for a test's cleanup. */
export const standInStopCommand = (dir: string): string => productStopCommand(dir, standInFiles(dir));

export const standInStatusCommand = (dir: string): string => productStatusCommand(dir, standInFiles(dir));

function startCommand(dir: string, script: string): string {
  const { pidFile, conninfoFile } = standInFiles(dir);
  return standInStartCommand(dir, `${q(process.execPath)} ${q(script)} --pidfile ${q(pidFile)} --conninfo-file ${q(conninfoFile)}`, standInFiles(dir));
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
