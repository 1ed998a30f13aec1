// The rollback preflight's host check (the restore preflight's own, hostPreflight.ts) against
// a real OpenSSH server and real PostgreSQL: a replica whose SSH host is down is an error
// before anything is stopped; a reachable one passes, and where the rollback puts a key file
// back, the kept `<file>.before-<run>` must be there; a replica the rollback reaches through
// no host (no control command, no key file) is not checked.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/main/core/logging/logger';
import { KeytarSecretStore } from '../../../src/main/core/secrets/keytarSecretStore';
import { runRollbackPreflight } from '../../../src/main/core/restore/rollbackPreflight';
import { InstallationSchema } from '../../../src/shared/profiles';
import { endpointBoundSecrets, type BoundSecretsFixture } from '../../harness/endpointBoundSecrets';
import { startCluster, type PgCluster } from '../../harness/postgresCluster';
import { startSshd, type Sshd } from '../../harness/sshd';

const RUN = '20261201-101010-000000';
const allApproved = { isApproved: () => true };

let cluster: PgCluster;
let sshd: Sshd;
let dir: string;
let secrets: BoundSecretsFixture;
let closedPort: number;

beforeAll(async () => {
  [cluster, sshd] = await Promise.all([startCluster(), startSshd()]);
  dir = mkdtempSync(join(tmpdir(), 'rd-rollback-preflight-'));
  secrets = endpointBoundSecrets(new KeytarSecretStore());
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPort = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
}, 120_000);
afterAll(async () => {
  secrets?.close();
  await Promise.allSettled([cluster?.stop(), sshd?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('rollback preflight: the replica hosts', () => {
  it('fails an unreachable SSH host and a missing kept key file, passes a reachable one, skips a replica it never reaches', async () => {
    const ssh = (port: number) => ({ access: 'ssh', hostname: '127.0.0.1', port, user: sshd.user, identityFile: sshd.identityFile, hostKey: sshd.hostKeyFingerprint });
    const db = (name: string) => ({ host: '127.0.0.1', port: cluster.port, database: 'postgres', user: `cm_${name}`, schema: `cm_${name}` });
    const installation = InstallationSchema.parse({
      name: 'it-rollback-hosts',
      servers: [
        { name: 'mls', role: 'master', db: db('master') },
        { name: 'rls1', role: 'replica', db: db('rls1'), host: ssh(sshd.port), installDir: join(dir, 'rls1'), control: { status: 'true' } },
        { name: 'rls2', role: 'replica', db: db('rls2'), host: ssh(sshd.port), installDir: join(dir, 'rls2') },
        { name: 'rls3', role: 'replica', db: db('rls3'), host: ssh(closedPort), control: { stop: 'true', start: 'true' } },
        { name: 'rls4', role: 'replica', db: db('rls4') },
      ],
    });
    // rls1 has the key file the run kept aside; rls2's is gone.
    mkdirSync(join(dir, 'rls1', 'etc', 'keys'), { recursive: true });
    const kept1 = join(dir, 'rls1', 'etc', 'keys', `postgres.cm_rls1.rijndael.before-${RUN}`);
    writeFileSync(kept1, 'rls1 key\n', { mode: 0o600 });

    const replicas = installation.servers.filter((s) => s.role === 'replica');
    const result = await runRollbackPreflight({
      installation,
      runId: RUN,
      recorded: {},
      replicas,
      restoreKeyFor: ['rls1', 'rls2'],
      secretStore: secrets.secrets,
      env: { ...process.env, SSH_AUTH_SOCK: '' },
      log: createLogger(join(dir, 'test.log')),
      approvals: allApproved,
      timeoutMs: 5_000,
    });
    const of = (server: string, check: string) => result.findings.filter((f) => f.server === `it-rollback-hosts/${server}` && f.check === check);

    expect(result.ok).toBe(false);
    expect(of('rls1', 'host')).toEqual([expect.objectContaining({ ok: true, message: expect.stringContaining(`Host reachable: `) })]);
    expect(of('rls1', 'key-file')).toEqual([expect.objectContaining({ ok: true, message: expect.stringContaining(kept1) })]);

    expect(of('rls2', 'host')).toEqual([expect.objectContaining({ ok: true })]);
    const [missing] = of('rls2', 'key-file');
    expect(missing).toMatchObject({ ok: false, severity: 'error', message: expect.stringContaining(`postgres.cm_rls2.rijndael.before-${RUN} does not exist`) });
    expect(missing!.hint).toContain('then roll back');

    const [down] = of('rls3', 'host');
    expect(down).toMatchObject({ ok: false, severity: 'error', message: expect.stringContaining(`127.0.0.1:${closedPort}`) });
    expect(down!.hint).toBeTruthy();

    expect(of('rls4', 'host')).toEqual([]);
    expect(of('rls4', 'key-file')).toEqual([]);
  }, 60_000);
});
