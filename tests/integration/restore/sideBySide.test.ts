// The side-by-side restore (the default where possible; asked here as `restore --side-by-side`) through the CLI, in both layouts
// (rls1 in its own database on cluster b, rls2 in the master's shared database on cluster a):
// the replicas keep running through the dump and the shadow restore; after the swap each
// replica's schema has the master's data as a live replica, its previous schema is kept with
// the old data, the master is untouched, and the record has mode, downtime and kept schema. A
// kill during the shadow restore leaves the running replica untouched; `runs resume` finishes.
// A shadow schema left by another run is refused by the preflight and never dropped, also when
// no mode was asked (the default does not fall back to in-place, which would drop the replica's
// schema while a resumable shadow exists); only --in-place ignores it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt } from '../../harness/cli';
import { startRestoreEnvironment, type RestoreEnvironment } from '../../harness/restoreEnvironment';
import { expectLiveReplicaAtHead, startRestore, stepOf, waitForStep } from '../faults/faultRun';
import { keptSchemaName } from '../../../src/main/core/restore/sideBySideNames';

const NAMES = ['rls1', 'rls2'] as const;
type Name = (typeof NAMES)[number];

let env: RestoreEnvironment;
let masterBefore: string;

beforeAll(async () => {
  assertCliBuilt();
  // Large enough that the dump and the shadow restore are seen while they run.
  env = await startRestoreEnvironment({ withoutSsh: true, master: { sizeMb: 40 } });
  masterBefore = await env.masterFingerprint();
}, 180_000);
afterAll(async () => env?.stop());

const fingerprint = (name: Name, schema?: string) => env.replicaFingerprint(name, schema);
const query = <T extends Record<string, unknown>>(name: Name, sql: string, params: unknown[] = []) => env.replicaQuery<T>(name, sql, params);
const schemasLike = async (name: Name, pattern: string) =>
  (await query<{ s: string }>(name, 'SELECT nspname AS s FROM pg_namespace WHERE nspname LIKE $1 ORDER BY 1', [pattern])).map((r) => r.s);

const serving = (name: Name) => env.serving(name);

/** The table parts of a fingerprint (`table:md5`), without the two tables the fix-ups change on purpose. */
const dataParts = (fp: string) => fp.split('#')[0]!.split(';').filter((p) => !/^(system|cmlicenses):/i.test(p));

describe('side-by-side restore through the CLI', () => {
  let record: any;
  const before: Partial<Record<Name, string>> = {};

  it('dry run: names the mode, why, the downtime window and the exact swap SQL, and changes nothing', async () => {
    const dry = await env.cli(['restore', env.installation, '--side-by-side', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('Mode: side-by-side');
    expect(dry.stdout).toMatch(/rls1: steps \d+–\d+/);
    expect(dry.stdout).toContain('ALTER SCHEMA "cm_rls1" RENAME TO "cm_rls1__rd_prev_<runtag>"');
    expect(dry.stdout).toContain('ALTER SCHEMA "cm_rls1__rd_new" RENAME TO "cm_rls1"');
    expect(dry.stdout).toMatch(/No leftover shadow schema cm_rls2__rd_new/);
    expect(dry.stdout).toMatch(/room-for-shadow|shadow schema needs about|Free space for the shadow schema is unknown/);
    expect(await schemasLike('rls1', 'cm_rls1__%')).toEqual([]);
  }, 60_000);

  it('restores while the replicas serve, then swaps: the replica has the master\'s data, the old schema is kept', async () => {
    for (const name of NAMES) before[name] = await fingerprint(name);
    // Cheap enough to sample often: the replica's schema is the same object as before (its OID).
    const schemaOid = async (name: Name) => (await query<{ oid: string }>(name, 'SELECT oid::text FROM pg_namespace WHERE nspname = $1', [env.replicaCluster(name).schema]))[0]?.oid;
    const oidBefore: Partial<Record<Name, string | undefined>> = {};
    for (const name of NAMES) oidBefore[name] = await schemaOid(name);
    // Sample each replica all through the run; afterwards, every sample taken inside the dump
    // and inside its shadow steps must show it serving, with its own schema untouched.
    const samples: Array<{ name: Name; from: number; to: number; serving: boolean; untouched: boolean }> = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        for (const name of NAMES) {
          const from = Date.now();
          const [up, nsp] = [await serving(name), await schemaOid(name)];
          samples.push({ name, from, to: Date.now(), serving: up, untouched: nsp === oidBefore[name] });
        }
      }
    })();
    const run = startRestore(env, ['--side-by-side']);
    const result = await run.done;
    sampling = false;
    await sampler;
    if (result.code !== 0) console.error(result.stderr);
    expect(result.code).toBe(0);
    record = JSON.parse(result.stdout);
    const within = (name: Name, step: any) => samples.filter((x) => x.name === name && x.from >= Date.parse(step.startedAt) && x.to <= Date.parse(step.finishedAt));
    for (const name of NAMES) {
      for (const step of [stepOf(record, 'dump-master', null), stepOf(record, 'restore-shadow', name), stepOf(record, 'fixups-shadow', name), stepOf(record, 'verify-shadow', name)]) {
        const seen = within(name, step);
        if (step.id !== 'fixups-shadow' && step.id !== 'verify-shadow') expect(seen.length, `samples of ${name} during ${step.id}`).toBeGreaterThan(0);
        for (const x of seen) expect(x, `${name} during ${step.id}`).toMatchObject({ serving: true, untouched: true });
      }
      // The step itself saw it running when it began.
      expect(stepOf(record, 'restore-shadow', name).captured.replicaStatusAtStart).toBe('running');
    }
    expect(record.status).toBe('succeeded');
    expect(record.mode).toBe('side-by-side');
    expect(record.steps.filter((s: any) => s.id === 'drop-schema')).toEqual([]);
    for (const s of record.steps) expect(s.status, `${s.id} ${s.replica}: ${s.message}`).toBe('done');
    // Each replica was stopped only after its shadow was verified.
    for (const name of NAMES) {
      const at = (id: string) => Date.parse(stepOf(record, id, name).startedAt);
      expect(at('stop-replica')).toBeGreaterThanOrEqual(Date.parse(stepOf(record, 'verify-shadow', name).finishedAt));
      expect(at('swap')).toBeGreaterThanOrEqual(Date.parse(stepOf(record, 'stop-replica', name).finishedAt));
    }
  }, 300_000);

  it('leaves each replica a live replica with the master\'s data, at the snapshot head, and keeps the old schema whole', async () => {
    const master = await env.masterFingerprint();
    for (const name of NAMES) {
      const { schema } = env.replicaCluster(name);
      const r = record.replicas.find((x: any) => x.replica === `${env.installation}/${name}`);
      expect(r.status).toBe('succeeded');
      expect(r.keptSchema).toMatch(new RegExp(`^${schema}__rd_prev_[0-9a-f]{8}$`));
      // Stop requested → running again: a number, within the run's own duration.
      expect(typeof r.downtimeMs).toBe('number');
      expect(r.downtimeMs).toBeGreaterThan(0);
      expect(r.downtimeMs).toBeLessThan(Date.parse(record.finishedAt) - Date.parse(record.createdAt));

      expect(dataParts(await fingerprint(name))).toEqual(dataParts(master));
      await expectLiveReplicaAtHead(env, name);
      expect((await query<{ n: number }>(name, `SELECT count(*)::int AS n FROM "${schema}".cmlicenses`))[0]!.n).toBe(0);
      const owners = await query<{ o: string }>(name, `SELECT DISTINCT pg_get_userbyid(c.relowner) AS o FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1`, [schema]);
      expect(owners.map((o) => o.o)).toEqual([schema]);
      expect((await query<{ o: string }>(name, 'SELECT pg_get_userbyid(nspowner) AS o FROM pg_namespace WHERE nspname = $1', [schema]))[0]!.o).toBe(schema);
      // The previous schema is kept, with the old data; no shadow is left.
      expect(await fingerprint(name, r.keptSchema)).toBe(before[name]);
      expect(await schemasLike(name, `${schema}__rd_new`)).toEqual([]);
      expect(await serving(name)).toBe(true);
    }
    expect(await env.masterFingerprint()).toBe(masterBefore);
    // The shared database holds the master's schema beside the replica's: it is still a publication server.
    const masterType = await env.a.query<{ content: string }>(`SELECT content FROM cm_master.system WHERE property = 'repository_server_type'`, [], 'coremedia');
    expect(masterType.rows.map((x) => x.content)).toEqual(['publication']);

    const shown = await env.cli(['runs', 'show', record.runId]);
    expect(shown.stdout).toContain('side-by-side');
    expect(shown.stdout).toMatch(/rls1: succeeded \(downtime \d+\.\d s; previous schema kept as cm_rls1__rd_prev_[0-9a-f]{8} \([\d.]+ [kMG]?B\)\)/);
  }, 120_000);

  it('kill -9 during the shadow restore leaves the running replica untouched; runs resume finishes the swap', async () => {
    const fpBefore = { rls1: await fingerprint('rls1'), rls2: await fingerprint('rls2') };
    const run = startRestore(env, ['--side-by-side']);
    const runId = await waitForStep(env, 'restore-shadow', { replica: 'rls1', timeoutMs: 120_000 });
    // Kill while psql is inside the shadow's one transaction.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && (await query<{ n: number }>('rls1', "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE 'replica-desk-restore-%'"))[0]!.n === 0) {
      await new Promise((r) => setTimeout(r, 50));
    }
    run.child.kill('SIGKILL');
    expect((await run.done).signal).toBe('SIGKILL');
    const shown = JSON.parse((await env.cli(['runs', 'show', runId, '--json'])).stdout);
    expect(shown.interrupted).toBe(true);
    expect(shown.resumable).toBe(true);
    expect(stepOf(shown, 'restore-shadow', 'rls1').status).toBe('running');
    expect(stepOf(shown, 'stop-replica', 'rls1').status).toBe('pending');
    for (const name of NAMES) {
      expect(await serving(name), `${name} after the kill`).toBe(true);
      expect(await fingerprint(name)).toBe(fpBefore[name]);
    }
    // The killed transaction leaves no half shadow: its session ends and everything rolls back.
    const gone = Date.now() + 15_000;
    while (Date.now() < gone && (await schemasLike('rls1', 'cm_rls1__rd_new')).length > 0) await new Promise((r) => setTimeout(r, 100));
    expect(await schemasLike('rls1', 'cm_rls1__rd_new')).toEqual([]);

    const resumed = await env.cli(['runs', 'resume', runId, '--yes', '--json']);
    if (resumed.code !== 0) console.error(resumed.stderr);
    expect(resumed.code).toBe(0);
    const done = JSON.parse(resumed.stdout);
    expect(done.status).toBe('succeeded');
    expect(done.mode).toBe('side-by-side');
    for (const name of NAMES) {
      const r = done.replicas.find((x: any) => x.replica === `${env.installation}/${name}`);
      expect(r.status).toBe('succeeded');
      expect(typeof r.downtimeMs).toBe('number');
      // The schema before this run (the first run's restore) is the one kept now.
      expect(await fingerprint(name, r.keptSchema)).toBe(fpBefore[name]);
      expect(await serving(name)).toBe(true);
    }
    expect(await env.masterFingerprint()).toBe(masterBefore);
  }, 360_000);

  it('a swap refused after the stop: compensation starts the replica on its untouched schema; the resume swaps', async () => {
    const fpBefore = await fingerprint('rls1');
    const run = startRestore(env, ['--side-by-side']);
    const runId = await waitForStep(env, 'restore-shadow', { replica: 'rls1', timeoutMs: 120_000 });
    // A DBA's schema already has the name the run keeps rls1's current schema under.
    const kept = keptSchemaName('cm_rls1', runId);
    await env.b.query(`CREATE SCHEMA ${kept}`, [], 'cm_rls1');
    const result = await run.done;
    expect(result.code).not.toBe(0);
    const failed = JSON.parse(result.stdout);
    expect(failed.status).toBe('failed');
    expect(failed.replicas.find((r: any) => r.replica.endsWith('/rls1')).message).toContain(kept);
    expect(failed.compensation).toEqual([expect.objectContaining({ action: 'start-replica', target: `${env.installation}/rls1`, outcome: 'done' })]);
    // Started again on its own schema, untouched; the verified shadow waits for the resume.
    expect(await serving('rls1')).toBe(true);
    expect(await fingerprint('rls1')).toBe(fpBefore);
    expect(await schemasLike('rls1', 'cm_rls1__rd_new')).toEqual(['cm_rls1__rd_new']);
    expect(['stop-replica', 'swap', 'start-replica'].map((id) => stepOf(failed, id, 'rls1').status)).toEqual(['pending', 'pending', 'pending']);
    expect(failed.replicas.find((r: any) => r.replica.endsWith('/rls2')).status).toBe('succeeded');

    await env.b.query(`DROP SCHEMA ${kept}`, [], 'cm_rls1');
    const resumed = await env.cli(['runs', 'resume', runId, '--yes', '--json']);
    if (resumed.code !== 0) console.error(resumed.stderr);
    expect(resumed.code).toBe(0);
    const done = JSON.parse(resumed.stdout);
    expect(done.status).toBe('succeeded');
    expect(stepOf(done, 'restore-shadow', 'rls1').status).toBe('done');
    const r = done.replicas.find((x: any) => x.replica.endsWith('/rls1'));
    expect(r.keptSchema).toBe(kept);
    expect(await fingerprint('rls1', kept)).toBe(fpBefore);
    expect(await serving('rls1')).toBe(true);
    expect(await env.masterFingerprint()).toBe(masterBefore);
  }, 360_000);

  it('refuses to start beside a shadow schema another run left, naming that run, and never drops it', async () => {
    await env.b.query(`CREATE SCHEMA cm_rls1__rd_new AUTHORIZATION cm_rls1`, [], 'cm_rls1');
    await env.b.query(`COMMENT ON SCHEMA cm_rls1__rd_new IS 'replica-desk shadow of run 20260101-000000-abcdef'`, [], 'cm_rls1');
    const dry = await env.cli(['restore', env.installation, '--side-by-side', '--dry-run', '--json']);
    expect(dry.code).not.toBe(0);
    const out = JSON.parse(dry.stdout);
    const finding = out.preflight.find((f: any) => f.check === 'leftover-shadow' && f.server === `${env.installation}/rls1`);
    expect(finding).toMatchObject({ ok: false, severity: 'error' });
    expect(finding.message).toContain('run 20260101-000000-abcdef');
    expect(finding.hint).toContain('replica-desk runs resume 20260101-000000-abcdef');
    const real = await env.cli(['restore', env.installation, '--side-by-side', '--yes', '--json']);
    expect(real.code).not.toBe(0);
    expect(await schemasLike('rls1', 'cm_rls1__rd_new')).toEqual(['cm_rls1__rd_new']);
    // Without a mode, the default blocks too, and says to resume or clean up.
    const auto = await env.cli(['restore', env.installation, '--dry-run', '--json']);
    expect(auto.code).not.toBe(0);
    const autoOut = JSON.parse(auto.stdout);
    expect(autoOut.plan.mode).toBe('side-by-side');
    expect(autoOut.plan.modeReason).toContain('blocked');
    expect(autoOut.plan.modeReason).toContain('Resume that run or clean up');
    expect(autoOut.preflight.find((f: any) => f.check === 'leftover-shadow' && f.server === `${env.installation}/rls1`)).toMatchObject({ ok: false, severity: 'error' });
    expect(await schemasLike('rls1', 'cm_rls1__rd_new')).toEqual(['cm_rls1__rd_new']);
    // The in-place mode, asked for, is not blocked by it, but says it leaves it in place (inPlaceBesideShadow.test.ts goes on).
    const inPlaceRun = await env.cli(['restore', env.installation, '--in-place', '--dry-run', '--json']);
    expect(inPlaceRun.code).toBe(0);
    const inPlace = JSON.parse(inPlaceRun.stdout);
    expect(inPlace.preflight.find((f: any) => f.check === 'leftover-shadow' && f.server === `${env.installation}/rls1`)).toMatchObject({ ok: false, severity: 'warning', message: expect.stringContaining('the in-place restore leaves it in place') });
    await env.b.query('DROP SCHEMA cm_rls1__rd_new', [], 'cm_rls1');
  }, 120_000);
});
