// The connection test and "Fetch host key" through SSH jump hosts, against two real OpenSSH
// servers on loopback (a bastion and a tunnel endpoint) and real PostgreSQL, in the core and
// through the built CLI: each hop's outcome (the host key it presented, or why it failed, or
// that it was never tried) in the report and in a failure's payload, and a hop's host key
// read through the hop before it (also by alias from a private ~/.ssh/config, over the IPC
// operation).
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toErrorPayload } from '../../../src/main/core/errors';
import { createLogger } from '../../../src/main/core/logging/logger';
import { testServerConnection } from '../../../src/main/core/postgres/connectionTest';
import { openReplicaDesk } from '../../../src/main/core/replicaDesk';
import { fetchHostKey } from '../../../src/main/core/tunnels/fetchHostKey';
import { SshHopError } from '../../../src/main/core/tunnels/tunnelErrors';
import { createHandlers } from '../../../src/main/ipc/handlers';
import { ServerSchema, type Server } from '../../../src/shared/profiles';
import type { ErrorPayload } from '../../../src/shared/result';
import { assertCliBuilt, runCli } from '../../harness/cli';
import { createContentServer } from '../../harness/coremedia/contentServerDatabase';
import { closedPort } from '../../harness/ports';
import type { Sshd } from '../../harness/sshd';
import { pinnedHop as hop, startTunnelProbeSetting, type TunnelProbeSetting } from '../../harness/tunnelProbes';

const password = `Pw-${randomBytes(9).toString('base64url')}`;
const ref = { installation: 'it-conn', server: 'rls1' };

/** PostgreSQL behind the bastion and the tunnel endpoint. */
let s: TunnelProbeSetting;

const serverJson = (opts: { user?: string; port?: number; first?: Record<string, unknown>; second?: Record<string, unknown> } = {}) => ({
  name: 'rls1',
  role: 'replica',
  db: {
    host: '127.0.0.1',
    port: opts.port ?? s.cluster.port,
    database: 'coremedia',
    user: opts.user ?? 'cm_rls1',
    sslmode: 'disable',
    tunnel: { via: 'ssh', ...hop(s.endpoint, opts.second), jumpHosts: [hop(s.bastion, opts.first)] },
  },
});
const server = (opts: Parameters<typeof serverJson>[0] = {}): Server => ServerSchema.parse(serverJson(opts));
const test = (target: Server, timeoutMs = 5000) => testServerConnection(target, ref, s.keychain.secrets, s.env, createLogger(join(s.dir, 'test.log')), { timeoutMs });
const failure = (target: Server, timeoutMs?: number): Promise<ErrorPayload> =>
  test(target, timeoutMs).then(
    () => {
      throw new Error('the connection test succeeded');
    },
    (e: unknown) => toErrorPayload(e),
  );
const hopDescription = (sshd: Sshd) => `ssh ${sshd.user}@127.0.0.1:${sshd.port}`;

beforeAll(async () => {
  s = await startTunnelProbeSetting(['*:*:*:cm_nobody:not-the-password', `*:*:*:*:${password}`]);
  await createContentServer(s.cluster, { layout: 'shared-database', database: 'coremedia', role: 'cm_rls1', password, serverType: 'live' });
});

afterAll(async () => {
  await s?.stop();
});

describe('the connection test through two hops', () => {
  it('reaches the database and reports each hop with the host key it presented', async () => {
    const report = await test(server());
    expect(report).toMatchObject({ schemaExists: true, repositoryServerType: 'live', passwordSource: 'pgpassfile' });
    expect(report.route!.view).toEqual({
      hops: [
        { role: 'jump host 1', description: hopDescription(s.bastion) },
        { role: 'tunnel endpoint', description: hopDescription(s.endpoint) },
      ],
      target: `127.0.0.1:${s.cluster.port}`,
    });
    expect(report.route!.hops.map((h) => [h.status, h.hostKeyFingerprint])).toEqual([
      ['ok', s.bastion.hostKeyFingerprint],
      ['ok', s.endpoint.hostKeyFingerprint],
    ]);
    for (const h of report.route!.hops) expect(h.elapsedMs).toBeGreaterThanOrEqual(0);
  });

  it('names hop 2 when its host key is not the pinned one, with the key it presented', async () => {
    const error = await failure(server({ second: { hostKey: s.bastion.hostKeyFingerprint } }));
    expect(error.code).toBe('host-key-mismatch');
    expect(error.message).toContain('SSH hop 2 of 2 (tunnel endpoint');
    expect(error.route!.break).toMatchObject({ hopIndex: 1, hopCount: 2, code: 'host-key-mismatch' });
    expect(error.route!.hops.map((h) => [h.status, h.hostKeyFingerprint])).toEqual([
      ['ok', s.bastion.hostKeyFingerprint],
      ['failed', s.endpoint.hostKeyFingerprint],
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
    const error = await failure(server({ first: { port: s.silent.port } }), 1500);
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
    const found = await fetchHostKey({ hostname: s.endpoint.host, port: s.endpoint.port, via: [hop(s.bastion)] }, { env: s.env, context: { localUser: s.bastion.user }, timeoutMs: 5000 });
    expect(found.fingerprint).toBe(s.endpoint.hostKeyFingerprint);
  });

  it('refuses to go through a jump host whose key is not the pinned one', async () => {
    const error = await fetchHostKey(
      { hostname: s.endpoint.host, port: s.endpoint.port, via: [hop(s.bastion, { hostKey: s.endpoint.hostKeyFingerprint })] },
      { env: s.env, context: { localUser: s.bastion.user }, timeoutMs: 5000 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SshHopError);
    expect((error as SshHopError).hopIndex).toBe(0);
    expect((error as SshHopError).code).toBe('host-key-mismatch');
  });

  it('names the hop whose key it fetches when the jump host cannot reach it', async () => {
    const error = (await fetchHostKey({ hostname: '127.0.0.1', port: await closedPort(), via: [hop(s.bastion)] }, { env: s.env, context: { localUser: s.bastion.user }, timeoutMs: 5000 }).catch(
      (e: unknown) => e,
    )) as SshHopError;
    expect(error).toBeInstanceOf(SshHopError);
    expect(error).toMatchObject({ hopIndex: 1, hopCount: 2, code: 'ssh-channel-refused' });
  });
});

describe('the probeHostKey operation (IPC)', () => {
  it('resolves an alias from ~/.ssh/config, ProxyJump included, and fetches that hop’s key through the jump host', async () => {
    const home = join(s.dir, 'ipc-home');
    mkdirSync(join(home, '.ssh'), { recursive: true });
    const config = [
      'Host it-bastion',
      `  HostName ${s.bastion.host}`,
      `  Port ${s.bastion.port}`,
      `  User ${s.bastion.user}`,
      `  IdentityFile ${s.bastion.identityFile}`,
      'Host it-endpoint',
      `  HostName ${s.endpoint.host}`,
      `  Port ${s.endpoint.port}`,
      '  ProxyJump it-bastion',
      '',
    ].join('\n');
    writeFileSync(join(home, '.ssh', 'config'), config, { mode: 0o600 });
    // The jump host's key is in known_hosts, as `ssh` would have recorded it.
    writeFileSync(join(home, '.ssh', 'known_hosts'), `[${s.bastion.host}]:${s.bastion.port} ${s.bastion.hostPublicKeys[0]}\n`);
    const core = openReplicaDesk({ home: join(s.dir, 'ipc-data'), env: { ...s.env, HOME: home } });
    try {
      const handlers = createHandlers(core);
      expect(await handlers.probeHostKey({ alias: 'it-endpoint' })).toEqual({ ok: true, value: { fingerprint: s.endpoint.hostKeyFingerprint } });
      // Jump hosts given in the request replace the alias's ProxyJump; a wrong pin on one is refused, naming it.
      const refused = await handlers.probeHostKey({ alias: 'it-endpoint', via: [hop(s.bastion, { hostKey: s.endpoint.hostKeyFingerprint })] });
      expect(refused).toMatchObject({ ok: false, error: { code: 'host-key-mismatch', message: expect.stringContaining('SSH hop 1 of 2 (jump host 1') } });
    } finally {
      core.close();
    }
  });
});

describe('the CLI', () => {
  const INST = `it-conn-cli-${randomBytes(3).toString('hex')}`;
  let home: string;
  const cli = (args: string[]) => runCli(args, { home, env: { PGPASSFILE: s.env.PGPASSFILE, SSH_AUTH_SOCK: '' } });

  beforeAll(async () => {
    assertCliBuilt();
    home = join(s.dir, 'cli-home');
    const file = join(s.dir, 'profiles.json');
    const wrongKey = { ...serverJson({ second: { hostKey: s.bastion.hostKeyFingerprint } }), name: 'rls2' };
    writeFileSync(file, JSON.stringify({ format: 'replica-desk/profiles@1', installations: [{ name: INST, servers: [{ ...serverJson(), name: 'mls', role: 'master' }, wrongKey] }] }));
    const imported = await cli(['profiles', 'import', file]);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
  });

  it('`connection test` lists each hop, or where the route broke', async () => {
    const ok = await cli(['connection', 'test', `${INST}/mls`]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`via ${hopDescription(s.bastion)} → ${hopDescription(s.endpoint)} → 127.0.0.1:${s.cluster.port}`);
    expect(ok.stdout).toContain(`2. tunnel endpoint · ${hopDescription(s.endpoint)}: ok (host key ${s.endpoint.hostKeyFingerprint}`);
    const broken = await cli(['connection', 'test', `${INST}/rls2`, '--json']);
    expect(broken.code).toBe(1);
    const document = JSON.parse(broken.stdout) as { ok: boolean; error: ErrorPayload };
    expect(document.error.route!.break).toMatchObject({ hopIndex: 1, code: 'host-key-mismatch' });
    const human = await cli(['connection', 'test', `${INST}/rls2`]);
    expect(human.stderr).toContain(`broke at hop 2 of 2 (tunnel endpoint · ${hopDescription(s.endpoint)}), host-key-mismatch`);
  });

  it('`connection test --host-keys` lists the key each hop presents against its pin', async () => {
    const pinned = await cli(['connection', 'test', `${INST}/mls`, '--host-keys']);
    expect(pinned.code).toBe(0);
    expect(pinned.stdout).toContain(`database:\n    1. jump host 1 · ${hopDescription(s.bastion)}: ${s.bastion.hostKeyFingerprint} — matches the pin`);
    expect(pinned.stdout).toContain(`2. tunnel endpoint · ${hopDescription(s.endpoint)}: ${s.endpoint.hostKeyFingerprint} — matches the pin`);
    const wrong = await cli(['connection', 'test', `${INST}/rls2`, '--host-keys', '--json']);
    expect(wrong.code).toBe(1);
    const document = JSON.parse(wrong.stdout) as { routes: Array<{ route: string; hops: Array<{ fingerprint?: string; verdict: string; pinned?: string }> }> };
    expect(document.routes).toEqual([
      {
        route: 'database',
        hops: [
          expect.objectContaining({ fingerprint: s.bastion.hostKeyFingerprint, verdict: 'matches-pin' }),
          expect.objectContaining({ fingerprint: s.endpoint.hostKeyFingerprint, verdict: 'differs-from-pin', pinned: s.bastion.hostKeyFingerprint }),
        ],
      },
    ]);
  });

  it('`topology` shows the route and where it broke', async () => {
    const result = await cli(['topology', INST]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`via ${hopDescription(s.bastion)} → ${hopDescription(s.endpoint)} → 127.0.0.1:${s.cluster.port}`);
    expect(result.stdout).toContain('✗ broke at hop 2 of 2 (tunnel endpoint');
    const json = JSON.parse((await cli(['topology', INST, '--json'])).stdout) as { installations: Array<{ servers: Array<{ name: string; route?: unknown; routeBreak?: { code: string } }> }> };
    const servers = json.installations[0]!.servers;
    expect(servers.find((s) => s.name === 'mls')!.route).toBeDefined();
    expect(servers.find((s) => s.name === 'rls2')!.routeBreak?.code).toBe('host-key-mismatch');
  });
});
