// pg and psql through a local SSH forward to a TLS-only PostgreSQL with sslmode=verify-full:
// both dial 127.0.0.1:<forward> and still verify the certificate against db.host, read the
// password for db.host (the private pgpass entry carries the forward's port), and their
// connections go through the tunnel's channels.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openClient } from '../../../src/main/core/postgres/connect';
import { conninfoFor, pgpassEntriesFor, pgToolEnv } from '../../../src/main/core/postgres/pgToolProcess';
import { findPgTools } from '../../../src/main/core/postgres/pgTools';
import { withPrivatePgpassFile } from '../../../src/main/core/secrets/privatePgpassFile';
import { Secret } from '../../../src/main/core/secrets/secret';
import type { LocalForward } from '../../../src/main/core/tunnels/localForward';
import { TunnelPool } from '../../../src/main/core/tunnels/tunnelPool';
import { startCluster, type PgCluster } from '../../harness/postgresCluster';
import { startSshd, type Sshd } from '../../harness/sshd';

const run = promisify(execFile);
let cluster: PgCluster;
let sshd: Sshd;
let pool: TunnelPool;
let forward: LocalForward;

beforeAll(async () => {
  [cluster, sshd] = await Promise.all([startCluster({ ssl: 'required' }), startSshd()]);
  pool = new TunnelPool({ secretFor: async () => null, env: { HOME: '/nonexistent-home' } });
  const hop = { hostname: sshd.host, port: sshd.port, user: sshd.user, identityFile: sshd.identityFile, hostKey: sshd.hostKeyFingerprint, secretKind: 'tunnel', role: 'tunnel endpoint' };
  forward = await pool.forward({ installation: 'tls', server: 'db' }, { hops: [hop], target: { host: 'localhost', port: cluster.port } });
});

afterAll(async () => {
  await pool?.close();
  await Promise.all([cluster?.stop(), sshd?.stop()]);
});

describe('TLS through a local forward', () => {
  const db = () => ({ host: 'localhost', port: cluster.port, database: 'postgres', user: 'postgres', sslmode: 'verify-full' as const, connectTo: { host: forward.host, port: forward.port } });

  it('pg verifies the certificate against db.host, not the forward address', async () => {
    const before = forward.channelsOpened;
    const client = await openClient(db(), new Secret(cluster.superPassword), { env: { PGSSLROOTCERT: cluster.certFile ?? '' } });
    try {
      const { rows } = await client.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
      expect(rows[0]?.ssl).toBe(true);
    } finally {
      await client.end();
    }
    expect(forward.channelsOpened).toBe(before + 1);
  });

  it('psql connects through the forward with the password from the private pgpass file', async () => {
    const tools = await findPgTools({ env: process.env });
    const before = forward.channelsOpened;
    const { stdout } = await withPrivatePgpassFile(pgpassEntriesFor(db(), new Secret(cluster.superPassword)), (file) =>
      run(tools.psql.path, ['-X', '-A', '-t', '-w', '-c', 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()', `--dbname=${conninfoFor(db())}`], {
        env: { ...pgToolEnv(process.env, file), PGSSLROOTCERT: cluster.certFile ?? '' },
      }),
    );
    expect(stdout.trim()).toBe('t');
    expect(forward.channelsOpened).toBe(before + 1);
  });
});
