// Rollback and discard of side-by-side runs through the CLI, in both layouts (rls1 in its own
// database on cluster b, rls2 in the master's shared database on cluster a). Two side-by-side
// restores run; rolling back the second puts each replica back on the schema the first one
// left (the same schema object, its data whole), keeps the second's restored schema aside as
// __rd_undone_, and leaves the master untouched; the replicas run again. Refusals exit 2 and
// change nothing: no terminal without --yes, the earlier run while a later one stands, a
// second rollback, a discarded kept schema. A rollback killed mid-way ends, after `runs
// resume`, in exactly one consistent state. `runs discard` then drops the undone schema. A
// swap back refused after the stop: compensation starts the replica on its untouched schema,
// and the resume finishes the rollback. rls1 had a key file of its own before the second run,
// which that run kept aside: the rollback puts it back, keeping the master's beside it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt } from '../../harness/cli';
import { runShell, schemaFingerprint, startRestoreEnvironment, type RestoreEnvironment } from '../../harness/restoreEnvironment';
import { STAND_IN_APPLICATION_NAME } from '../../harness/standInServer';
import { startCli, startRestore, stepOf } from '../faults/faultRun';
import { runTag } from '../../../src/main/core/restore/sideBySideNames';

const NAMES = ['rls1', 'rls2'] as const;
type Name = (typeof NAMES)[number];

let env: RestoreEnvironment;
let masterBefore: string;
/** The two side-by-side runs, oldest first. */
let first: string;
let second: string;
/** rls1's key file (planRestore.keyFileFor), and the key it had before the second run. */
const rls1KeyFile = () => resolve(env.keyFile, '../../../../rls1/etc/keys/cm_rls1.cm_rls1.rijndael');
const RLS1_OWN_KEY = 'the key rls1 had before the second run\n';

const query = async <T extends Record<string, unknown>>(name: Name, sql: string, params: unknown[] = []) => {
  const { cluster, database } = env.replicaCluster(name);
  return (await cluster.query<T>(sql, params, database)).rows;
};
const schemaOf = (name: Name) => env.replicaCluster(name).schema;
const oidOf = async (name: Name, schema: string) => (await query<{ oid: string }>(name, 'SELECT oid::text FROM pg_namespace WHERE nspname = $1', [schema]))[0]?.oid ?? null;
const keptSchemas = async (name: Name) =>
  (await query<{ s: string }>(name, "SELECT nspname AS s FROM pg_namespace WHERE nspname LIKE $1 ORDER BY 1", [`${schemaOf(name)}\\_\\_rd\\_%`])).map((r) => r.s);
const fingerprint = (name: Name, schema = schemaOf(name)) => {
  const { cluster, database } = env.replicaCluster(name);
  return schemaFingerprint(cluster, database, schema);
};
const prev = (name: Name, runId: string) => `${schemaOf(name)}__rd_prev_${runTag(runId)}`;
const undone = (name: Name, runId: string) => `${schemaOf(name)}__rd_undone_${runTag(runId)}`;

async function serving(name: Name): Promise<boolean> {
  const { database } = env.replicaCluster(name);
  const sessions = await query<{ n: number }>(name, 'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = $2', [database, STAND_IN_APPLICATION_NAME]);
  return (await runShell(env.control[name].status)) === 0 && sessions[0]!.n > 0;
}

async function sideBySide(): Promise<string> {
  const result = await startRestore(env, ['--side-by-side']).done;
  if (result.code !== 0) console.error(result.stderr);
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout).runId as string;
}

/**
 * The newest rollback run, once its step `id` of `replica` is running. Read straight from the
 * history's SQLite file every 20 ms (a reader beside the run's writer, WAL): a step of a
 * rollback lasts well under a second, too short for polling through the CLI on a busy machine.
 */
async function waitForRollbackStep(id: string, replica: Name, timeoutMs = 120_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const db = new Database(join(env.home, 'replica-desk.sqlite'), { readonly: true, fileMustExist: true });
      try {
        const row = db
          .prepare(
            `SELECT r.id FROM runs r JOIN run_steps s ON s.run_id = r.id
              WHERE json_extract(r.plan, '$.kind') = 'rollback' AND r.status = 'running' AND s.id = ? AND s.replica = ? AND s.status = 'running'
              ORDER BY r.created_at DESC LIMIT 1`,
          )
          .get(id, replica) as { id: string } | undefined;
        if (row) return row.id;
      } finally {
        db.close();
      }
    } catch {
      // Busy or not there yet: try again.
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`step ${id} of ${replica} never ran`);
}

const show = async (runId: string) => JSON.parse((await env.cli(['runs', 'show', runId, '--json'])).stdout);
const replicaOf = (record: any, name: Name) => record.replicas.find((r: any) => r.replica === `${env.installation}/${name}`);

beforeAll(async () => {
  assertCliBuilt();
  env = await startRestoreEnvironment({ withoutSsh: true });
  masterBefore = await env.masterFingerprint();
  first = await sideBySide();
  writeFileSync(rls1KeyFile(), RLS1_OWN_KEY, { mode: 0o600 });
  second = await sideBySide();
}, 300_000);
afterAll(async () => env?.stop());

describe('runs rollback and runs discard through the CLI', () => {
  it('refuses without a terminal and --yes, and an earlier run while a later one stands: exit 2, nothing changed', async () => {
    const before = { rls1: await keptSchemas('rls1'), rls2: await keptSchemas('rls2') };
    const noTty = await env.cli(['runs', 'rollback', second]);
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toContain('--yes');
    const earlier = await env.cli(['runs', 'rollback', first, '--yes', '--json']);
    expect(earlier.code).toBe(2);
    expect(JSON.parse(earlier.stdout).error).toMatchObject({ code: 'rollback-refused', message: expect.stringContaining(`run ${second}`), hint: expect.stringContaining(`replica-desk runs rollback ${second}`) });
    const unknown = await env.cli(['runs', 'rollback', '20200101-000000-000000', '--yes']);
    expect(unknown.code).toBe(2);
    expect(await keptSchemas('rls1')).toEqual(before.rls1);
    expect(await keptSchemas('rls2')).toEqual(before.rls2);
    for (const name of NAMES) expect(await serving(name)).toBe(true);
    // The history shows what each run keeps, with its size.
    const list = await env.cli(['runs', 'list']);
    expect(list.stdout).toMatch(new RegExp(`${second}.*2 kept, [\\d.]+ [kMG]?B`));
  }, 60_000);

  it('kill -9 mid-way, then runs resume: each replica back on the previous schema, the restored one kept aside, the master untouched', async () => {
    const before: Record<Name, { prevOid: string | null; liveOid: string | null; prevFp: string }> = {} as never;
    for (const name of NAMES) {
      before[name] = { prevOid: await oidOf(name, prev(name, second)), liveOid: await oidOf(name, schemaOf(name)), prevFp: await fingerprint(name, prev(name, second)) };
      expect(before[name].prevOid).not.toBeNull();
    }
    const run = startCli(env, ['runs', 'rollback', second, '--yes', '--json']);
    // Killed while rls2 (the shared database) is being started again, after or around its swap back.
    const rollbackId = await waitForRollbackStep('start-replica', 'rls2');
    run.child.kill('SIGKILL');
    expect((await run.done).signal).toBe('SIGKILL');
    const killed = await show(rollbackId);
    expect(killed).toMatchObject({ kind: 'rollback', rollbackOf: second, interrupted: true, resumable: true });
    // Exactly one of the two states per replica: never both schemas under one name, never neither.
    for (const name of NAMES) {
      const held = await keptSchemas(name);
      const swappedBack = held.includes(undone(name, second)) && !held.includes(prev(name, second));
      const notYet = held.includes(prev(name, second)) && !held.includes(undone(name, second));
      expect(swappedBack !== notYet, `${name}: ${held.join(', ')}`).toBe(true);
      expect(await oidOf(name, schemaOf(name))).toBe(swappedBack ? before[name].prevOid : before[name].liveOid);
    }

    const resumed = await env.cli(['runs', 'resume', rollbackId, '--yes', '--json']);
    if (resumed.code !== 0) console.error(resumed.stderr);
    expect(resumed.code).toBe(0);
    const record = JSON.parse(resumed.stdout);
    expect(record).toMatchObject({ status: 'succeeded', kind: 'rollback', rollbackOf: second });
    expect(record.steps.map((s: any) => s.id)).toEqual(['stop-replica', 'swap-back', 'restore-key', 'start-replica', 'verify', 'stop-replica', 'swap-back', 'start-replica', 'verify']);
    // rls1's own key is back; the master's, which the second run put there, is kept beside it.
    expect(stepOf(record, 'restore-key', 'rls1').captured).toMatchObject({ keyFile: rls1KeyFile(), restoredFrom: `${rls1KeyFile()}.before-${second}` });
    expect(readFileSync(rls1KeyFile(), 'utf8')).toBe(RLS1_OWN_KEY);
    expect(readFileSync(`${rls1KeyFile()}.before-${rollbackId}`)).toEqual(readFileSync(env.keyFile));
    for (const name of NAMES) {
      const r = replicaOf(record, name);
      expect(r.status).toBe('succeeded');
      expect(typeof r.downtimeMs).toBe('number');
      expect(r.kept).toMatchObject({ schema: undone(name, second), kind: 'undone', state: 'kept', byRun: rollbackId });
      expect(r.kept.bytes).toBeGreaterThan(0);
      expect(stepOf(record, 'verify', name).captured.checks.map((c: any) => c.id)).toEqual(['server-type', 'replicator-settings']);
      // The previous schema is the replica's again: the same object, its data whole.
      expect(await oidOf(name, schemaOf(name))).toBe(before[name].prevOid);
      expect(await fingerprint(name)).toBe(before[name].prevFp);
      expect(await oidOf(name, undone(name, second))).toBe(before[name].liveOid);
      expect(await keptSchemas(name)).toEqual([prev(name, first), undone(name, second)].sort());
      expect(await serving(name)).toBe(true);
    }
    expect(await env.masterFingerprint()).toBe(masterBefore);
    const masterType = await env.a.query<{ content: string }>(`SELECT content FROM cm_master.system WHERE property = 'repository_server_type'`, [], 'coremedia');
    expect(masterType.rows.map((x) => x.content)).toEqual(['publication']);

    // The rolled-back run's record says by which run; `runs show` says it in words.
    const original = await show(second);
    for (const name of NAMES) {
      expect(replicaOf(original, name).rolledBack).toMatchObject({ byRun: rollbackId });
      expect(replicaOf(original, name).kept).toMatchObject({ schema: undone(name, second), state: 'kept' });
    }
    expect((await env.cli(['runs', 'show', second])).stdout).toContain(`rolled back by run ${rollbackId}`);
    expect((await env.cli(['runs', 'show', rollbackId])).stdout).toContain(`rollback of run ${second}`);
  }, 300_000);

  it('refuses a second rollback; lists what is kept; discard drops the undone schema and the history shows it', async () => {
    const again = await env.cli(['runs', 'rollback', second, '--yes', '--json']);
    expect(again.code).toBe(2);
    expect(JSON.parse(again.stdout).error.message).toContain('already rolled back by run');

    const kept = JSON.parse((await env.cli(['runs', 'kept', env.installation, '--json'])).stdout).kept;
    for (const name of NAMES) {
      const listing = kept.find((k: any) => k.replica === `${env.installation}/${name}`);
      expect(listing.error).toBeNull();
      expect(listing.schemas.map((s: any) => [s.schema, s.runId])).toEqual(expect.arrayContaining([[undone(name, second), second], [prev(name, first), first]]));
      for (const s of listing.schemas) expect(s.bytes).toBeGreaterThan(0);
    }

    const noTty = await env.cli(['runs', 'discard', second]);
    expect(noTty.code).toBe(2);
    const discarded = await env.cli(['runs', 'discard', second, '--yes', '--json']);
    if (discarded.code !== 0) console.error(discarded.stderr);
    expect(discarded.code).toBe(0);
    expect(JSON.parse(discarded.stdout).discarded.map((d: any) => [d.schema, d.kind, d.existed])).toEqual(NAMES.map((name) => [undone(name, second), 'undone', true]));
    for (const name of NAMES) {
      expect(await keptSchemas(name)).toEqual([prev(name, first)]);
      expect(await serving(name)).toBe(true);
      const r = replicaOf(await show(second), name);
      expect(r.kept).toMatchObject({ schema: undone(name, second), state: 'discarded' });
      expect(r.kept.bytes).toBeGreaterThan(0);
    }
    expect((await env.cli(['runs', 'discard', second, '--yes'])).code).toBe(2);

    // A discarded previous schema cannot be rolled back to.
    expect((await env.cli(['runs', 'discard', first, '--replica', 'rls1', '--yes'])).code).toBe(0);
    const gone = await env.cli(['runs', 'rollback', first, '--replica', 'rls1', '--yes', '--json']);
    expect(gone.code).toBe(2);
    expect(JSON.parse(gone.stdout).error.message).toContain('was discarded');
    expect(await keptSchemas('rls1')).toEqual([]);
    expect(await env.masterFingerprint()).toBe(masterBefore);
  }, 180_000);

  it('a swap back refused after the stop: compensation starts the replica again on its schema; the resume rolls back', async () => {
    const third = await sideBySide();
    const liveOid = await oidOf('rls1', schemaOf('rls1'));
    const prevOid = await oidOf('rls1', prev('rls1', third));
    const run = startCli(env, ['runs', 'rollback', third, '--replica', 'rls1', '--yes', '--json']);
    await waitForRollbackStep('stop-replica', 'rls1');
    // A DBA's schema already has the name the swap back would set the restored schema aside under.
    const taken = undone('rls1', third);
    await env.b.query(`CREATE SCHEMA ${taken}`, [], 'cm_rls1');
    const result = await run.done;
    expect(result.code).toBe(1);
    const failed = JSON.parse(result.stdout);
    expect(failed).toMatchObject({ status: 'failed', kind: 'rollback', rollbackOf: third });
    expect(failed.replicas[0].message).toContain(taken);
    expect(failed.compensation).toEqual([expect.objectContaining({ action: 'start-replica', target: `${env.installation}/rls1`, outcome: 'done', message: expect.stringContaining('not swapped back') })]);
    expect(['stop-replica', 'swap-back', 'start-replica'].map((id) => stepOf(failed, id, 'rls1').status)).toEqual(['pending', 'pending', 'pending']);
    expect(await serving('rls1')).toBe(true);
    expect(await oidOf('rls1', schemaOf('rls1'))).toBe(liveOid);
    expect(await oidOf('rls1', prev('rls1', third))).toBe(prevOid);
    // Still resumable, so neither a new rollback nor a discard of the run may start beside it.
    expect((await env.cli(['runs', 'rollback', third, '--yes'])).code).toBe(2);
    expect((await env.cli(['runs', 'discard', third, '--yes'])).code).toBe(2);

    await env.b.query(`DROP SCHEMA ${taken}`, [], 'cm_rls1');
    const resumed = await env.cli(['runs', 'resume', failed.runId, '--yes', '--json']);
    if (resumed.code !== 0) console.error(resumed.stderr);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'succeeded', kind: 'rollback' });
    expect(await oidOf('rls1', schemaOf('rls1'))).toBe(prevOid);
    expect(await oidOf('rls1', taken)).toBe(liveOid);
    expect(await serving('rls1')).toBe(true);
    expect(replicaOf(await show(third), 'rls1').rolledBack).toMatchObject({ byRun: failed.runId });
    expect(replicaOf(await show(third), 'rls2').rolledBack).toBeNull();
    expect(await env.masterFingerprint()).toBe(masterBefore);
  }, 240_000);
});
