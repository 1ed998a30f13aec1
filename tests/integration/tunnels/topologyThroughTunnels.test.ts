// Topology probes through SSH tunnels, against two real OpenSSH servers on loopback (a
// bastion and a tunnel endpoint behind it) and real PostgreSQL: servers behind the same hops
// share one connection per hop, the route is in the snapshot, and each way a route breaks
// is said at the right hop (a wrong or unknown host key on hop 2, a hop 1 that accepts TCP
// and never answers, a database the last hop cannot reach) while the others are unaffected.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeTopology } from '../../../src/main/core/topology/probeTopology';
import type { ProbeDeps } from '../../../src/main/core/topology/probeServer';
import { InstallationSchema } from '../../../src/shared/profiles';
import type { ServerProbe, TopologySnapshot } from '../../../src/shared/topology';
import { createContentServer } from '../../harness/coremedia/contentServerDatabase';
import { closedPort } from '../../harness/ports';
import type { Sshd } from '../../harness/sshd';
import { pinnedHop as hop, startTunnelProbeSetting, type TunnelProbeSetting } from '../../harness/tunnelProbes';

const TIMEOUT_MS = 3000;
/** Room for timers on a loaded 2-core machine. */
const SLACK_MS = 600;
const password = `Pw-${randomBytes(9).toString('base64url')}`;

/** PostgreSQL behind the bastion and the tunnel endpoint. */
let s: TunnelProbeSetting;

/** db reached through bastion → endpoint; `second` changes the endpoint hop, `first` the bastion. */
const tunnelled = (name: string, role: string, opts: { port?: number; first?: Record<string, unknown>; second?: Record<string, unknown> } = {}) => ({
  name,
  role: name === 'mls' ? 'master' : 'replica',
  db: {
    host: '127.0.0.1',
    port: opts.port ?? s.cluster.port,
    database: 'coremedia',
    user: role,
    sslmode: 'disable',
    tunnel: { via: 'ssh', ...hop(s.endpoint, opts.second), jumpHosts: [hop(s.bastion, opts.first)] },
  },
});
const direct = (name: string, role: string) => ({
  name,
  role: 'replica',
  db: { host: '127.0.0.1', port: s.cluster.port, database: 'coremedia', user: role, sslmode: 'disable' },
});
const deps = (): ProbeDeps => ({ secretStore: s.keychain.secrets, env: s.env, approvals: { isApproved: () => true } });
const probe = (servers: unknown[]): Promise<TopologySnapshot> =>
  probeTopology(InstallationSchema.parse({ name: `it-tun-${randomBytes(2).toString('hex')}`, servers }), deps(), { timeoutMs: TIMEOUT_MS });
const byName = (snapshot: TopologySnapshot, name: string): ServerProbe => snapshot.servers.find((s) => s.name === name)!;
/** sshd forks a process per open session. ps exits 1 when it lists nothing. */
const openSessions = (sshd: Sshd): number => {
  const pid = readFileSync(join(dirname(sshd.logFile), 'sshd.pid'), 'utf8').trim();
  return (spawnSync('ps', ['--ppid', pid, '-o', 'pid='], { encoding: 'utf8' }).stdout ?? '').split('\n').filter((l) => l.trim()).length;
};
const acceptedLogins = (sshd: Sshd): number => (readFileSync(sshd.logFile, 'utf8').match(/Accepted publickey/g) ?? []).length;

beforeAll(async () => {
  s = await startTunnelProbeSetting([`*:*:*:*:${password}`]);
  const base = { layout: 'shared-database' as const, database: 'coremedia', password };
  await createContentServer(s.cluster, { ...base, role: 'cm_master', serverType: 'publication' });
  await createContentServer(s.cluster, { ...base, role: 'cm_rls1', serverType: 'live' });
});

afterAll(async () => {
  await s?.stop();
});

describe('topology through a two-hop SSH route', () => {
  it('probes the servers behind it over one connection per hop, and shows the route', async () => {
    const before = { bastion: acceptedLogins(s.bastion), endpoint: acceptedLogins(s.endpoint) };
    const snapshot = await probe([tunnelled('mls', 'cm_master'), tunnelled('rls1', 'cm_rls1'), direct('rls2', 'cm_rls1')]);
    const mls = byName(snapshot, 'mls');
    expect(mls.database).toMatchObject({ reachable: true, error: null, serverType: 'publication' });
    expect(byName(snapshot, 'rls1').database).toMatchObject({ reachable: true, error: null, serverType: 'live' });
    expect(mls.route).toEqual({
      hops: [
        { role: 'jump host 1', description: `ssh ${s.bastion.user}@127.0.0.1:${s.bastion.port}` },
        { role: 'tunnel endpoint', description: `ssh ${s.endpoint.user}@127.0.0.1:${s.endpoint.port}` },
      ],
      target: `127.0.0.1:${s.cluster.port}`,
    });
    expect(mls.routeBreak).toBeUndefined();
    // The directly reached server has no route.
    expect(byName(snapshot, 'rls2').route).toBeUndefined();
    expect(snapshot.flags.filter((f) => f.code === 'unreachable')).toEqual([]);
    // Two servers, one login per hop: the pool was shared; and the tunnel really carried them.
    expect(acceptedLogins(s.bastion) - before.bastion).toBe(1);
    expect(acceptedLogins(s.endpoint) - before.endpoint).toBe(1);
    // The probe closed its tunnels when it ended.
    await expect.poll(() => openSessions(s.endpoint)).toBe(0);
    await expect.poll(() => openSessions(s.bastion)).toBe(0);
  });

  it('goes through the server’s own SSH host (via "host", after the host’s jump hosts)', async () => {
    const viaHost = {
      name: 'mls',
      role: 'master',
      host: { access: 'ssh', ...hop(s.endpoint), jumpHosts: [hop(s.bastion)] },
      db: { host: '127.0.0.1', port: s.cluster.port, database: 'coremedia', user: 'cm_master', sslmode: 'disable', tunnel: { via: 'host' } },
    };
    const mls = byName(await probe([viaHost]), 'mls');
    expect(mls.database).toMatchObject({ reachable: true, serverType: 'publication' });
    expect(mls.route!.hops.map((h) => h.role)).toEqual(['jump host 1', 'server host']);
  });

  it('says hop 2 has the wrong host key, and the database is unreachable for that reason', async () => {
    const snapshot = await probe([tunnelled('mls', 'cm_master'), tunnelled('rls1', 'cm_rls1', { second: { hostKey: s.bastion.hostKeyFingerprint } })]);
    const rls1 = byName(snapshot, 'rls1');
    expect(rls1.routeBreak).toMatchObject({ hopIndex: 1, hopCount: 2, code: 'host-key-mismatch' });
    expect(rls1.routeBreak!.message).toContain('SSH hop 2 of 2 (tunnel endpoint');
    expect(rls1.routeBreak!.message).toContain(s.endpoint.hostKeyFingerprint);
    expect(rls1.database).toMatchObject({ reachable: false, error: { code: 'host-key-mismatch' } });
    expect(snapshot.flags.find((f) => f.code === 'unreachable' && f.servers.includes('rls1'))?.message).toContain('SSH hop 2 of 2');
    // The master behind the right key is fine.
    expect(byName(snapshot, 'mls').database.reachable).toBe(true);
  });

  it('refuses an unknown host key on hop 2 with its SHA256 fingerprint and how to pin it', async () => {
    const snapshot = await probe([tunnelled('mls', 'cm_master', { second: { hostKey: undefined } })]);
    const mls = byName(snapshot, 'mls');
    expect(mls.routeBreak).toMatchObject({ hopIndex: 1, code: 'host-key-unknown' });
    expect(`${mls.routeBreak!.message} ${mls.routeBreak!.hint}`).toContain(s.endpoint.hostKeyFingerprint);
    expect(mls.routeBreak!.hint).toMatch(/hostKey|Fetch host key/);
    expect(mls.database.reachable).toBe(false);
  });

  it('ends the probe of a server whose hop 1 never answers within its deadline; the others are unaffected', async () => {
    const started = performance.now();
    const snapshot = await probe([
      tunnelled('mls', 'cm_master'),
      tunnelled('rls1', 'cm_rls1', { first: { port: s.silent.port, hostKey: s.bastion.hostKeyFingerprint } }),
      direct('rls2', 'cm_rls1'),
    ]);
    const rls1 = byName(snapshot, 'rls1');
    expect(rls1.routeBreak).toMatchObject({ hopIndex: 0, hopCount: 2, code: 'host-unreachable' });
    expect(rls1.routeBreak!.message).toMatch(/SSH hop 1 of 2 \(jump host 1.*no SSH handshake within 3 s/);
    expect(rls1.database.reachable).toBe(false);
    expect(rls1.elapsedMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(rls1.elapsedMs).toBeLessThan(TIMEOUT_MS * 1.1 + SLACK_MS);
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS * 1.1 + SLACK_MS + 1000);
    expect(byName(snapshot, 'mls').database.reachable).toBe(true);
    expect(byName(snapshot, 'rls2').database.reachable).toBe(true);
  });

  it('says the last hop could not reach the database when nothing listens there', async () => {
    const snapshot = await probe([tunnelled('mls', 'cm_master', { port: await closedPort() })]);
    const mls = byName(snapshot, 'mls');
    expect(mls.routeBreak).toMatchObject({ hopIndex: 1, hopCount: 2, code: 'ssh-channel-refused' });
    expect(mls.routeBreak!.message).toMatch(/could not connect onwards to 127\.0\.0\.1:\d+: .*refused/i);
    expect(mls.database).toMatchObject({ reachable: false, error: { code: 'ssh-channel-refused' } });
    expect(snapshot.flags.map((f) => f.code)).toContain('unreachable');
  });
});
