// One deadline per server, against real PostgreSQL and a host that accepts TCP and never
// answers: the keychain read, the connect, the queries and the status command share it (a
// slow keychain no longer adds its time to the connect's), and the status commands run
// through a bounded pool while the other servers are probed.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeytarSecretStore, type KeytarLike } from '../../../src/main/core/secrets/keytarSecretStore';
import { BoundedPool } from '../../../src/main/core/topology/boundedPool';
import { probeServer, type ProbeDeps } from '../../../src/main/core/topology/probeServer';
import { probeTopology } from '../../../src/main/core/topology/probeTopology';
import { InstallationSchema, ServerSchema, type Server } from '../../../src/shared/profiles';
import { createContentServer } from '../../harness/coremedia/contentServerDatabase';
import { endpointBoundSecrets, type BoundSecretsFixture } from '../../harness/endpointBoundSecrets';
import { startCluster, type PgCluster } from '../../harness/postgresCluster';

const TIMEOUT_MS = 1500;
/** How long the slow keychain takes to answer "no entry": more than a quarter of the timeout. */
const KEYCHAIN_MS = 600;
/** Room for timers and a loaded 2-core machine; far below what a second phase's own timeout would add. */
const SLACK_MS = 350;
const password = `Pw-${randomBytes(9).toString('base64url')}`;

let cluster: PgCluster;
let dir: string;
let env: NodeJS.ProcessEnv;
let silent: NetServer;
let silentPort: number;
const silentSockets = new Set<Socket>();
let slowKeychain: BoundSecretsFixture;
let emptyKeychain: BoundSecretsFixture;

// The real keychain cannot be made slow on purpose; KeytarSecretStore takes a keytar for that.
const slowKeytar: KeytarLike = {
  getPassword: () => new Promise((resolve) => setTimeout(() => resolve(null), KEYCHAIN_MS)),
  setPassword: () => Promise.reject(new Error('not in this test')),
  deletePassword: () => Promise.resolve(false),
};
const noEntryKeytar: KeytarLike = { ...slowKeytar, getPassword: () => Promise.resolve(null) };
const allApproved = { isApproved: () => true };

const server = (name: string, port: number, extra: Record<string, unknown> = {}): Server =>
  ServerSchema.parse({
    name,
    role: name === 'mls' ? 'master' : 'replica',
    db: { host: '127.0.0.1', port, database: 'coremedia', user: 'cm_master', sslmode: 'prefer' },
    ...extra,
  });
const deps = (fixture: BoundSecretsFixture, extra: Partial<ProbeDeps> = {}): ProbeDeps => ({ secretStore: fixture.secrets, env, approvals: allApproved, ...extra });

beforeAll(async () => {
  cluster = await startCluster();
  await createContentServer(cluster, { layout: 'shared-database', database: 'coremedia', role: 'cm_master', password, serverType: 'publication' });
  dir = mkdtempSync(join(tmpdir(), 'rd-probe-deadline-'));
  const pgpass = join(dir, 'pgpass');
  writeFileSync(pgpass, `127.0.0.1:*:*:*:${password}\n`, { mode: 0o600 });
  env = { ...process.env, PGPASSFILE: pgpass };
  silent = createServer((socket) => {
    silentSockets.add(socket);
    socket.on('close', () => silentSockets.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentPort = (silent.address() as { port: number }).port;
  slowKeychain = endpointBoundSecrets(new KeytarSecretStore({ keytar: slowKeytar, lockProbe: null }));
  emptyKeychain = endpointBoundSecrets(new KeytarSecretStore({ keytar: noEntryKeytar, lockProbe: null }));
});

afterAll(async () => {
  slowKeychain?.close();
  emptyKeychain?.close();
  for (const socket of silentSockets) socket.destroy();
  await new Promise((resolve) => (silent ? silent.close(resolve) : resolve(undefined)));
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('one deadline per server', () => {
  it('ends a probe of a silent host at the timeout, the slow keychain read included', async () => {
    const probe = await probeServer('it', server('rls1', silentPort), deps(slowKeychain), { timeoutMs: TIMEOUT_MS });
    expect(probe.database).toMatchObject({ reachable: false, error: { code: 'timeout' } });
    // With a deadline per phase it took KEYCHAIN_MS + TIMEOUT_MS.
    expect(probe.elapsedMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(probe.elapsedMs).toBeLessThan(TIMEOUT_MS + SLACK_MS);
  });

  it('reads a healthy server in full after a slow keychain read', async () => {
    const probe = await probeServer('it', server('mls', cluster.port), deps(slowKeychain), { timeoutMs: TIMEOUT_MS });
    expect(probe.database).toMatchObject({ reachable: true, error: null, serverType: 'publication', encryption: { tls: false } });
  });

  it('stops waiting for a status command that hangs at the same deadline', async () => {
    const probe = await probeServer('it', server('rls1', cluster.port, { control: { status: 'sleep 30' } }), deps(emptyKeychain), { timeoutMs: TIMEOUT_MS });
    expect(probe.database.reachable).toBe(true);
    expect(probe.process).toMatchObject({ state: 'unknown', error: { code: 'command-timeout' } });
    expect(probe.elapsedMs).toBeLessThan(TIMEOUT_MS + SLACK_MS);
  });
});

describe('the status-command pool', () => {
  it('runs no more status commands at once than the pool allows, and every one gets its answer', async () => {
    const pool = new BoundedPool(3);
    const installation = InstallationSchema.parse({
      name: 'it-pool',
      servers: [
        server('mls', cluster.port),
        ...Array.from({ length: 10 }, (_, i) => server(`rls${i + 1}`, cluster.port, { control: { status: 'sleep 0.2; exit 1' } })),
        server('rls11', silentPort, { control: { status: 'exit 0' } }),
      ],
    });
    const snapshot = await probeTopology(installation, deps(emptyKeychain, { statusPool: pool }), { timeoutMs: 8000 });
    expect(pool.peak).toBe(3);
    const replicas = snapshot.servers.filter((s) => /^rls([1-9]|10)$/.test(s.name));
    expect(replicas.map((s) => s.process.state)).toEqual(Array(10).fill('stopped'));
    expect(replicas.every((s) => s.database.reachable)).toBe(true);
    // The silent host's database side times out; its own status command still answered.
    const hanging = snapshot.servers.find((s) => s.name === 'rls11')!;
    expect(hanging.database.error?.code).toBe('timeout');
    expect(hanging.process.state).toBe('running');
  });

  it('never starts a status command whose server used its time up waiting for a slot', async () => {
    const pool = new BoundedPool(1);
    const installation = InstallationSchema.parse({
      name: 'it-queue',
      servers: [server('mls', cluster.port), ...Array.from({ length: 4 }, (_, i) => server(`rls${i + 1}`, cluster.port, { control: { status: 'sleep 0.6; exit 0' } }))],
    });
    const snapshot = await probeTopology(installation, deps(emptyKeychain, { statusPool: pool }), { timeoutMs: TIMEOUT_MS });
    const states = snapshot.servers.filter((s) => s.role === 'replica').map((s) => s.process);
    // One at a time, 0.6 s each, within 1.5 s: two answer; the others gave up, in the queue or running.
    expect(states.filter((p) => p.state === 'running').length).toBeGreaterThanOrEqual(1);
    expect(states.filter((p) => p.state === 'unknown').length).toBeGreaterThanOrEqual(2);
    for (const p of states) expect(p.elapsedMs!).toBeLessThan(TIMEOUT_MS + SLACK_MS);
  });
});
