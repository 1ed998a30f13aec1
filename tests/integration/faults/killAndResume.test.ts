// kill -9 of the CLI in each phase of a restore (the dump, the restore, the fix-ups, the
// start), and Ctrl-C during the restore: `runs resume` then finishes the run, nothing of the
// dead run is left running, no partial dump is left, and the master is never touched. One
// environment, scenarios in sequence: a succeeded resume leaves everything running and restored.
// The dump and the start run in the default mode (side-by-side here); the restore, the
// fix-ups and the Ctrl-C with the replica left stopped are the in-place procedure's steps
// (sideBySide.test.ts kills the shadow restore).
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt } from '../../harness/cli';
import { runShell, schemaFingerprint, startRestoreEnvironment, type RestoreEnvironment } from '../../harness/restoreEnvironment';
import { expectNothingLeftBehind, holdTableLock, killAndExpectInterrupted, leftoverProcesses, partialFiles, privatePgpassDirs, startRestore, stepOf, waitForStep } from './faultRun';

describe('the CLI killed or interrupted in each phase, then resumed', () => {
  let env: RestoreEnvironment;
  let masterBefore: string;
  const outputs: string[] = [];
  const backups = () => join(env.home, 'backups', env.installation);

  beforeAll(async () => {
    assertCliBuilt();
    env = await startRestoreEnvironment({ withoutSsh: true, privateTmp: true, master: { sizeMb: 60 } });
    masterBefore = await env.masterFingerprint();
  }, 180_000);
  afterAll(async () => env?.stop());

  async function killDuring(step: string, replica: string | null, before?: (runId: string) => Promise<void>, args: string[] = []): Promise<string> {
    const run = startRestore(env, args);
    const runId = await waitForStep(env, step, replica ? { replica } : {});
    await before?.(runId);
    await killAndExpectInterrupted(env, run, runId, step, replica, outputs);
    return runId;
  }

  async function resumeAndCheck(runId: string): Promise<any> {
    const resumed = await env.cli(['runs', 'resume', runId, '--yes', '--json']);
    outputs.push(resumed.stdout, resumed.stderr);
    if (resumed.code !== 0) console.error(resumed.stderr);
    expect(resumed.code).toBe(0);
    const record = JSON.parse(resumed.stdout);
    expect(record.runId).toBe(runId);
    expect(record.status).toBe('succeeded');
    for (const name of ['rls1', 'rls2'] as const) {
      expect(record.replicas.find((r: any) => r.replica.endsWith(`/${name}`)).status).toBe('succeeded');
      expect(stepOf(record, 'verify', name).status).toBe('done');
      expect(await runShell(env.control[name].status)).toBe(0);
    }
    // The replicator position is the dumped master's head (nothing wrote to the master here).
    expect(record.changelog.sequenceNo).toBe(env.master.changelogHead.sequenceNo);
    // Nothing of the dead run or of the resume is left: no pg tool, no control command, no CLI.
    expect(leftoverProcesses(env)).toEqual([]);
    expect(partialFiles(backups())).toEqual([]);
    expect(readdirSync(backups())).toContain(`${runId}-cm_master.dump`);
    expect(privatePgpassDirs(env)).toEqual([]);
    expect(await env.masterFingerprint()).toBe(masterBefore);
    return record;
  }

  it('kill -9 during the dump: pg_dump dies with the CLI, the resume dumps again and finishes', async () => {
    const runId = await killDuring('dump-master', null, async (id) => {
      // Let pg_dump write part of the file first, so there is a partial dump to clean up.
      const partial = join(backups(), `${id}-cm_master.dump.partial`);
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline && !(existsSync(partial) && statSync(partial).size > 1 << 20)) await new Promise((r) => setTimeout(r, 50));
      expect(statSync(partial).size).toBeGreaterThan(1 << 20);
    });
    // pg_dump had a parent-death signal: it is gone at once, the CLI is not there to do it.
    await new Promise((r) => setTimeout(r, 500));
    expect(leftoverProcesses(env).filter((p) => /pg_dump/.test(p))).toEqual([]);
    const record = await resumeAndCheck(runId);
    expect(record.steps.filter((s: any) => s.id === 'dump-master').map((s: any) => s.status)).toEqual(['done']);
  }, 240_000);

  it('kill -9 during the restore: the resume restores again and finishes', async () => {
    const runId = await killDuring('restore', 'rls1', undefined, ['--in-place']);
    const record = await resumeAndCheck(runId);
    // The backup was taken once, before the kill, and reused.
    expect(stepOf(record, 'dump-master', null).status).toBe('done');
  }, 240_000);

  it('kill -9 during the fix-ups (held on a table lock): the resume applies them and finishes', async () => {
    const run = startRestore(env, ['--in-place']);
    await waitForStep(env, 'restore', { replica: 'rls1' });
    // As soon as the restore commits (its tables become visible), a superuser takes a lock that
    // the fix-ups' DELETE waits for, but the restore step's count(*) does not.
    const locker = await holdTableLock(env.b, 'cm_rls1', '"cm_rls1".cmlicenses', 'SHARE');
    try {
      const runId = await waitForStep(env, 'fixups', { replica: 'rls1' });
      await killAndExpectInterrupted(env, run, runId, 'fixups', 'rls1', outputs);
      await locker.release();
      await resumeAndCheck(runId);
      // The fix-ups' outcome: a live replica, positioned at the dumped head, no licenses of the master.
      const system = await env.b.query<{ property: string; content: string }>(
        `SELECT property, content FROM "cm_rls1".system WHERE property IN ('repository_server_type', 'replicator_remote', 'replicator_local', 'replicator_tag') ORDER BY 1`,
        [],
        'cm_rls1',
      );
      expect(Object.fromEntries(system.rows.map((r) => [r.property, r.content]))).toEqual({
        repository_server_type: 'live',
        replicator_remote: env.master.changelogHead.sequenceNo,
        replicator_local: env.master.changelogHead.sequenceNo,
        replicator_tag: env.master.changelogHead.idTag,
      });
    } finally {
      await locker.end();
    }
  }, 240_000);

  it('SIGINT during the restore: cancelled, the dropped replica stays stopped (left-stopped), and the resume finishes', async () => {
    const run = startRestore(env, ['--in-place']);
    const runId = await waitForStep(env, 'restore', { replica: 'rls1' });
    run.child.kill('SIGINT');
    const result = await run.done;
    outputs.push(result.stdout, result.stderr);
    expect(result.code).toBe(1);
    const record = JSON.parse(result.stdout);
    expect(record.runId).toBe(runId);
    expect(record.status).toBe('cancelled');
    expect(record.resumable).toBe(true);
    expect(stepOf(record, 'drop-schema', 'rls1').status).toBe('done');
    expect(stepOf(record, 'restore', 'rls1').status).toBe('cancelled');
    const left = record.compensation.filter((c: any) => c.target.endsWith('/rls1'));
    expect(left.map((c: any) => [c.action, c.outcome])).toEqual([['leave-stopped', 'left-stopped']]);
    expect(left[0].message).toContain(`runs resume ${runId}`);
    // Nothing started it: its schema is half restored.
    expect(await runShell(env.control.rls1.status)).not.toBe(0);
    expect(leftoverProcesses(env)).toEqual([]);
    expect(partialFiles(backups())).toEqual([]);
    await resumeAndCheck(runId);
  }, 240_000);

  it('kill -9 during the start command: the resume ends the dead run\'s start command and finishes', async () => {
    // The first start of rls1 hangs (a marker file makes it sleep); a later start is the usual one.
    const marker = join(env.dir, 'slow-start-once');
    writeFileSync(marker, '');
    const profiles = JSON.parse(readFileSync(join(env.dir, 'profiles.json'), 'utf8'));
    const rls1 = profiles.installations[0].servers.find((s: any) => s.name === 'rls1');
    rls1.control.start = `if [ -f '${marker}' ]; then rm -f '${marker}'; sleep 97; fi; ${env.control.rls1.start}`;
    const slowProfile = join(env.dir, 'profiles-slow-start.json');
    writeFileSync(slowProfile, JSON.stringify(profiles, null, 2));
    const imported = await env.cli(['profiles', 'import', slowProfile, '--replace', '--approve-commands']);
    expect(imported.code).toBe(0);

    const runId = await killDuring('start-replica', 'rls1', async () => {
      // The start command is in its sleep: it would run on, in its own process group.
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && !leftoverProcesses(env).some((p) => p.includes('sleep 97'))) await new Promise((r) => setTimeout(r, 50));
    });
    expect(existsSync(marker)).toBe(false);
    expect(leftoverProcesses(env).some((p) => p.includes('sleep 97'))).toBe(true);
    const before = await schemaFingerprint(env.b, 'cm_rls1', 'cm_rls1');
    const record = await resumeAndCheck(runId);
    expect(stepOf(record, 'start-replica', 'rls1').status).toBe('done');
    // The restored schema was complete before the kill: the resume did not restore it again.
    expect(await schemaFingerprint(env.b, 'cm_rls1', 'cm_rls1')).toBe(before);
  }, 240_000);

  it('leaves no password in any file or output, no process and no private pgpass file', () => {
    expectNothingLeftBehind(env, outputs);
  });
});
