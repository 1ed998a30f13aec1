// A throwaway PostgreSQL cluster for integration tests: the real initdb/pg_ctl/postgres,
// a free loopback port, scram-sha-256 password auth, optionally TLS. initdb refuses to
// run as root, so as root the cluster belongs to the `postgres` user and every server
// binary runs through `runuser -u postgres --` (the product's sandbox/postgresServer.ts).
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import {
  findPostgresBinDir,
  freeLoopbackPort,
  handOverToServerUser,
  runServerTool,
  serverCommand,
} from '../../src/main/core/sandbox/postgresServer';

const run = promisify(execFile);

export type ClusterSsl = 'off' | 'on' | 'required';

export interface PgCluster {
  host: '127.0.0.1';
  port: number;
  superuser: 'postgres';
  superPassword: string;
  dataDir: string;
  /** With ssl 'on' or 'required': the self-signed server certificate (also usable as a root cert). */
  certFile: string | null;
  binDir: string;
  /** Runs one statement as the superuser on a fresh connection (database defaults to `postgres`). */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[], database?: string): Promise<pg.QueryResult<R>>;
  /** A connected client; the caller ends it. Defaults: superuser, database `postgres`. */
  connect(options?: { database?: string; user?: string; password?: string }): Promise<pg.Client>;
  createRole(name: string, password: string): Promise<void>;
  createDatabase(name: string, owner: string): Promise<void>;
  /** Restarts the server on the same port (pg_ctl restart -m fast): every session is ended, as in a failover or a reboot. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;
const quoteLiteral = (text: string): string => `'${text.replace(/'/g, "''")}'`;

export { findPostgresBinDir };

const handOver = handOverToServerUser;

async function makeCertificate(dir: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, 'server.crt');
  const key = join(dir, 'server.key');
  await run('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout', key, '-out', cert,
  ]);
  chmodSync(key, 0o600);
  handOver(key);
  handOver(cert);
  return { cert, key };
}

const running = new Set<{ binDir: string; dataDir: string; root: string }>();
let exitHookInstalled = false;

// A test run that ends without afterAll (a crash, Ctrl-C) must not leave servers behind.
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const c of running) {
      const [file, argv] = serverCommand(c.binDir, 'pg_ctl', ['stop', '-D', c.dataDir, '-m', 'immediate', '-w']);
      spawnSync(file, argv, { stdio: 'ignore' });
      rmSync(c.root, { recursive: true, force: true });
    }
  });
}

export async function startCluster(options: { ssl?: ClusterSsl } = {}): Promise<PgCluster> {
  const ssl = options.ssl ?? 'off';
  const binDir = findPostgresBinDir();
  const root = mkdtempSync(join(tmpdir(), 'replica-desk-pg-'));
  chmodSync(root, 0o700);
  handOver(root);
  const dataDir = join(root, 'data');
  const superPassword = randomBytes(18).toString('base64url');
  const pwFile = join(root, 'pw');
  writeFileSync(pwFile, superPassword, { mode: 0o600 });
  handOver(pwFile);

  const record = { binDir, dataDir, root };
  try {
    await runServerTool(binDir, 'initdb', ['-D', dataDir, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwFile}`, '-E', 'UTF8', '--locale=C', '-N']);
    rmSync(pwFile);
    const conf = [
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = ${quoteLiteral(root)}`,
      'fsync = off',
      'synchronous_commit = off',
      'full_page_writes = off',
      'max_connections = 40',
      "shared_buffers = '32MB'",
    ];
    let certFile: string | null = null;
    if (ssl !== 'off') {
      const { cert, key } = await makeCertificate(root);
      certFile = cert;
      conf.push('ssl = on', `ssl_cert_file = ${quoteLiteral(cert)}`, `ssl_key_file = ${quoteLiteral(key)}`);
    }
    appendFileSync(join(dataDir, 'postgresql.conf'), `\n${conf.join('\n')}\n`);
    if (ssl === 'required') {
      writeFileSync(
        join(dataDir, 'pg_hba.conf'),
        ['local all all scram-sha-256', 'hostssl all all 127.0.0.1/32 scram-sha-256', 'hostssl all all ::1/128 scram-sha-256', ''].join('\n'),
      );
    }

    // Another process may grab the port between our probe and the server's bind; retry.
    let port = 0;
    for (let attempt = 1; ; attempt += 1) {
      port = await freeLoopbackPort();
      try {
        await runServerTool(binDir, 'pg_ctl', ['start', '-D', dataDir, '-l', join(root, 'log'), '-w', '-t', '60', '-o', `-p ${port}`]);
        break;
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }
    running.add(record);
    installExitHook();

    const connect: PgCluster['connect'] = async (o = {}) => {
      const client = new pg.Client({
        host: '127.0.0.1',
        port,
        database: o.database ?? 'postgres',
        user: o.user ?? 'postgres',
        password: o.password ?? superPassword,
        ssl: ssl === 'off' ? false : { rejectUnauthorized: false },
      });
      client.on('error', () => undefined);
      await client.connect();
      return client;
    };
    const query: PgCluster['query'] = async (sql, params, database) => {
      const client = await connect({ database: database ?? 'postgres' });
      try {
        return await client.query(sql, params);
      } finally {
        await client.end();
      }
    };
    let stopping: Promise<void> | null = null;
    return {
      host: '127.0.0.1',
      port,
      superuser: 'postgres',
      superPassword,
      dataDir,
      certFile,
      binDir,
      query,
      connect,
      async createRole(name, password) {
        await query(`CREATE ROLE ${quoteIdent(name)} LOGIN PASSWORD ${quoteLiteral(password)}`);
      },
      async createDatabase(name, owner) {
        await query(`CREATE DATABASE ${quoteIdent(name)} OWNER ${quoteIdent(owner)}`);
      },
      async restart() {
        // pg_ctl restart reuses postmaster.opts, so the server comes back on the same port.
        await runServerTool(binDir, 'pg_ctl', ['restart', '-D', dataDir, '-l', join(root, 'log'), '-m', 'fast', '-w', '-t', '60']);
      },
      stop() {
        stopping ??= (async () => {
          try {
            await runServerTool(binDir, 'pg_ctl', ['stop', '-D', dataDir, '-m', 'fast', '-w']);
          } finally {
            running.delete(record);
            rmSync(root, { recursive: true, force: true });
          }
        })();
        return stopping;
      },
    };
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
}
