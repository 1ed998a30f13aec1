// A whole CoreMedia installation on this machine for restore tests: a master and two
// replicas in both layouts (rls1 in its own database on a second cluster, rls2 in the
// master's own database on the first), stand-in server processes that hold database
// connections and are driven by control commands, rls2 reached over a real sshd, an
// encrypted-passwords key file, and passwords in a real pgpass file. With `tunnel`, every
// database is reached only through SSH: a bastion and a jump host (sshBastion.ts).
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type PgCluster } from './postgresCluster';
import { createContentServer, type ContentServerOptions, type ContentServerDatabase } from './coremedia/contentServerDatabase';
import { startSshd, type Sshd } from './sshd';
import { STAND_IN_APPLICATION_NAME, standInControl, standInStopCommand } from './standInServer';
import { runCli, type CliResult } from './cli';
import { startTcpProxy, type TcpProxy } from './tcpProxy';
import { startSshBastion, type SshBastion } from './sshBastion';

export interface RestoreEnvironmentOptions {
  master?: Partial<ContentServerOptions>;
  /** rls1's stop command exits 0 but leaves the server running. */
  lyingStopOnRls1?: boolean;
  /** Skip the SSH replica (faster scenarios). */
  withoutSsh?: boolean;
  /** Puts a loopback tcpProxy between the CLI and rls1's database (the stand-in server still connects directly). */
  proxyRls1?: boolean;
  /** The same for rls2's connection to the master's cluster (the master's own connections stay direct). */
  proxyRls2?: boolean;
  /** Gives the CLI its own TMPDIR (env.tmpDir), so its private temporary files can be checked. */
  privateTmp?: boolean;
  /** Cluster b (rls1's) offers TLS (ssl = on, self-signed) and rls1's profile keeps the default sslmode prefer. */
  tlsForRls1?: boolean;
  /** Every server's database (both clusters) through a two-hop SSH route: a bastion, then a jump host (db.tunnel via ssh with jumpHosts). */
  tunnel?: boolean;
}

export interface RestoreEnvironment {
  dir: string;
  home: string;
  installation: string;
  a: PgCluster;
  b: PgCluster;
  sshd: Sshd | null;
  /** With tunnel: the bastion and the jump host every database is reached through. */
  bastion: SshBastion | null;
  /** The imported profiles@1 file (a test may write a variant of it). */
  profileFile: string;
  /** With proxyRls1: the proxy in front of rls1's database. */
  rls1Proxy: TcpProxy | null;
  /** With proxyRls2: the proxy in front of rls2's database (on cluster a). */
  rls2Proxy: TcpProxy | null;
  /** With privateTmp: the CLI's TMPDIR. */
  tmpDir: string | null;
  master: ContentServerDatabase;
  password: string;
  keyFile: string;
  keyBytes: Buffer;
  replicaKeyFile(name: 'rls1' | 'rls2'): string;
  env: NodeJS.ProcessEnv;
  control: Record<'rls1' | 'rls2', { start: string; stop: string; status: string }>;
  cli(args: string[], extraEnv?: NodeJS.ProcessEnv): Promise<CliResult>;
  /** md5 of every master table's rows plus its catalog definition. */
  masterFingerprint(): Promise<string>;
  replicaCluster(name: 'rls1' | 'rls2'): { cluster: PgCluster; database: string; schema: string };
  /** A query in the replica's database, as superuser: its rows. */
  replicaQuery<T extends Record<string, unknown>>(name: 'rls1' | 'rls2', sql: string, params?: unknown[]): Promise<T[]>;
  /** schemaFingerprint of the replica's schema (or another schema in its database). */
  replicaFingerprint(name: 'rls1' | 'rls2', schema?: string): Promise<string>;
  /** Running as the issue means it: the status command exits 0 and the stand-in holds its database session. */
  serving(name: 'rls1' | 'rls2'): Promise<boolean>;
  stop(): Promise<void>;
}

export async function startRestoreEnvironment(options: RestoreEnvironmentOptions = {}): Promise<RestoreEnvironment> {
  const dir = mkdtempSync(join(tmpdir(), 'rd-restore-'));
  const home = join(dir, 'home');
  const installation = `it-restore-${randomBytes(3).toString('hex')}`;
  const password = `Pw-${randomBytes(9).toString('base64url')}`;
  const [a, b, sshd] = await Promise.all([startCluster(), startCluster(options.tlsForRls1 ? { ssl: 'on' } : {}), options.withoutSsh ? Promise.resolve(null) : startSshd()]);

  const master = await createContentServer(a, { layout: 'shared-database', database: 'coremedia', role: 'cm_master', password, serverType: 'publication', ...options.master });
  await createContentServer(a, { layout: 'shared-database', database: 'coremedia', role: 'cm_rls2', password, serverType: 'live' });
  await createContentServer(b, { layout: 'database-per-server', database: 'cm_rls1', role: 'cm_rls1', password, serverType: 'live' });
  // The replica roles must be able to re-create their schemas after dropping them.
  await a.query('GRANT CREATE ON DATABASE coremedia TO cm_rls2');
  await b.query('GRANT CREATE ON DATABASE cm_rls1 TO cm_rls1');

  const bastion = options.tunnel ? await startSshBastion([a, b].map((c) => ({ host: c.host, port: c.port }))) : null;
  const tunnel = bastion ? { tunnel: bastion.tunnel() } : {};
  const rls1Proxy = options.proxyRls1 ? await startTcpProxy({ host: b.host, port: b.port }) : null;
  const rls1Port = rls1Proxy?.port ?? b.port;
  const pgpassFile = join(dir, 'pgpass');
  const rls2Proxy = options.proxyRls2 ? await startTcpProxy({ host: a.host, port: a.port }) : null;
  const rls2Port = rls2Proxy?.port ?? a.port;
  const ports = [a.port, b.port, ...(rls1Proxy ? [rls1Proxy.port] : []), ...(rls2Proxy ? [rls2Proxy.port] : [])];
  writeFileSync(pgpassFile, ports.map((port) => `127.0.0.1:${port}:*:*:${password}`).join('\n') + '\n', { mode: 0o600 });
  chmodSync(pgpassFile, 0o600);
  const tmpDir = options.privateTmp ? join(dir, 'tmp') : null;
  if (tmpDir) mkdirSync(tmpDir, { mode: 0o700 });
  const env: Record<string, string> = { PGPASSFILE: pgpassFile, REPLICA_DESK_STOP_WAIT_MS: '3000', REPLICA_DESK_START_WAIT_MS: '20000', REPLICA_DESK_POLL_MS: '200' };
  if (tmpDir) env.TMPDIR = tmpDir;

  const installDir = (name: string) => join(dir, name);
  const keyFile = join(installDir('mls'), 'etc', 'keys', 'coremedia.cm_master.rijndael');
  const keyBytes = randomBytes(48);
  mkdirSync(join(installDir('mls'), 'etc', 'keys'), { recursive: true });
  writeFileSync(keyFile, keyBytes, { mode: 0o600 });

  const control = {
    rls1: standInControl({ dir: join(dir, 'standin-rls1'), db: { host: '127.0.0.1', port: b.port, database: 'cm_rls1', user: 'cm_rls1' }, pgpassFile, lyingStop: options.lyingStopOnRls1 ?? false }),
    rls2: standInControl({ dir: join(dir, 'standin-rls2'), db: { host: '127.0.0.1', port: a.port, database: 'coremedia', user: 'cm_rls2' }, pgpassFile }),
  };
  const profile = {
    format: 'replica-desk/profiles@1',
    installations: [
      {
        name: installation,
        servers: [
          { name: 'mls', role: 'master', db: { host: '127.0.0.1', port: a.port, database: 'coremedia', user: 'cm_master', sslmode: 'disable', ...tunnel }, installDir: installDir('mls'), encryptedPasswords: true, host: { access: 'local' } },
          { name: 'rls1', role: 'replica', db: { host: '127.0.0.1', port: rls1Port, database: 'cm_rls1', user: 'cm_rls1', sslmode: options.tlsForRls1 ? 'prefer' : 'disable', ...tunnel }, installDir: installDir('rls1'), host: { access: 'local' }, control: control.rls1 },
          sshd
            ? {
                name: 'rls2',
                role: 'replica',
                db: { host: '127.0.0.1', port: rls2Port, database: 'coremedia', user: 'cm_rls2', sslmode: 'disable', ...tunnel },
                installDir: installDir('rls2'),
                host: { access: 'ssh', hostname: '127.0.0.1', port: sshd.port, user: sshd.user, identityFile: sshd.identityFile, hostKey: sshd.hostKeyFingerprint },
                control: control.rls2,
              }
            : { name: 'rls2', role: 'replica', db: { host: '127.0.0.1', port: rls2Port, database: 'coremedia', user: 'cm_rls2', sslmode: 'disable', ...tunnel }, installDir: installDir('rls2'), host: { access: 'local' }, control: control.rls2 },
        ],
      },
    ],
  };
  const profileFile = join(dir, 'profiles.json');
  writeFileSync(profileFile, JSON.stringify(profile, null, 2));
  const cli = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => runCli(args, { home, env: { ...env, ...extraEnv } });
  // The environment's own control commands are trusted: approve them as a scripted set-up does.
  const imported = await cli(['profiles', 'import', profileFile, '--approve-commands']);
  if (imported.code !== 0) throw new Error(`profile import failed: ${imported.stderr}`);
  for (const name of ['rls1', 'rls2'] as const) {
    const started = await runShell(control[name].start);
    if (started !== 0) throw new Error(`stand-in ${name} did not start`);
  }

  const replicaCluster = (name: 'rls1' | 'rls2') => (name === 'rls1' ? { cluster: b, database: 'cm_rls1', schema: 'cm_rls1' } : { cluster: a, database: 'coremedia', schema: 'cm_rls2' });
  const replicaQuery = async <T extends Record<string, unknown>>(name: 'rls1' | 'rls2', sql: string, params: unknown[] = []): Promise<T[]> => {
    const { cluster, database } = replicaCluster(name);
    return (await cluster.query<T>(sql, params, database)).rows;
  };
  return {
    dir,
    home,
    installation,
    a,
    b,
    sshd,
    bastion,
    profileFile,
    rls1Proxy,
    rls2Proxy,
    tmpDir,
    master,
    password,
    keyFile,
    keyBytes,
    replicaKeyFile: (name) => join(installDir(name), 'etc', 'keys', name === 'rls1' ? 'cm_rls1.cm_rls1.rijndael' : 'coremedia.cm_rls2.rijndael'),
    env,
    control,
    cli,
    masterFingerprint: () => schemaFingerprint(a, 'coremedia', 'cm_master'),
    replicaCluster,
    replicaQuery,
    replicaFingerprint(name, schema) {
      const { cluster, database, schema: own } = replicaCluster(name);
      return schemaFingerprint(cluster, database, schema ?? own);
    },
    async serving(name) {
      const sessions = await replicaQuery<{ n: number }>(name, 'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = $2', [replicaCluster(name).database, STAND_IN_APPLICATION_NAME]);
      return (await runShell(control[name].status)) === 0 && sessions[0]!.n > 0;
    },
    async stop() {
      for (const name of ['rls1', 'rls2'] as const) await runShell(standInStopCommand(join(dir, `standin-${name}`))).catch(() => undefined);
      await rls1Proxy?.close().catch(() => undefined);
      await rls2Proxy?.close().catch(() => undefined);
      await Promise.allSettled([a.stop(), b.stop(), sshd?.stop(), bastion?.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every table's rows (as md5 of the ordered text form) and the catalog definition of the schema. */
export async function schemaFingerprint(cluster: PgCluster, database: string, schema: string): Promise<string> {
  const tables = (await cluster.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = $1 ORDER BY 1`, [schema], database)).rows.map((r) => r.t);
  const parts: string[] = [];
  for (const t of tables) {
    const q = `"${schema.replace(/"/g, '""')}"."${t.replace(/"/g, '""')}"`;
    const r = await cluster.query<{ h: string }>(`SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS h FROM ${q} x`, [], database);
    parts.push(`${t}:${r.rows[0]!.h}`);
  }
  const defs = await cluster.query<{ d: string }>(
    `SELECT string_agg(c.relname || ':' || c.relkind::text || ':' || pg_get_userbyid(c.relowner), ',' ORDER BY c.relname) AS d
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1`,
    [schema],
    database,
  );
  return `${parts.join(';')}#${defs.rows[0]!.d}`;
}

export async function runShell(command: string): Promise<number> {
  const { spawn } = await import('node:child_process');
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], { stdio: 'ignore' });
    child.on('close', (code) => resolve(code ?? -1));
  });
}
