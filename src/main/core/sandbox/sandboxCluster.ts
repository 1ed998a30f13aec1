// One of the sandbox's persistent throwaway PostgreSQL clusters: initialised once (initdb,
// scram-sha-256, listening on 127.0.0.1 and a unix socket inside its directory only, fsync
// off, small buffers), started on a recorded loopback port, found running or stopped again on
// the next `sandbox up`, stopped by `sandbox down`. As root the server runs as `postgres`
// (postgresServer.ts), so everything in the cluster's directory belongs to that user.
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { ContentServerCluster } from '../coremedia/contentServerDatabase';
import { freeLoopbackPort, handOverToServerUser, portInUse, runServerTool, serverCommand, ServerProgramError } from './postgresServer';
import type { SandboxClusterName, SandboxManifestCluster } from './sandboxManifest';
import { execFile } from 'node:child_process';

export const SANDBOX_SUPERUSER = 'postgres';
/** Written once the cluster is initialised and configured; a directory without it is an interrupted initdb. */
const READY_MARKER = 'ready';
/** A unix socket path must fit in sockaddr_un (about 104 bytes on macOS, 108 on Linux). */
const MAX_SOCKET_DIR = 80;
const START_TIMEOUT_S = 60;

const quoteLiteral = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/** Where cluster `name` lives under `base`, before anything is made. */
export function plannedCluster(name: SandboxClusterName, base: string, port: number): SandboxManifestCluster {
  const root = join(base, name);
  return {
    name,
    port,
    root,
    dataDir: join(root, 'data'),
    superPasswordFile: join(root, 'superuser.password'),
    socketDir: root.length <= MAX_SOCKET_DIR ? root : '',
  };
}

export const clusterReady = (c: SandboxManifestCluster): boolean => existsSync(join(c.root, READY_MARKER)) && existsSync(join(c.dataDir, 'PG_VERSION'));

/** initdb (which dies with this process: a kill during it leaves no initdb writing on) and the configuration; `c.root` must not exist yet (or be empty). */
export async function initCluster(binDir: string, c: SandboxManifestCluster, signal?: AbortSignal): Promise<void> {
  mkdirSync(c.root, { recursive: true, mode: 0o700 });
  handOverToServerUser(c.root);
  writeFileSync(c.superPasswordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
  handOverToServerUser(c.superPasswordFile);
  await runServerTool(binDir, 'initdb', ['-D', c.dataDir, '-U', SANDBOX_SUPERUSER, '--auth=scram-sha-256', `--pwfile=${c.superPasswordFile}`, '-E', 'UTF8', '--locale=C', '-N'], { signal, diesWithUs: true });
  const conf = [
    "listen_addresses = '127.0.0.1'",
    `unix_socket_directories = ${quoteLiteral(c.socketDir)}`,
    // A throwaway cluster: speed over durability.
    'fsync = off',
    'synchronous_commit = off',
    'full_page_writes = off',
    'max_connections = 40',
    "shared_buffers = '32MB'",
    "max_wal_size = '256MB'",
  ];
  appendFileSync(join(c.dataDir, 'postgresql.conf'), `\n# Replica Desk sandbox\n${conf.join('\n')}\n`);
  writeFileSync(join(c.root, READY_MARKER), '');
}

/** pg_ctl status: running, stopped, or no cluster at all in the data directory. */
export async function clusterState(binDir: string, c: SandboxManifestCluster): Promise<'running' | 'stopped' | 'missing'> {
  if (!existsSync(join(c.dataDir, 'PG_VERSION'))) return 'missing';
  const [file, argv] = serverCommand(binDir, 'pg_ctl', ['status', '-D', c.dataDir]);
  return new Promise((resolve) => {
    execFile(file, argv, (error) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve(code === 0 ? 'running' : code === 4 ? 'missing' : 'stopped');
    });
  });
}

/**
 * Starts the cluster on `c.port`, or on a new free port when that one is taken (also when a
 * server grabs it between the check and the bind); returns the port it runs on.
 */
export async function startCluster(binDir: string, c: SandboxManifestCluster, onPort: (port: number) => void, signal?: AbortSignal): Promise<number> {
  let port = c.port;
  for (let attempt = 1; ; attempt += 1) {
    if (await portInUse(port)) {
      port = await freeLoopbackPort();
      onPort(port);
    }
    try {
      await runServerTool(binDir, 'pg_ctl', ['start', '-D', c.dataDir, '-l', join(c.root, 'server.log'), '-w', '-t', String(START_TIMEOUT_S), '-o', `-p ${port}`], { signal });
      return port;
    } catch (error) {
      if (attempt >= 3 || signal?.aborted) throw error;
      port = await freeLoopbackPort();
      onPort(port);
    }
  }
}

/** pg_ctl stop -m fast, then -m immediate if that fails; only for this cluster's data directory. */
export async function stopCluster(binDir: string, c: SandboxManifestCluster): Promise<'stopped' | 'was-stopped'> {
  if ((await clusterState(binDir, c)) !== 'running') return 'was-stopped';
  try {
    await runServerTool(binDir, 'pg_ctl', ['stop', '-D', c.dataDir, '-m', 'fast', '-w', '-t', '20']);
  } catch (error) {
    if (!(error instanceof ServerProgramError)) throw error;
    await runServerTool(binDir, 'pg_ctl', ['stop', '-D', c.dataDir, '-m', 'immediate', '-w', '-t', '20']);
  }
  return 'stopped';
}

/** The cluster's major version, from its data directory (null when it is gone). */
export function clusterVersion(c: SandboxManifestCluster): number | null {
  try {
    const major = Number(readFileSync(join(c.dataDir, 'PG_VERSION'), 'utf8').trim());
    return Number.isInteger(major) ? major : null;
  } catch {
    return null;
  }
}

/** Superuser access to a running cluster, shaped as the content-server generator wants it. */
export function clusterAccess(c: SandboxManifestCluster): ContentServerCluster {
  const superPassword = readFileSync(c.superPasswordFile, 'utf8').trim();
  const connect: ContentServerCluster['connect'] = async (o = {}) => {
    const client = new pg.Client({
      host: '127.0.0.1',
      port: c.port,
      database: o.database ?? 'postgres',
      user: o.user ?? SANDBOX_SUPERUSER,
      password: o.password ?? superPassword,
      application_name: 'replica-desk sandbox',
      connectionTimeoutMillis: 10_000,
    });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  };
  return {
    superuser: SANDBOX_SUPERUSER,
    connect,
    async query(sql, params, database) {
      const client = await connect({ database: database ?? 'postgres' });
      try {
        return await client.query(sql, params);
      } finally {
        await client.end().catch(() => undefined);
      }
    },
  };
}
