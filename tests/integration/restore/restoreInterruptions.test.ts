// Interruptions: a restore killed mid-way (the default mode, side-by-side here) is visibly
// interrupted and `runs resume` finishes it; a cancelled in-place one stops its child
// processes, restarts the replicas it stopped (their schemas untouched) and is recorded as
// cancelled with the compensation it ran.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt } from '../../harness/cli';
import { runShell, schemaFingerprint, startRestoreEnvironment, type RestoreEnvironment } from '../../harness/restoreEnvironment';
import { startRestore, waitForStep, waitForStepEnd } from '../faults/faultRun';

describe('a restore killed during the restore step', () => {
  let env: RestoreEnvironment;
  beforeAll(async () => {
    assertCliBuilt();
    // Both replicas' database connections go through a proxy the test can freeze.
    env = await startRestoreEnvironment({ withoutSsh: true, proxyRls1: true, proxyRls2: true, master: { sizeMb: 120 } });
  }, 180_000);
  afterAll(async () => env?.stop());

  it('is shown as interrupted, and runs resume finishes it', async () => {
    const { child, done } = startRestore(env);
    const runId = await waitForStep(env, 'restore-shadow');
    // The restores start while pg_dump still writes, and cannot end before it. Frozen here, they
    // hold the run before any replica's swap however loaded the machine is (the dump goes to the
    // master directly). The kill comes once the dump is done, so the resume reuses it (a kill
    // during the dump: overlappedDump.test.ts).
    env.rls1Proxy!.freeze();
    env.rls2Proxy!.freeze();
    expect(await waitForStepEnd(env, runId, 'dump-master', null)).toBe('done');
    child.kill('SIGKILL');
    await done;
    // The killed run's sessions end as after a lost route; the network works again for the resume.
    for (const proxy of [env.rls1Proxy!, env.rls2Proxy!]) {
      proxy.cut();
      proxy.thaw();
    }
    // Side-by-side: the replicas were never stopped.
    expect(await runShell(env.control.rls1.status)).toBe(0);
    expect(await runShell(env.control.rls2.status)).toBe(0);

    const shown = JSON.parse((await env.cli(['runs', 'show', runId, '--json'])).stdout);
    expect(shown.status).toBe('running');
    expect(shown.interrupted).toBe(true);
    expect(shown.resumable).toBe(true);
    expect(shown.steps.find((s: any) => s.id === 'dump-master').status).toBe('done');
    expect(shown.mode).toBe('side-by-side');
    // Killed mid-way: a step of the replicas' phase was running (the shadow restore, or a later one).
    expect(shown.steps.some((s: any) => s.status === 'running' && s.id !== 'dump-master')).toBe(true);
    const listed = await env.cli(['runs', 'list']);
    expect(listed.stdout).toMatch(new RegExp(`${runId}.*interrupted`));

    const resumed = await env.cli(['runs', 'resume', runId, '--yes', '--json']);
    if (resumed.code !== 0) console.error(resumed.stderr);
    expect(resumed.code).toBe(0);
    const record = JSON.parse(resumed.stdout);
    expect(record.status).toBe('succeeded');
    expect(record.replicas.every((r: any) => r.status === 'succeeded')).toBe(true);
    // The backup was taken once and reused.
    expect(record.steps.filter((s: any) => s.id === 'dump-master')).toHaveLength(1);
    expect(record.changelog.sequenceNo).toBe(env.master.changelogHead.sequenceNo);
    expect(await runShell(env.control.rls1.status)).toBe(0);
    expect(await runShell(env.control.rls2.status)).toBe(0);
  }, 180_000);

  it('refuses to resume a run that succeeded', async () => {
    const runId = JSON.parse((await env.cli(['runs', 'list', '--json'])).stdout).runs[0].runId;
    const again = await env.cli(['runs', 'resume', runId, '--yes']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/cannot be resumed/);
  });
});

describe('an in-place restore cancelled during the backup', () => {
  let env: RestoreEnvironment;
  beforeAll(async () => {
    env = await startRestoreEnvironment({ withoutSsh: true, master: { sizeMb: 150 } });
  }, 180_000);
  afterAll(async () => env?.stop());

  it('kills pg_dump, removes the partial file, restarts the stopped replicas and records it', async () => {
    const before = { rls1: await schemaFingerprint(env.b, 'cm_rls1', 'cm_rls1'), rls2: await schemaFingerprint(env.a, 'coremedia', 'cm_rls2') };
    // In place, the replicas are stopped before the backup, so the cancel must start them again.
    const { child, done } = startRestore(env, ['--in-place']);
    const runId = await waitForStep(env, 'dump-master');
    child.kill('SIGINT');
    const result = await done;
    expect(result.code).toBe(1);
    const record = JSON.parse(result.stdout);
    expect(record.runId).toBe(runId);
    expect(record.status).toBe('cancelled');
    expect(record.steps.find((s: any) => s.id === 'dump-master').status).toBe('cancelled');
    expect(record.compensation.map((c: any) => [c.action, c.outcome])).toEqual([
      ['start-replica', 'done'],
      ['start-replica', 'done'],
    ]);
    expect(await runShell(env.control.rls1.status)).toBe(0);
    expect(await runShell(env.control.rls2.status)).toBe(0);
    expect(await schemaFingerprint(env.b, 'cm_rls1', 'cm_rls1')).toBe(before.rls1);
    expect(await schemaFingerprint(env.a, 'coremedia', 'cm_rls2')).toBe(before.rls2);
    const backups = join(env.home, 'backups', env.installation);
    const leftovers = existsSync(backups) ? readdirSync(backups) : [];
    expect(leftovers).toEqual([]);
    expect((await runShell(`pgrep -f "[p]g_dump.*${env.a.port}"`)) !== 0).toBe(true);
    expect(record.resumable).toBe(true);
  }, 180_000);
});
