// kill -9 (and Ctrl-C) of `replica-desk restore --side-by-side --yes` around the swap, the
// only downtime of a side-by-side restore (issue 9, "Resume and cancel at every step"):
//   - during the swap, its transaction held on a table lock: the old state holds (the
//     replica's schema has the old data, the shadow is there, nothing is kept aside);
//   - right after the swap's commit, before the run could record it (the run store held
//     busy): the new state holds (the schema has the restored data, the old one is kept, no
//     shadow);
//   - Ctrl-C during the held swap: compensation starts the replica on its untouched schema;
//   - before the swap, with the shadow restored but its step unfinished: the replica serves
//     on, untouched, and the shadow is resumable.
// Never both states or neither; after each, `runs resume RUN_ID --yes` swaps (once), starts
// the replica and finishes. rls1 only (its own database on cluster b): the swap waits for
// one replica at a time, deterministically.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt } from '../../harness/cli';
import { runShell, schemaFingerprint, startRestoreEnvironment, type RestoreEnvironment } from '../../harness/restoreEnvironment';
import { STAND_IN_APPLICATION_NAME } from '../../harness/standInServer';
import { keptSchemaName, shadowSchemaName } from '../../../src/main/core/restore/sideBySideNames';
import { expectNothingLeftBehind, holdTableLock, killAndExpectInterrupted, leftoverProcesses, startRestore, stepOf, waitForStep, type HeldTableLock } from './faultRun';

const SCHEMA = 'cm_rls1';
const SHADOW = shadowSchemaName(SCHEMA);

describe('the CLI killed around the side-by-side swap, then resumed', () => {
  let env: RestoreEnvironment;
  let masterBefore: string;
  const outputs: string[] = [];

  beforeAll(async () => {
    assertCliBuilt();
    env = await startRestoreEnvironment({ withoutSsh: true, privateTmp: true, master: { sizeMb: 10 } });
    masterBefore = await env.masterFingerprint();
  }, 180_000);
  afterAll(async () => env?.stop());

  const query = async <T extends Record<string, unknown>>(sql: string, params: unknown[] = []) => (await env.b.query<T>(sql, params, SCHEMA)).rows;
  const fingerprint = (schema: string) => schemaFingerprint(env.b, SCHEMA, schema);
  const schemaExists = async (schema: string) => (await query<{ n: number }>('SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = $1', [schema]))[0]!.n === 1;
  /** The table parts of a fingerprint, without the two tables the fix-ups change on purpose. */
  const dataParts = (fp: string) => fp.split('#')[0]!.split(';').filter((p) => !/^(system|cmlicenses):/i.test(p));
  const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  /** Running as the issue means it: the status command exits 0 and the stand-in holds its session. */
  async function serving(): Promise<boolean> {
    const sessions = await query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = $2', [SCHEMA, STAND_IN_APPLICATION_NAME]);
    return (await runShell(env.control.rls1.status)) === 0 && sessions[0]!.n > 0;
  }

  /**
   * Which of the two states holds for the run: old (the name has the data it had before the
   * run, the shadow is there, nothing kept) or new (the name has the master's data, the kept
   * schema has the old data, no shadow). Both are checked, so "both" or "neither" shows too.
   */
  async function swapState(runId: string, before: string): Promise<{ old: boolean; new: boolean }> {
    const kept = keptSchemaName(SCHEMA, runId);
    const [live, shadow, keptThere] = [await fingerprint(SCHEMA), await schemaExists(SHADOW), await schemaExists(kept)];
    const master = await env.masterFingerprint();
    return {
      old: live === before && shadow && !keptThere,
      new: !shadow && keptThere && (await fingerprint(kept)) === before && JSON.stringify(dataParts(live)) === JSON.stringify(dataParts(master)),
    };
  }

  /**
   * Runs `body` while a superuser session holds a lock on `schema`'s cmlicenses (taken as soon
   * as the table exists). ACCESS SHARE on the replica's own schema: only the swap's ACCESS
   * EXCLUSIVE waits for it.
   */
  async function withTableLock(schema: string, mode: string, body: (lock: HeldTableLock) => Promise<void>): Promise<void> {
    const lock = await holdTableLock(env.b, SCHEMA, `"${schema}".cmlicenses`, mode, 120_000);
    try {
      await body(lock);
    } finally {
      await lock.end();
    }
  }

  /**
   * Resolves once a session of the replica's role waits for a lock: with the replica's own
   * tables held, only the swap's LOCK TABLE does (the shadow steps work on the shadow).
   */
  const swapWaitsForLock = () =>
    until(
      'the swap waits for the table lock',
      async () => (await query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1 AND wait_event_type = 'Lock'`, [SCHEMA]))[0]!.n > 0,
      120_000,
    );
  const newestRunId = async (): Promise<string> => JSON.parse((await env.cli(['runs', 'list', '--json'])).stdout).runs[0].runId as string;

  /** `runs resume` finishes the run: swapped, the old schema kept with `before`'s data, the replica serving, the master untouched. */
  async function resumeAndCheck(runId: string, before: string): Promise<any> {
    const resumed = await env.cli(['runs', 'resume', runId, '--yes', '--json']);
    outputs.push(resumed.stdout, resumed.stderr);
    expect(resumed.code, resumed.stderr).toBe(0);
    const record = JSON.parse(resumed.stdout);
    expect(record.status).toBe('succeeded');
    expect(record.mode).toBe('side-by-side');
    const r = record.replicas.find((x: any) => x.replica === `${env.installation}/rls1`);
    expect(r.status).toBe('succeeded');
    expect(r.keptSchema).toBe(keptSchemaName(SCHEMA, runId));
    expect(typeof r.downtimeMs).toBe('number');
    expect(stepOf(record, 'verify', 'rls1').status).toBe('done');
    expect(await swapState(runId, before)).toEqual({ old: false, new: true });
    expect(await serving()).toBe(true);
    expect(await env.masterFingerprint()).toBe(masterBefore);
    expect(leftoverProcesses(env)).toEqual([]);
    return record;
  }

  it('kill -9 during the swap (held on a table lock): the old state holds, the replica is stopped; the resume swaps and starts it', async () => {
    const before = await fingerprint(SCHEMA);
    // Held from before the run: nothing but the swap wants more than reading the replica's tables.
    await withTableLock(SCHEMA, 'ACCESS SHARE', async (lock) => {
      const run = startRestore(env, ['--side-by-side', '--replica', 'rls1']);
      // Seen in the database, not through the CLI: the swap waits at most its lock_timeout (10 s).
      await swapWaitsForLock();
      run.child.kill('SIGKILL');
      const runId = await newestRunId();
      await killAndExpectInterrupted(env, run, runId, 'swap', 'rls1', outputs);
      expect(await swapState(runId, before)).toEqual({ old: true, new: false });
      // Stopped for the swap; nothing started it again (no compensation ran).
      expect(await serving()).toBe(false);
      // The dead run's transaction gets the locks once they are free, and never renames anything.
      await lock.release();
      await until('the dead swap session is gone', async () => (await query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1', [SCHEMA]))[0]!.n === 0);
      expect(await swapState(runId, before)).toEqual({ old: true, new: false });

      const record = await resumeAndCheck(runId, before);
      expect(stepOf(record, 'swap', 'rls1').status).toBe('done');
    });
  }, 300_000);

  it('kill -9 after the swap committed but before the run recorded it: the new state holds; the resume does not swap twice', async () => {
    const before = await fingerprint(SCHEMA);
    // The run store: a write transaction from here makes the CLI's next write wait (busy_timeout).
    const store = new Database(join(env.home, 'replica-desk.sqlite'));
    await withTableLock(SCHEMA, 'ACCESS SHARE', async (lock) => {
      const run = startRestore(env, ['--side-by-side', '--replica', 'rls1']);
      // Seen in the database, not through the CLI: the swap waits at most its lock_timeout (10 s).
      await swapWaitsForLock();
      const runId = await newestRunId();
      // The swap writes nothing to the store until it has committed; then its "done" waits.
      store.exec('BEGIN IMMEDIATE');
      await lock.release();
      const kept = keptSchemaName(SCHEMA, runId);
      await until('the swap committed', () => schemaExists(kept), 5_000);
      run.child.kill('SIGKILL');
      const result = await run.done;
      expect(result.signal).toBe('SIGKILL');
      outputs.push(result.stdout, result.stderr);
      store.exec('ROLLBACK');
      const shown = JSON.parse((await env.cli(['runs', 'show', runId, '--json'])).stdout);
      expect(shown.interrupted).toBe(true);
      expect(shown.resumable).toBe(true);
      expect(stepOf(shown, 'swap', 'rls1').status).toBe('running');
      expect(await swapState(runId, before)).toEqual({ old: false, new: true });
      expect(await serving()).toBe(false);

      const record = await resumeAndCheck(runId, before);
      // Recognised as committed, not swapped back or again.
      expect(stepOf(record, 'swap', 'rls1').status).toBe('done');
      expect(stepOf(record, 'swap', 'rls1').message).toContain(`Already swapped: ${SCHEMA} is the restored schema; the previous one is kept as ${keptSchemaName(SCHEMA, runId)}`);
    }).finally(() => {
      if (store.inTransaction) store.exec('ROLLBACK');
      store.close();
    });
  }, 300_000);

  it('Ctrl-C during the swap (held on a table lock): cancelled, compensation starts the replica on its untouched schema; the resume swaps', async () => {
    const before = await fingerprint(SCHEMA);
    await withTableLock(SCHEMA, 'ACCESS SHARE', async (lock) => {
      const run = startRestore(env, ['--side-by-side', '--replica', 'rls1']);
      // Seen in the database, not through the CLI: the swap waits at most its lock_timeout (10 s).
      await swapWaitsForLock();
      run.child.kill('SIGINT');
      const result = await run.done;
      const runId = await newestRunId();
      outputs.push(result.stdout, result.stderr);
      expect(result.code).toBe(1);
      const record = JSON.parse(result.stdout);
      expect(record.status).toBe('cancelled');
      expect(record.resumable).toBe(true);
      expect(record.compensation).toEqual([expect.objectContaining({ action: 'start-replica', target: `${env.installation}/rls1`, outcome: 'done' })]);
      expect(['stop-replica', 'swap', 'start-replica'].map((id) => stepOf(record, id, 'rls1').status)).toEqual(['pending', 'pending', 'pending']);
      expect(await swapState(runId, before)).toEqual({ old: true, new: false });
      expect(await serving()).toBe(true);
      await lock.release();
      await resumeAndCheck(runId, before);
    });
  }, 300_000);

  it('kill -9 before the swap (the shadow restored, its row counts held on a lock): the replica serves untouched; the resume finishes', async () => {
    const before = await fingerprint(SCHEMA);
    const oid = async () => (await query<{ oid: string }>('SELECT oid::text FROM pg_namespace WHERE nspname = $1', [SCHEMA]))[0]?.oid;
    const oidBefore = await oid();
    // From the run's start: as soon as the shadow's restore commits (its tables appear), a
    // superuser locks one of them. The step's row count waits for it, so the step is still
    // running with the whole shadow in place.
    const run = startRestore(env, ['--side-by-side', '--replica', 'rls1']);
    await withTableLock(SHADOW, 'ACCESS EXCLUSIVE', async (lock) => {
      const runId = await waitForStep(env, 'restore-shadow', { replica: 'rls1' });
      await killAndExpectInterrupted(env, run, runId, 'restore-shadow', 'rls1', outputs);
      expect(stepOf(JSON.parse((await env.cli(['runs', 'show', runId, '--json'])).stdout), 'stop-replica', 'rls1').status).toBe('pending');
      // Untouched: serving, the same schema object, the same data; the shadow beside it.
      expect(await serving()).toBe(true);
      expect(await oid()).toBe(oidBefore);
      expect(await swapState(runId, before)).toEqual({ old: true, new: false });
      await lock.release();
      await resumeAndCheck(runId, before);
    }).finally(() => {
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
    });
  }, 300_000);

  it('leaves no password in any file or output and no process', () => {
    expectNothingLeftBehind(env, outputs);
  });
});
