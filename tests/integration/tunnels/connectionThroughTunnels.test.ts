// The connection test and "Fetch host key" through SSH jump hosts, against two real OpenSSH
// servers on loopback (a bastion and a tunnel endpoint) and real PostgreSQL, in the core and
// through the built CLI: each hop's outcome (the host key it presented, or why it failed, or
// that it was never tried) in the report and in a failure's payload, and a hop's host key
// read through the hop before it.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toErrorPayload } from '../../../src/main/core/errors';
import { createLogger } from '../../../src/main/core/logging/logger';
import { testServerConnection } from '../../../src/main/core/postgres/connectionTest';
import { KeytarSecretStore, type KeytarLike } from '../../../src/main/core/secrets/keytarSecretStore';
import { fetchHostKey } from '../../../src/main/core/tunnels/fetchHostKey';
import { SshHopError } from '../../../src/main/core/tunnels/tunnelErrors';
import { ServerSchema, type Server } from '../../../src/shared/profiles';
import type { ErrorPayload } from '../../../src/shared/result';
import { assertCliBuilt, runCli } from '../../harness/cli';
import { createContentServer } from '../../harness/coremedia/contentServerDatabase';
import { endpointBoundSecrets, type BoundSecretsFixture } from '../../harness/endpointBoundSecrets';
import { closedPort } from '../../harness/ports';
import { startCluster, type PgCluster } from '../../harness/postgresCluster';
import { startSshd, type Sshd } from '../../harness/sshd';

const password = `Pw-${randomBytes(9).toString('base64url')}`;
const ref = { installation: 'it-conn', server: 'rls1' };

let cluster: PgCluster;
let bastion: Sshd;
let endpoint: Sshd;
let dir: string;
let env: NodeJS.ProcessEnv;
let keychain: BoundSecretsFixture;
let silent: NetServer;
let silentPort: number;
const silentSockets = new Set<Socket>();

const noEntry: KeytarLike = {
  getPassword: () => Promise.resolve(null),
  setPassword: () => Promise.reject(new Error('not in this test')),
  deletePassword: () => Promise.resolve(false),
};
const hop = (sshd: Sshd, extra: Record<string, unknown> = {}) => ({
  hostname: sshd.host,
  port: sshd.port,
  user: sshd.user,
  identityFile: sshd.identityFile,
  hostKey: sshd.hostKeyFingerprint,
  ...extra,
});
const serverJson = (opts: { user?: string; port?: number; first?: Record<string, unknown>; second?: Record<string, unknown> } = {}) => ({
  name: 'rls1',
  role: 'replica',
  db: {
    host: '127.0.0.1',
    port: opts.port ?? cluster.port,
    database: 'coremedia',
    user: opts.user ?? 'cm_rls1',
    sslmode: 'disable',
    tunnel: { via: 'ssh', ...hop(endpoint, opts.second), jumpHosts: [hop(bastion, opts.first)] },
  },
});
const server = (opts: Parameters<typeof serverJson>[0] = {}): Server => ServerSchema.parse(serverJson(opts));
const test = (s: Server, timeoutMs = 5000) => testServerConnection(s, ref, keychain.secrets, env, createLogger(join(dir, 'test.log')), { timeoutMs });
const failure = (s: Server, timeoutMs?: number): Promise<ErrorPayload> =>
  test(s, timeoutMs).then(
    () => {
      throw new Error('the connection test succeeded');
    },
    (e: unknown) => toErrorPayload(e),
  );
const hopDescription = (sshd: Sshd) => `ssh ${sshd.user}@127.0.0.1:${sshd.port}`;

beforeAll(async () => {
  [cluster, bastion, endpoint] = await Promise.all([startCluster(), startSshd(), startSshd()]);
  await createContentServer(cluster, { layout: 'shared-database', database: 'coremedia', role: 'cm_rls1', password, serverType: 'live' });
  dir = mkdtempSync(join(tmpdir(), 'rd-conn-tunnel-'));
  writeFileSync(join(dir, 'pgpass'), `*:*:*:cm_nobody:not-the-password\n*:*:*:*:${password}\n`, { mode: 0o600 });
  // No known_hosts (HOME without one) and no agent: only the profile's pins count.
  env = { PATH: process.env.PATH, HOME: join(dir, 'home'), PGPASSFILE: join(dir, 'pgpass') };
  keychain = endpointBoundSecrets(new KeytarSecretStore({ keytar: noEntry, lockProbe: null }));
  silent = createServer((socket) => {
    silentSockets.add(socket);
    socket.on('close', () => silentSockets.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentPort = (silent.address() as { port: number }).port;
});

afterAll(async () => {
  for (const socket of silentSockets) socket.destroy();
  await new Promise((resolve) => (silent ? silent.close(resolve) : resolve(undefined)));
  keychain?.close();
  await Promise.all([cluster?.stop(), bastion?.stop(), endpoint?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the connection test through two hops', () => {
  it('reaches the database and reports each hop with the host key it presented', async () => {
    const report = await test(server());
    expect(report).toMatchObject({ schemaExists: true, repositoryServerType: 'live', passwordSource: 'pgpassfile' });
    expect(report.route!.view).toEqual({
      hops: [
        { role: 'jump host 1', description: hopDescription(bastion) },
        { role: 'tunnel endpoint', description: hopDescription(endpoint) },
      ],
      target: `127.0.0.1:${cluster.port}`,
    });
    expect(report.route!.hops.map((h) => [h.status, h.hostKeyFingerprint])).toEqual([
      ['ok', bastion.hostKeyFingerprint],
      ['ok', endpoint.hostKeyFingerprint],
    ]);
    for (const h of report.route!.hops) expect(h.elapsedMs).toBeGreaterThanOrEqual(0);
  });

  it('names hop 2 when its host key is not the pinned one, with the key it presented', async () => {
    const error = await failure(server({ second: { hostKey: bastion.hostKeyFingerprint } }));
    expect(error.code).toBe('host-key-mismatch');
    expect(error.message).toContain('SSH hop 2 of 2 (tunnel endpoint');
    expect(error.route!.break).toMatchObject({ hopIndex: 1, hopCount: 2, code: 'host-key-mismatch' });
    expect(error.route!.hops.map((h) => [h.status, h.hostKeyFingerprint])).toEqual([
      ['ok', bastion.hostKeyFingerprint],
      ['failed', endpoint.hostKeyFingerprint],
    ]);
  });

  it('names hop 1 when it cannot be reached, and never tries hop 2', async () => {
    const error = await failure(server({ first: { port: await closedPort() } }));
    expect(error.code).toBe('host-unreachable');
    expect(error.route!.break).toMatchObject({ hopIndex: 0, code: 'host-unreachable' });
    expect(error.route!.hops.map((h) => h.status)).toEqual(['failed', 'not-tried']);
  });

  it('gives up on a hop 1 that never answers at the timeout, naming it', async () => {
    const started = performance.now();
    const error = await failure(server({ first: { port: silentPort } }), 1500);
    expect(performance.now() - started).toBeLessThan(1500 + 1000);
    expect(error.route!.break).toMatchObject({ hopIndex: 0, code: 'host-unreachable' });
    expect(error.message).toMatch(/no SSH handshake within 1\.5 s/);
    expect(error.route!.hops.map((h) => h.status)).toEqual(['failed', 'not-tried']);
  });

  it('says the last hop could not reach the database when nothing listens there', async () => {
    const error = await failure(server({ port: await closedPort() }));
    expect(error.code).toBe('ssh-channel-refused');
    expect(error.route!.break).toMatchObject({ hopIndex: 1, code: 'ssh-channel-refused' });
    expect(error.route!.hops.map((h) => h.status)).toEqual(['ok', 'ok']);
  });

  it('keeps a wrong database password a database error, with every hop ok', async () => {
    const error = await failure(server({ user: 'cm_nobody' }));
    expect(error.code).toBe('wrong-password');
    expect(error.route!.break).toBeUndefined();
    expect(error.route!.hops.map((h) => h.status)).toEqual(['ok', 'ok']);
  });
});

describe('fetching a host key through the hops before it', () => {
  it('reads hop 2’s key through hop 1', async () => {
    const found = await fetchHostKey({ hostname: endpoint.host, port: endpoint.port, via: [hop(bastion)] }, { env, context: { localUser: bastion.user }, timeoutMs: 5000 });
    expect(found.fingerprint).toBe(endpoint.hostKeyFingerprint);
  });

  it('refuses to go through a jump host whose key is not the pinned one', async () => {
    const error = await fetchHostKey(
      { hostname: endpoint.host, port: endpoint.port, via: [hop(bastion, { hostKey: endpoint.hostKeyFingerprint })] },
      { env, context: { localUser: bastion.user }, timeoutMs: 5000 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SshHopError);
    expect((error as SshHopError).hopIndex).toBe(0);
    expect((error as SshHopError).code).toBe('host-key-mismatch');
  });

  it('names the hop whose key it fetches when the jump host cannot reach it', async () => {
    const error = (await fetchHostKey({ hostname: '127.0.0.1', port: await closedPort(), via: [hop(bastion)] }, { env, context: { localUser: bastion.user }, timeoutMs: 5000 }).catch(
      (e: unknown) => e,
    )) as SshHopError;
    expect(error).toBeInstanceOf(SshHopError);
    expect(error).toMatchObject({ hopIndex: 1, hopCount: 2, code: 'ssh-channel-refused' });
  });
});

describe('the CLI', () => {
  const INST = `it-conn-cli-${randomBytes(3).toString('hex')}`;
  let home: string;
  const cli = (args: string[]) => runCli(args, { home, env: { PGPASSFILE: env.PGPASSFILE, SSH_AUTH_SOCK: '' } });

  beforeAll(async () => {
    assertCliBuilt();
    home = join(dir, 'cli-home');
    const file = join(dir, 'profiles.json');
    const wrongKey = { ...serverJson({ second: { hostKey: bastion.hostKeyFingerprint } }), name: 'rls2' };
    writeFileSync(file, JSON.stringify({ format: 'replica-desk/profiles@1', installations: [{ name: INST, servers: [{ ...serverJson(), name: 'mls', role: 'master' }, wrongKey] }] }));
    const imported = await cli(['profiles', 'import', file]);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
  });

  it('`connection test` lists each hop, or where the route broke', async () => {
    const ok = await cli(['connection', 'test', `${INST}/mls`]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`via ${hopDescription(bastion)} → ${hopDescription(endpoint)} → 127.0.0.1:${cluster.port}`);
    expect(ok.stdout).toContain(`2. tunnel endpoint · ${hopDescription(endpoint)}: ok (host key ${endpoint.hostKeyFingerprint}`);
    const broken = await cli(['connection', 'test', `${INST}/rls2`, '--json']);
    expect(broken.code).toBe(1);
    const document = JSON.parse(broken.stdout) as { ok: boolean; error: ErrorPayload };
    expect(document.error.route!.break).toMatchObject({ hopIndex: 1, code: 'host-key-mismatch' });
    const human = await cli(['connection', 'test', `${INST}/rls2`]);
    expect(human.stderr).toContain(`broke at hop 2 of 2 (tunnel endpoint · ${hopDescription(endpoint)}), host-key-mismatch`);
  });

  it('`topology` shows the route and where it broke', async () => {
    const result = await cli(['topology', INST]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`via ${hopDescription(bastion)} → ${hopDescription(endpoint)} → 127.0.0.1:${cluster.port}`);
    expect(result.stdout).toContain('✗ broke at hop 2 of 2 (tunnel endpoint');
    const json = JSON.parse((await cli(['topology', INST, '--json'])).stdout) as { installations: Array<{ servers: Array<{ name: string; route?: unknown; routeBreak?: { code: string } }> }> };
    const servers = json.installations[0]!.servers;
    expect(servers.find((s) => s.name === 'mls')!.route).toBeDefined();
    expect(servers.find((s) => s.name === 'rls2')!.routeBreak?.code).toBe('host-key-mismatch');
  });
});
