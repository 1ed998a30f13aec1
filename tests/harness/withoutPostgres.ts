// A machine without PostgreSQL, for one command: it runs in a private mount namespace where an
// empty tmpfs covers /usr/lib/postgresql (Debian's server and client binaries) and /dev/null
// covers each PostgreSQL program or wrapper found elsewhere on PATH (psql, pg_config …). Only
// that process tree sees it; nothing outside the namespace changes. Needs root on Linux.
import { existsSync, realpathSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { delimiter, join } from 'node:path';

const PROGRAMS = ['initdb', 'pg_ctl', 'postgres', 'postmaster', 'psql', 'pg_dump', 'pg_restore', 'pg_config', 'pg_ctlcluster', 'pg_lsclusters'];
const INSTALL_ROOT = '/usr/lib/postgresql';

/** Why a command cannot be run without PostgreSQL here, or null when it can. */
export function withoutPostgresUnavailable(): string | null {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return 'hiding PostgreSQL needs root on Linux (a private mount namespace)';
  if (spawnSync('unshare', ['-m', 'true']).status !== 0) return 'unshare -m (a private mount namespace) is not allowed here';
  return null;
}

/** The argv that runs `command` where no PostgreSQL program can be found. */
export function withoutPostgres(command: string[], path = process.env.PATH ?? ''): string[] {
  const hide = new Set<string>();
  for (const dir of path.split(delimiter).filter(Boolean)) {
    for (const program of PROGRAMS) {
      const file = join(dir, program);
      // Links into INSTALL_ROOT dangle once it is covered; the rest get /dev/null over them.
      if (existsSync(file) && !realpathSync(file).startsWith(`${INSTALL_ROOT}/`)) hide.add(file);
    }
  }
  const script = [
    'set -e',
    `if [ -d ${INSTALL_ROOT} ]; then mount -t tmpfs -o size=1m,mode=0755 none ${INSTALL_ROOT}; fi`,
    ...[...hide].map((file) => `mount --bind /dev/null '${file.replace(/'/g, `'\\''`)}'`),
    'exec "$@"',
  ].join('\n');
  return ['unshare', '-m', '--propagation', 'private', 'sh', '-c', script, 'sh', ...command];
}
