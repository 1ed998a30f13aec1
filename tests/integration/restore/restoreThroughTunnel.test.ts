// Restores of an installation whose databases are reachable only through SSH: every server's
// db.tunnel goes through a bastion, then a jump host (two real sshds on loopback; the
// bastion may forward only to the jump host, the jump host only to the two clusters). Through
// the CLI, in both layouts (rls1 in its own database on cluster b, rls2 in the master's shared
// database on cluster a): the plan names the route (also with no keychain reachable: keys and pgpass); a wrong host key on the second hop is
// refused by the preflight with the fingerprint and where to pin it, nothing changed; a full
// restore goes through the tunnel (the sshds' logs show the channels, and the run's psql
// session on the replica's cluster is a connection of the jump host's sshd); a tunnel cut in
// the middle of the restore fails the run promptly as tunnel-dropped with the resume
// command, leaves the running replicas untouched, and `runs resume` finishes the run; in
// place, a cut during the dump is compensated (the tunnel reopened, the stopped replicas
// started again) and resumed; a side-by-side run is rolled back through the tunnel.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt } from '../../harness/cli';
import { runShell, startRestoreEnvironment, type RestoreEnvironment } from '../../harness/restoreEnvironment';
import { expectLiveReplicaAtHead, expectNothingLeftBehind, startRestore, stepOf, waitForStep } from '../faults/faultRun';

const NAMES = ['rls1', 'rls2'] as const;
type Name = (typeof NAMES)[number];

let env: RestoreEnvironment;
let masterBefore: string;
const outputs: string[] = [];

beforeAll(async () => {
  assertCliBuilt();
  // Large enough that the shadow restore is seen (and cut) while it runs.
  env = await startRestoreEnvironment({ withoutSsh: true, tunnel: true, privateTmp: true, master: { sizeMb: 40 } });
  masterBefore = await env.masterFingerprint();
}, 180_000);
afterAll(async () => env?.stop());

const bastion = () => env.bastion!;
const fingerprint = (name: Name, schema?: string) => env.replicaFingerprint(name, schema);
const query = <T extends Record<string, unknown>>(name: Name, sql: string, params: unknown[] = []) => env.replicaQuery<T>(name, sql, params);
const serving = (name: Name) => env.serving(name);
/** Channels the jump host opened to each cluster, and the bastion to the jump host. */
const channels = () => ({
  a: bastion().channelsTo(bastion().jump, { host: env.a.host, port: env.a.port }),
  b: bastion().channelsTo(bastion().jump, { host: env.b.host, port: env.b.port }),
  jump: bastion().channelsTo(bastion().bastion, { host: bastion().jump.host, port: bastion().jump.port }),
});
/** Client ports of the run's psql sessions (the shadow restore) on a replica's cluster. */
const restoreSessionPorts = async (name: Name) =>
  (await query<{ port: number }>(name, "SELECT client_port AS port FROM pg_stat_activity WHERE application_name LIKE 'replica-desk-restore-%' AND client_port IS NOT NULL")).map((r) => r.port);

describe('restore through a two-hop SSH tunnel (bastion, jump host)', () => {
  it('dry run: the plan names each database\'s route and the run\'s local forward, and changes nothing', async () => {
    const before = channels();
    const dry = await env.cli(['restore', env.installation, '--dry-run', '--json']);
    outputs.push(dry.stdout, dry.stderr);
    expect(dry.code, dry.stderr).toBe(0);
    const { plan, preflight } = JSON.parse(dry.stdout);
    const hops = [`ssh ${bastion().bastion.user}@127.0.0.1:${bastion().bastion.port}`, `ssh ${bastion().jump.user}@127.0.0.1:${bastion().jump.port}`];
    expect(plan.routes[`${env.installation}/rls1`]).toEqual({
      hops: [
        { role: 'jump host 1', description: hops[0] },
        { role: 'tunnel endpoint', description: hops[1] },
      ],
      target: `127.0.0.1:${env.b.port}`,
    });
    expect(Object.keys(plan.routes).sort()).toEqual(['mls', 'rls1', 'rls2'].map((n) => `${env.installation}/${n}`));
    const restoreShadow = plan.steps.find((s: any) => s.id === 'restore-shadow' && s.replica === 'rls1');
    expect(restoreShadow.actions.find((a: any) => a.kind === 'tool').where).toBe(`127.0.0.1:${env.b.port}/cm_rls1 as cm_rls1 via ${hops.join(' → ')} → 127.0.0.1:${env.b.port}, local forward 127.0.0.1:<ephemeral>`);
    // The preflight reached every database through the tunnel.
    expect(preflight.filter((f: any) => f.check === 'tunnel').map((f: any) => [f.server, f.ok])).toEqual(
      ['mls', 'rls1', 'rls2'].map((n) => [`${env.installation}/${n}`, true]),
    );
    expect(preflight.filter((f: any) => f.check === 'database').every((f: any) => f.ok)).toBe(true);
    // Without TLS, the warning says how far the tunnel protects the password.
    expect(preflight.find((f: any) => f.check === 'password-unencrypted' && f.server === `${env.installation}/rls1`).message).toContain('the SSH tunnel encrypts it as far as 127.0.0.1;');
    // One SSH connection per hop for the whole preflight: the bastion forwarded to the jump host once.
    const after = channels();
    expect(after.jump - before.jump).toBe(1);
    expect(after.a - before.a).toBeGreaterThan(0);
    expect(after.b - before.b).toBeGreaterThan(0);

    const text = await env.cli(['restore', env.installation, '--dry-run']);
    expect(text.stdout).toContain('Database routes (SSH tunnels, opened by the run and closed at its end)');
    expect(text.stdout).toContain(`${env.installation}/rls2: via ${hops.join(' → ')} → 127.0.0.1:${env.a.port}, local forward 127.0.0.1:<ephemeral>`);
    // Nothing of the preflight's tunnels stays open.
    await expect.poll(() => bastion().sessionPids(bastion().jump).length).toBe(0);
  }, 120_000);

  it('without a keychain (no Secret Service reachable), the hops log in with their keys and the passwords come from pgpass', async () => {
    const dry = await env.cli(['restore', env.installation, '--dry-run', '--json'], { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus', DISPLAY: '' });
    outputs.push(dry.stdout, dry.stderr);
    expect(dry.code, dry.stderr).toBe(0);
    const { preflight } = JSON.parse(dry.stdout);
    expect(preflight.filter((f: any) => f.check === 'tunnel').every((f: any) => f.ok)).toBe(true);
    expect(preflight.filter((f: any) => f.check === 'database').every((f: any) => f.ok)).toBe(true);
  }, 60_000);

  it('a wrong host key on the second hop: the preflight refuses with its fingerprint and where to pin it; nothing is changed', async () => {
    const home = mkdtempSync(join(env.dir, 'home-wrong-key-'));
    const profile = JSON.parse(readFileSync(env.profileFile, 'utf8'));
    const rls1 = profile.installations[0].servers.findIndex((s: any) => s.name === 'rls1');
    profile.installations[0].servers[rls1].db.tunnel.hostKey = bastion().bastion.hostKeyFingerprint;
    const file = join(env.dir, 'profiles-wrong-key.json');
    writeFileSync(file, JSON.stringify(profile));
    const cli = (args: string[]) => env.cli(args, { REPLICA_DESK_HOME: home });
    expect((await cli(['profiles', 'import', file, '--approve-commands'])).code).toBe(0);
    const before = { rls1: await fingerprint('rls1'), rls2: await fingerprint('rls2') };

    const refused = await cli(['restore', env.installation, '--yes', '--json']);
    outputs.push(refused.stdout, refused.stderr);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${env.installation}/rls1: SSH hop 2 of 2 (tunnel endpoint, ssh ${bastion().jump.user}@127.0.0.1:${bastion().jump.port}) failed`);
    expect(refused.stderr).toContain(bastion().jump.hostKeyFingerprint);
    expect(refused.stderr).toContain(`servers[${rls1}] ("rls1") → db.tunnel.hostKey`);
    expect(JSON.parse(refused.stdout).error.code).toBe('preflight-failed');
    // The dry run shows the same finding.
    const dry = JSON.parse((await cli(['restore', env.installation, '--dry-run', '--json'])).stdout);
    const finding = dry.preflight.find((f: any) => f.check === 'tunnel' && !f.ok);
    expect(finding).toMatchObject({ server: `${env.installation}/rls1`, severity: 'error' });
    expect(finding.message).toMatch(/host key/);
    expect(finding.hint).toContain('db.tunnel.hostKey');
    // No run, no change.
    expect(JSON.parse((await cli(['runs', 'list', '--json'])).stdout).runs).toEqual([]);
    for (const name of NAMES) {
      expect(await fingerprint(name)).toBe(before[name]);
      expect(await serving(name)).toBe(true);
    }
    expect(await env.masterFingerprint()).toBe(masterBefore);
  }, 120_000);

  it('restores both layouts through the tunnel: the replica\'s psql session is a connection of the jump host\'s sshd', async () => {
    const before = channels();
    const run = startRestore(env);
    await waitForStep(env, 'restore-shadow', { replica: 'rls1', timeoutMs: 120_000 });
    // While psql streams the shadow restore, its connection to cluster b comes from the jump host's sshd session.
    let owners: number[] = [];
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && owners.length === 0) {
      for (const port of await restoreSessionPorts('rls1')) {
        const pid = bastion().ownerOfLocalPort(port);
        if (pid !== null) owners.push(pid);
      }
      if (owners.length === 0) await new Promise((r) => setTimeout(r, 25));
    }
    const jumpSessions = bastion().sessionPids(bastion().jump);
    const result = await run.done;
    outputs.push(result.stdout, result.stderr);
    if (result.code !== 0) console.error(result.stderr);
    expect(result.code).toBe(0);
    expect(owners.length).toBeGreaterThan(0);
    owners = [...new Set(owners)];
    for (const pid of owners) expect(jumpSessions, `pid ${pid} owns the restore's connection`).toContain(pid);

    const record = JSON.parse(result.stdout);
    expect(record.status).toBe('succeeded');
    for (const s of record.steps) expect(s.status, `${s.id} ${s.replica}: ${s.message}`).toBe('done');
    // One connection per hop for the preflight and one for the run (the preflight's tunnels
    // close before the plan is confirmed): the bastion forwarded to the jump host twice; the
    // jump host carried every database connection.
    const after = channels();
    expect(after.jump - before.jump).toBe(2);
    expect(after.a - before.a).toBeGreaterThan(1);
    expect(after.b - before.b).toBeGreaterThan(1);

    const master = await env.masterFingerprint();
    expect(master).toBe(masterBefore);
    for (const name of NAMES) {
      await expectLiveReplicaAtHead(env, name);
      const dataParts = (fp: string) => fp.split('#')[0]!.split(';').filter((p) => !/^(system|cmlicenses):/i.test(p));
      expect(dataParts(await fingerprint(name))).toEqual(dataParts(master));
      expect(await serving(name)).toBe(true);
    }
    // The master's live schema beside rls2's in the shared database is still the publication server.
    const masterType = await env.a.query<{ content: string }>(`SELECT content FROM cm_master.system WHERE property = 'repository_server_type'`, [], 'coremedia');
    expect(masterType.rows.map((x) => x.content)).toEqual(['publication']);
    // The run closed its tunnels.
    await expect.poll(() => bastion().sessionPids(bastion().jump).length).toBe(0);
    await expect.poll(() => bastion().sessionPids(bastion().bastion).length).toBe(0);
  }, 300_000);

  it('the tunnel cut during the restore: the run fails promptly as tunnel-dropped with the resume command; runs resume finishes', async () => {
    const before = { rls1: await fingerprint('rls1'), rls2: await fingerprint('rls2') };
    const run = startRestore(env);
    const runId = await waitForStep(env, 'restore-shadow', { replica: 'rls1', timeoutMs: 120_000 });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && (await restoreSessionPorts('rls1')).length === 0) await new Promise((r) => setTimeout(r, 25));
    expect((await restoreSessionPorts('rls1')).length).toBeGreaterThan(0);
    const cutAt = Date.now();
    bastion().cutJump();
    const result = await run.done;
    const tookMs = Date.now() - cutAt;
    outputs.push(result.stdout, result.stderr);
    expect(result.code).toBe(1);
    // No long timeout: the forwards closed with the hop, the tools failed at once.
    expect(tookMs).toBeLessThan(30_000);
    const record = JSON.parse(result.stdout);
    expect(record.status).toBe('failed');
    expect(record.resumable).toBe(true);
    const failed = record.steps.filter((s: any) => s.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    for (const step of failed) {
      expect(step.message, `${step.id} ${step.replica}`).toMatch(/^The SSH tunnel dropped at hop \d of 2/);
      expect(step.message).toContain(`replica-desk runs resume ${runId}`);
    }
    expect(stepOf(record, 'restore-shadow', 'rls1').status).toBe('failed');
    // Side by side, the replicas kept serving on their own schemas; nothing was stopped.
    for (const name of NAMES) {
      expect(stepOf(record, 'stop-replica', name).status).toBe('pending');
      expect(await serving(name), `${name} after the cut`).toBe(true);
      expect(await fingerprint(name)).toBe(before[name]);
    }
    expect(await env.masterFingerprint()).toBe(masterBefore);

    // The jump host's listener still accepts: the resume opens a new tunnel and finishes.
    const resumed = await env.cli(['runs', 'resume', runId, '--yes', '--json']);
    outputs.push(resumed.stdout, resumed.stderr);
    if (resumed.code !== 0) console.error(resumed.stderr);
    expect(resumed.code).toBe(0);
    const done = JSON.parse(resumed.stdout);
    expect(done.status).toBe('succeeded');
    for (const name of NAMES) {
      const r = done.replicas.find((x: any) => x.replica === `${env.installation}/${name}`);
      expect(r.status).toBe('succeeded');
      expect(await fingerprint(name, r.keptSchema)).toBe(before[name]);
      expect(await serving(name)).toBe(true);
    }
    expect(await env.masterFingerprint()).toBe(masterBefore);
    await expect.poll(() => bastion().sessionPids(bastion().jump).length).toBe(0);
  }, 360_000);

  it('in place, the tunnel cut during the dump: compensation reopens it and starts the stopped replicas again; runs resume finishes', async () => {
    const before = { rls1: await fingerprint('rls1'), rls2: await fingerprint('rls2') };
    const run = startRestore(env, ['--in-place']);
    const runId = await waitForStep(env, 'dump-master', { timeoutMs: 120_000 });
    const dumping = async () => (await env.a.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'replica-desk-dump'")).rows[0]!.n;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && (await dumping()) === 0) await new Promise((r) => setTimeout(r, 25));
    expect(await dumping()).toBeGreaterThan(0);
    // Both replicas were stopped for the in-place run before the dump.
    for (const name of NAMES) expect(await runShell(env.control[name].status)).not.toBe(0);
    bastion().cutJump();
    const result = await run.done;
    outputs.push(result.stdout, result.stderr);
    expect(result.code).toBe(1);
    const record = JSON.parse(result.stdout);
    expect(record.status).toBe('failed');
    expect(stepOf(record, 'dump-master', null).message).toMatch(/^The SSH tunnel dropped at hop \d of 2/);
    expect(stepOf(record, 'dump-master', null).message).toContain(`replica-desk runs resume ${runId}`);
    // Compensation went on: the tunnel reopened, each replica's lock taken again, its start command run on its host.
    for (const name of NAMES) {
      expect(record.compensation.find((c: any) => c.target === `${env.installation}/${name}`)).toMatchObject({ action: 'start-replica', outcome: 'done' });
      expect(stepOf(record, 'drop-schema', name).status).toBe('pending');
      expect(await serving(name), `${name} after the compensation`).toBe(true);
      expect(await fingerprint(name)).toBe(before[name]);
    }

    const resumed = await env.cli(['runs', 'resume', runId, '--yes', '--json']);
    outputs.push(resumed.stdout, resumed.stderr);
    if (resumed.code !== 0) console.error(resumed.stderr);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout).status).toBe('succeeded');
    for (const name of NAMES) {
      await expectLiveReplicaAtHead(env, name);
      expect(await serving(name)).toBe(true);
    }
    expect(await env.masterFingerprint()).toBe(masterBefore);
    await expect.poll(() => bastion().sessionPids(bastion().jump).length).toBe(0);
  }, 360_000);

  it('rolls a side-by-side run back through the tunnel: each replica on its previous schema again, the restored one kept aside, the tunnels closed', async () => {
    const schema = (name: Name) => env.replicaCluster(name).schema;
    const oidOf = async (name: Name, nsp: string) => (await query<{ oid: string }>(name, 'SELECT oid::text FROM pg_namespace WHERE nspname = $1', [nsp]))[0]?.oid ?? null;
    const before = { rls1: { fp: await fingerprint('rls1'), oid: await oidOf('rls1', schema('rls1')) }, rls2: { fp: await fingerprint('rls2'), oid: await oidOf('rls2', schema('rls2')) } };
    const restored = await startRestore(env, ['--side-by-side']).done;
    outputs.push(restored.stdout, restored.stderr);
    expect(restored.code, restored.stderr).toBe(0);
    const runId = JSON.parse(restored.stdout).runId as string;
    const restoredOid = { rls1: await oidOf('rls1', schema('rls1')), rls2: await oidOf('rls2', schema('rls2')) };
    for (const name of NAMES) expect(restoredOid[name]).not.toBe(before[name].oid);

    const channelsBefore = channels();
    const rollback = await env.cli(['runs', 'rollback', runId, '--yes']);
    outputs.push(rollback.stdout, rollback.stderr);
    if (rollback.code !== 0) console.error(rollback.stderr);
    expect(rollback.code).toBe(0);
    // Its plan names each replica database's route, and its SQL runs through it.
    const hops = `ssh ${bastion().bastion.user}@127.0.0.1:${bastion().bastion.port} → ssh ${bastion().jump.user}@127.0.0.1:${bastion().jump.port}`;
    expect(rollback.stderr).toContain('Database routes (SSH tunnels, opened by the run and closed at its end)');
    expect(rollback.stderr).toContain(`${env.installation}/rls1: via ${hops} → 127.0.0.1:${env.b.port}, local forward 127.0.0.1:<ephemeral>`);
    expect(rollback.stderr).toContain(`${env.installation}/rls2: via ${hops} → 127.0.0.1:${env.a.port}, local forward 127.0.0.1:<ephemeral>`);
    expect(rollback.stderr).toMatch(/sql +127\.0\.0\.1:\d+\/cm_rls1 as cm_rls1 via ssh .* local forward 127\.0\.0\.1:<ephemeral>: ALTER SCHEMA/);
    const newest = JSON.parse((await env.cli(['runs', 'list', '--json', '--limit', '1'])).stdout).runs[0].runId;
    const record = JSON.parse((await env.cli(['runs', 'show', newest, '--json'])).stdout);
    expect(record).toMatchObject({ status: 'succeeded', kind: 'rollback', rollbackOf: runId });
    // Its preflight and its run reached the databases through the jump host.
    const channelsAfter = channels();
    expect(channelsAfter.jump - channelsBefore.jump).toBeGreaterThanOrEqual(2);
    expect(channelsAfter.a - channelsBefore.a).toBeGreaterThan(0);
    expect(channelsAfter.b - channelsBefore.b).toBeGreaterThan(0);
    for (const name of NAMES) {
      // The very schema the replica had before the run is its schema again, its data whole.
      expect(await oidOf(name, schema(name))).toBe(before[name].oid);
      expect(await fingerprint(name)).toBe(before[name].fp);
      const kept = record.replicas.find((r: any) => r.replica === `${env.installation}/${name}`).kept;
      expect(kept).toMatchObject({ kind: 'undone', state: 'kept' });
      expect(await oidOf(name, kept.schema)).toBe(restoredOid[name]);
      expect(await serving(name)).toBe(true);
    }
    expect(await env.masterFingerprint()).toBe(masterBefore);
    await expect.poll(() => bastion().sessionPids(bastion().jump).length).toBe(0);
    await expect.poll(() => bastion().sessionPids(bastion().bastion).length).toBe(0);
    expectNothingLeftBehind(env, outputs);
  }, 360_000);
});
