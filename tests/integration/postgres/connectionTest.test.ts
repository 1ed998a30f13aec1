// The connection test against real PostgreSQL 15 clusters (one plain, one that accepts
// TLS only). Passwords reach the code the way an admin's ~/.pgpass would: a real pgpass
// file named by PGPASSFILE, behind a keychain that has no entry.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplicaDeskError } from '../../../src/main/core/errors';
import { createLogger, type Logger } from '../../../src/main/core/logging/logger';
import { requireSchema, resolveTableName } from '../../../src/main/core/postgres/catalog';
import { openClient } from '../../../src/main/core/postgres/connect';
import { connectionEncryption } from '../../../src/main/core/postgres/connectionEncryption';
import { testServerConnection } from '../../../src/main/core/postgres/connectionTest';
import { Secret } from '../../../src/main/core/secrets/secret';
import type { SecretStore } from '../../../src/main/core/secrets/secretStore';
import { ServerSchema, type Server, type ServerRef } from '../../../src/shared/profiles';
import { createContentServer } from '../../harness/coremedia/contentServerDatabase';
import { startCluster, type PgCluster } from '../../harness/postgresCluster';
import { endpointBoundSecrets } from '../../harness/endpointBoundSecrets';
import { startTcpProxy } from '../../harness/tcpProxy';

const password = (): string => randomBytes(12).toString('base64url');
const PW = { master: password(), mixed: password(), wrong: password(), nopass: password(), tls: password() };

// The keychain has no entry for any server, so every password comes from the pgpass file.
const noEntries: SecretStore = {
  get: async () => null,
  set: async () => {
    throw new Error('the connection test never writes to the keychain');
  },
  delete: async () => false,
};

// The connections' view of that keychain (entries go only to their endpoint; there are none).
const bound = endpointBoundSecrets(noEntries);
const emptyKeychain = bound.secrets;

let plain: PgCluster;
let tlsOnly: PgCluster;
let dir: string;
let env: NodeJS.ProcessEnv;
let logFile: string;
let log: Logger;

const serverFor = (db: Record<string, unknown>): Server =>
  ServerSchema.parse({ name: 'srv', role: 'master', db: { host: '127.0.0.1', ...db } });

const refFor = (server: string): ServerRef => ({ installation: 'it', server });

async function failureOf(promise: Promise<unknown>): Promise<ReplicaDeskError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the connection test to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ReplicaDeskError);
  return error as ReplicaDeskError;
}

function expectActionable(error: ReplicaDeskError, where: { port: number; database: string; user: string }): void {
  expect(error.message).toContain(`127.0.0.1:${where.port}/${where.database}`);
  expect(error.message).toContain(`"${where.user}"`);
  expect(error.hint.length).toBeGreaterThan(20);
  for (const pw of [...Object.values(PW), plain.superPassword, tlsOnly.superPassword]) {
    expect(error.message).not.toContain(pw);
    expect(error.hint).not.toContain(pw);
  }
}

beforeAll(async () => {
  [plain, tlsOnly] = await Promise.all([startCluster(), startCluster({ ssl: 'required' })]);
  await createContentServer(plain, { layout: 'database-per-server', database: 'mls', role: 'cm_master', password: PW.master, serverType: 'publication' });
  await createContentServer(plain, {
    layout: 'shared-database',
    database: 'coremedia',
    role: 'cm_mixed',
    password: PW.mixed,
    serverType: 'live',
    mixedCaseTables: true,
  });
  await plain.createRole('cm_wrong', PW.wrong);
  await plain.createRole('cm_nopass', PW.nopass);
  await tlsOnly.createRole('cm_tls', PW.tls);
  await tlsOnly.createDatabase('rls', 'cm_tls');

  dir = mkdtempSync(join(tmpdir(), 'replica-desk-conntest-'));
  const pgpass = join(dir, 'pgpass');
  writeFileSync(
    pgpass,
    [
      `127.0.0.1:${plain.port}:*:cm_master:${PW.master}`,
      `127.0.0.1:${plain.port}:*:cm_mixed:${PW.mixed}`,
      `127.0.0.1:${plain.port}:*:cm_wrong:not-${PW.wrong}`,
      `127.0.0.1:${tlsOnly.port}:*:cm_tls:${PW.tls}`,
      // For the targets where nothing (or nothing PostgreSQL) listens.
      `127.0.0.1:*:*:cm_nowhere:${password()}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  env = { PGPASSFILE: pgpass, HOME: dir };
  logFile = join(dir, 'replica-desk.log');
  log = createLogger(logFile);
});

afterAll(async () => {
  bound.close();
  await Promise.all([plain?.stop(), tlsOnly?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('testServerConnection', () => {
  it('reports version, schema and server type of a master', async () => {
    const server = serverFor({ port: plain.port, database: 'mls', user: 'cm_master' });
    const report = await testServerConnection(server, refFor('mls'), emptyKeychain, env, log);
    expect(report.ref).toEqual({ installation: 'it', server: 'mls' });
    expect(report.serverVersion).toMatch(/^15\.\d+/);
    expect(report.serverVersionNum).toBeGreaterThanOrEqual(150000);
    expect(report.serverVersionNum).toBeLessThan(160000);
    expect(report.schema).toBe('cm_master');
    expect(report.schemaExists).toBe(true);
    expect(report.repositoryServerType).toBe('publication');
    expect(report.passwordSource).toBe('pgpassfile');
    expect(report.encryption).toEqual({ tls: false });
  });

  it('finds the server type in a mixed-case "System" table', async () => {
    const server = serverFor({ port: plain.port, database: 'coremedia', user: 'cm_mixed' });
    const report = await testServerConnection(server, refFor('rls'), emptyKeychain, env, log);
    expect(report.repositoryServerType).toBe('live');

    const client = await openClient(server.db, new Secret(PW.mixed));
    try {
      expect(await resolveTableName(client, 'cm_mixed', 'system')).toBe('System');
      expect(await resolveTableName(client, 'cm_mixed', 'CHANGELOG')).toBe('ChangeLog');
      expect(await resolveTableName(client, 'cm_mixed', 'no_such_table')).toBeNull();
    } finally {
      await client.end();
    }
  });

  it('reports a missing schema without failing, while requireSchema refuses it', async () => {
    const server = serverFor({ port: plain.port, database: 'mls', user: 'cm_master', schema: 'cm_absent' });
    const report = await testServerConnection(server, refFor('mls'), emptyKeychain, env, log);
    expect(report.schemaExists).toBe(false);
    expect(report.repositoryServerType).toBeNull();

    const client = await openClient(server.db, new Secret(PW.master));
    try {
      const error = await failureOf(requireSchema(client, server.db));
      expect(error.code).toBe('missing-schema');
      expect(error.message).toContain('"cm_absent"');
      expectActionable(error, { port: plain.port, database: 'mls', user: 'cm_master' });
    } finally {
      await client.end();
    }
  });

  it('says the password is wrong, and where it came from', async () => {
    const server = serverFor({ port: plain.port, database: 'postgres', user: 'cm_wrong' });
    const error = await failureOf(testServerConnection(server, refFor('wrong'), emptyKeychain, env, log));
    expect(error.code).toBe('wrong-password');
    expect(error.message).toContain('pgpass');
    expect(error.hint).toContain('replica-desk secrets set it/wrong db');
    expectActionable(error, { port: plain.port, database: 'postgres', user: 'cm_wrong' });
  });

  it('says when nobody listens on the port', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const server = serverFor({ port: closedPort, database: 'mls', user: 'cm_nowhere' });
    const error = await failureOf(testServerConnection(server, refFor('mls'), emptyKeychain, env, log));
    expect(error.code).toBe('unreachable-host');
    expectActionable(error, { port: closedPort, database: 'mls', user: 'cm_nowhere' });
  });

  it('says when the database does not exist', async () => {
    const server = serverFor({ port: plain.port, database: 'no_such_db', user: 'cm_master' });
    const error = await failureOf(testServerConnection(server, refFor('mls'), emptyKeychain, env, log));
    expect(error.code).toBe('unknown-database');
    expectActionable(error, { port: plain.port, database: 'no_such_db', user: 'cm_master' });
  });

  it('says when a password is needed and none is stored anywhere', async () => {
    const server = serverFor({ port: plain.port, database: 'postgres', user: 'cm_nopass' });
    const error = await failureOf(testServerConnection(server, refFor('nopass'), emptyKeychain, env, log));
    expect(error.code).toBe('missing-password');
    expect(error.hint).toContain('replica-desk secrets set it/nopass db');
    expect(error.hint).toContain('.pgpass');
    expectActionable(error, { port: plain.port, database: 'postgres', user: 'cm_nopass' });
  });

  it('gives up on a server that accepts and never answers', async () => {
    const sockets: Socket[] = [];
    const silent: NetServer = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const server = serverFor({ port, database: 'mls', user: 'cm_nowhere' });
      const error = await failureOf(testServerConnection(server, refFor('mls'), emptyKeychain, env, log, { timeoutMs: 300 }));
      expect(error.code).toBe('timeout');
      expectActionable(error, { port, database: 'mls', user: 'cm_nowhere' });
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('logs one line per test and never a password', () => {
    const text = readFileSync(logFile, 'utf8');
    expect(text).toMatch(/connection test it\/mls: ok/);
    expect(text).toMatch(/connection test it\/wrong: wrong-password/);
    for (const pw of [...Object.values(PW), plain.superPassword, tlsOnly.superPassword]) expect(text).not.toContain(pw);
  });
});

describe('sslmode', () => {
  const tlsServer = (sslmode?: string): Server => serverFor({ port: tlsOnly.port, database: 'rls', user: 'cm_tls', sslmode });

  it('names TLS as the problem when a server accepts TLS only and sslmode is disable', async () => {
    const error = await failureOf(testServerConnection(tlsServer('disable'), refFor('rls'), emptyKeychain, env, log));
    expect(error.code).toBe('tls-required');
    expect(error.hint).toContain('sslmode');
    expectActionable(error, { port: tlsOnly.port, database: 'rls', user: 'cm_tls' });
  });

  it.each(['require', 'prefer', 'allow'])('connects to a TLS-only server with sslmode %s', async (mode) => {
    const report = await testServerConnection(tlsServer(mode), refFor('rls'), emptyKeychain, env, log);
    expect(report.schemaExists).toBe(false);
    expect(report.serverVersion).toMatch(/^15\./);
    expect(report.encryption).toEqual({ tls: true, protocol: expect.stringMatching(/^TLSv1\.[23]$/) });
  });

  it('uses TLS for real with sslmode require, and reads it off the socket as the server sees it', async () => {
    const client = await openClient(tlsServer('require').db, new Secret(PW.tls));
    try {
      const result = await client.query<{ ssl: boolean; version: string }>('SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
      expect(result.rows[0]?.ssl).toBe(true);
      expect(connectionEncryption(client)).toEqual({ tls: true, protocol: result.rows[0]?.version });
    } finally {
      await client.end();
    }
  });

  it('verifies the certificate with verify-full against the root certificate libpq would use', async () => {
    const trusted = { ...env, PGSSLROOTCERT: tlsOnly.certFile ?? '' };
    const report = await testServerConnection(tlsServer('verify-full'), refFor('rls'), emptyKeychain, trusted, log);
    expect(report.serverVersionNum).toBeGreaterThanOrEqual(150000);

    const error = await failureOf(testServerConnection(tlsServer('verify-full'), refFor('rls'), emptyKeychain, env, log));
    expect(error.code).toBe('tls-certificate');
    expectActionable(error, { port: tlsOnly.port, database: 'rls', user: 'cm_tls' });
  });

  it('says the server has no TLS when sslmode require meets a plain server', async () => {
    const server = serverFor({ port: plain.port, database: 'mls', user: 'cm_master', sslmode: 'require' });
    const error = await failureOf(testServerConnection(server, refFor('mls'), emptyKeychain, env, log));
    expect(error.code).toBe('tls-unsupported');
    expectActionable(error, { port: plain.port, database: 'mls', user: 'cm_master' });
  });

  it('falls back to plain text with sslmode prefer on a server without TLS', async () => {
    const server = serverFor({ port: plain.port, database: 'mls', user: 'cm_master', sslmode: 'prefer' });
    const report = await testServerConnection(server, refFor('mls'), emptyKeychain, env, log);
    expect(report.repositoryServerType).toBe('publication');
    expect(report.encryption).toEqual({ tls: false });
  });

  it('uses one connection for sslmode prefer, with or without TLS on the server, as libpq does', async () => {
    const cases = [
      { cluster: plain, database: 'mls', user: 'cm_master', secret: PW.master, encrypted: false },
      { cluster: tlsOnly, database: 'rls', user: 'cm_tls', secret: PW.tls, encrypted: true },
    ];
    for (const c of cases) {
      const proxy = await startTcpProxy({ host: c.cluster.host, port: c.cluster.port });
      try {
        const client = await openClient({ host: proxy.host, port: proxy.port, database: c.database, user: c.user, sslmode: 'prefer' }, new Secret(c.secret), { timeoutMs: 10_000 });
        try {
          // The SSLRequest answered 'N' (plain) or 'S' (TLS), and the same socket went on.
          expect(connectionEncryption(client).tls).toBe(c.encrypted);
          const row = await client.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
          expect(row.rows[0]?.ssl).toBe(c.encrypted);
          expect(proxy.accepted).toBe(1);
        } finally {
          await client.end();
        }
      } finally {
        await proxy.close();
      }
    }
  });
});
