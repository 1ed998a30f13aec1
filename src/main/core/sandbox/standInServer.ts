// Stand-in CoreMedia server processes: something that holds one database session while it
// "runs", as a content server does, driven by real control commands (plain POSIX sh, on a
// local host or over SSH). The command builders serve the sandbox and the tests' harness.
//
//   start   launches the stand-in in the background, detached from the caller's output, and
//           returns once its pid file exists, i.e. once its session is up;
//   stop    SIGTERM, then waits until the pid file is gone (the stand-in removes it after
//           closing its session);
//   status  exits 0 while the pid in the pid file is alive, 1 otherwise.
//
// The sandbox's stand-in is a POSIX sh script (STAND_IN_SCRIPT) around `psql` from the
// client tools: it needs neither node_modules nor a Node runtime, so it runs the same from the
// CLI, the Electron app and a packaged release (whose Electron binary refuses to run as Node).
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const STAND_IN_APPLICATION_NAME = 'coremedia-stand-in';
/** start and stop give up after this many 0.1 s polls. */
const POLLS = 300;

export interface StandInFiles {
  pidFile: string;
  /** The harness's stand-in: JSON; the sandbox's: a libpq connection string. */
  conninfoFile: string;
  logFile: string;
}

export interface StandInControl {
  start: string;
  stop: string;
  status: string;
}

/** Quotes for POSIX sh: one word, nothing expanded. */
export const shellQuote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;
const q = shellQuote;

export const standInFiles = (dir: string): StandInFiles => ({
  pidFile: join(dir, 'server.pid'),
  conninfoFile: join(dir, 'conninfo'),
  logFile: join(dir, 'server.log'),
});

/** A stop that really stops (a stand-in killed hard leaves its pid file behind: nothing to stop then). */
export function standInStopCommand(dir: string, files: StandInFiles = standInFiles(dir)): string {
  const pid = q(files.pidFile);
  return [
    `[ -f ${pid} ] || exit 0`,
    `pid=$(cat ${pid})`,
    `if ! kill -TERM "$pid" 2>/dev/null; then rm -f ${pid}; exit 0; fi`,
    'i=0',
    `while [ -f ${pid} ] && kill -0 "$pid" 2>/dev/null; do i=$((i+1)); if [ $i -gt ${POLLS} ]; then echo "stand-in $pid did not stop" >&2; exit 1; fi; sleep 0.1; done`,
    'exit 0',
  ].join('; ');
}

export function standInStatusCommand(dir: string, files: StandInFiles = standInFiles(dir)): string {
  const pid = q(files.pidFile);
  return `[ -f ${pid} ] && kill -0 "$(cat ${pid})" 2>/dev/null`;
}

/**
 * `launch` runs the stand-in in the foreground (it writes the pid file once its session is up,
 * or `<pid file>.failed` with the reason); the start command runs it in the background.
 */
export function standInStartCommand(dir: string, launch: string, files: StandInFiles = standInFiles(dir)): string {
  const [pid, failed, log] = [q(files.pidFile), q(`${files.pidFile}.failed`), q(files.logFile)];
  return [
    // Already running: like a real start script, nothing to do.
    `if ${standInStatusCommand(dir, files)}; then exit 0; fi`,
    `rm -f ${pid} ${failed}`,
    // Output away from the caller's pipes, so the start command (and an SSH channel) can end.
    `nohup ${launch} >>${log} 2>&1 </dev/null & i=0`,
    `while [ ! -s ${pid} ]; do if [ -f ${failed} ]; then cat ${failed} >&2; exit 1; fi; i=$((i+1)); if [ $i -gt ${POLLS} ]; then echo "stand-in did not start; see ${files.logFile}" >&2; exit 1; fi; sleep 0.1; done`,
    'exit 0',
  ].join('; ');
}

/**
 * The sandbox's stand-in: `sh stand-in.sh DIR PSQL`. It runs psql on a fifo it keeps open,
 * so psql holds the session; every second it sends `SELECT 1`, so a session the server ends
 * makes psql exit and the stand-in with it. SIGTERM sends \q and waits for psql. Killed hard,
 * its end of the fifo closes, psql reads end-of-file and ends the session on its own.
 * The connection string is in DIR/conninfo; the password comes from PGPASSFILE.
 */
export const STAND_IN_SCRIPT = `#!/bin/sh
# A stand-in CoreMedia server for the Replica Desk sandbox: holds one database session
# through psql while it runs. Usage: sh stand-in.sh DIR PSQL (PGPASSFILE set by the caller).
dir=$1
psql=$2
pidfile="$dir/server.pid"
failed="$pidfile.failed"
fifo="$dir/session.fifo"
out="$dir/session.out"
trap '' PIPE
rm -f "$fifo" "$out"
mkfifo -m 600 "$fifo" || { echo "cannot make $fifo" >"$failed"; exit 1; }
"$psql" -X -q -A -t -v ON_ERROR_STOP=1 "$(cat "$dir/conninfo")" <"$fifo" >"$out" 2>&1 &
session=$!
exec 3>"$fifo"
rm -f "$fifo"
stop() {
  echo '\\q' >&3 2>/dev/null
  exec 3>&-
  wait "$session"
  rm -f "$pidfile"
  echo "stand-in $$: stopped"
  exit 0
}
trap stop TERM INT
echo "SELECT 'stand-in-session-' || 'up';" >&3
i=0
while ! grep -q stand-in-session-up "$out" 2>/dev/null; do
  if ! kill -0 "$session" 2>/dev/null; then
    { echo "the database session did not open:"; cat "$out"; } >"$failed"
    exit 1
  fi
  i=$((i+1))
  if [ $i -gt 300 ]; then echo "the database session did not open within 30 s" >"$failed"; kill "$session"; exit 1; fi
  sleep 0.1
done
echo '\\o /dev/null' >&3
echo $$ >"$pidfile.tmp" && mv "$pidfile.tmp" "$pidfile"
echo "stand-in $$: running, session up"
while kill -0 "$session" 2>/dev/null; do
  echo 'SELECT 1;' >&3 2>/dev/null || break
  sleep 1 3>&- &
  wait $!
done
echo "stand-in $$: the database session ended" >&2
rm -f "$pidfile"
exit 1
`;

/** Writes the stand-in script (mode 0700). */
export function writeStandInScript(file: string): void {
  writeFileSync(file, STAND_IN_SCRIPT, { mode: 0o700 });
}

/** A libpq connection string value, quoted. */
const conninfoValue = (value: string | number): string => `'${String(value).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The sandbox stand-in's connection (no password: PGPASSFILE has it). Rewritten when a port moves. */
export function writeStandInConninfo(dir: string, db: { host: string; port: number; database: string; user: string }): void {
  const conninfo = [
    `host=${conninfoValue(db.host)}`,
    `port=${conninfoValue(db.port)}`,
    `dbname=${conninfoValue(db.database)}`,
    `user=${conninfoValue(db.user)}`,
    `application_name=${conninfoValue(STAND_IN_APPLICATION_NAME)}`,
    "sslmode='disable'",
  ].join(' ');
  writeFileSync(standInFiles(dir).conninfoFile, `${conninfo}\n`, { mode: 0o600 });
}

/** The sandbox stand-in's control commands: the script from `scriptFile`, psql from the client tools, passwords from `pgpassFile`. */
export function sandboxStandInControl(o: { dir: string; scriptFile: string; psql: string; pgpassFile: string }): StandInControl {
  const launch = `env PGPASSFILE=${q(o.pgpassFile)} /bin/sh ${q(o.scriptFile)} ${q(o.dir)} ${q(o.psql)}`;
  return { start: standInStartCommand(o.dir, launch), stop: standInStopCommand(o.dir), status: standInStatusCommand(o.dir) };
}

/** Runs a control command with /bin/sh (as a local profile's commands run): its exit code and what it said on stderr. */
export function runControlCommand(command: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (e) => resolve({ code: -1, stderr: e.message }));
    child.on('close', (code) => resolve({ code: code ?? -1, stderr }));
  });
}
