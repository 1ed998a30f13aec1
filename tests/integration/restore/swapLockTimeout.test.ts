// `--lock-timeout SECONDS` through the built CLI against real PostgreSQL: shown in the dry
// run's swap SQL, refused out of range (exit 2), and used by the real swap and swap back. A
// superuser session holds a table of rls1's schema (ACCESS SHARE): the side-by-side restore's
// swap gives up after the given 1.5 s, not the default 10 s, and says so; compensation starts
// the replica again; a resume while it is still held gives up after the recorded 1.5 s, and
// once it is free the resume swaps. The rollback of that run does the same with its own
// --lock-timeout.
import { beforeEach, describe, expect, it } from 'vitest';
import type { RestoreEnvironment } from '../../harness/restoreEnvironment';
import { holdTableLock, restoreEnvironmentForFile, stepOf } from '../faults/faultRun';

const SCHEMA = 'cm_rls1';

const environment = restoreEnvironmentForFile();
let env: RestoreEnvironment;
beforeEach(() => {
  env = environment();
});

/** Runs the CLI while a superuser session holds rls1's cmlicenses (ACCESS SHARE): only a swap's ACCESS EXCLUSIVE waits for it. */
async function withTableHeld<T>(body: () => Promise<T>): Promise<T> {
  const lock = await holdTableLock(env.b, SCHEMA, `"${SCHEMA}".cmlicenses`, 'ACCESS SHARE');
  try {
    return await body();
  } finally {
    await lock.end();
  }
}

describe('--lock-timeout', () => {
  it("shows in the dry run's swap SQL and is refused out of range", async () => {
    const dry = await env.cli(['restore', env.installation, '--replica', 'rls1', '--side-by-side', '--lock-timeout', '2.5', '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const swap = JSON.parse(dry.stdout).plan.steps.find((s: any) => s.id === 'swap');
    expect(swap.actions.map((a: any) => a.text)).toContain("SET LOCAL lock_timeout = '2500ms'");

    for (const bad of ['0', 'ten']) {
      const refused = await env.cli(['restore', env.installation, '--replica', 'rls1', '--lock-timeout', bad, '--dry-run']);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`--lock-timeout must be a number of seconds from 0.1 to 3600, not "${bad}"`);
    }
    expect((await env.cli(['runs', 'rollback', '20200101-000000-000000', '--lock-timeout', '-3', '--yes'])).code).toBe(2);
  }, 60_000);

  it('bounds the real swap and swap back; a resume keeps the recorded value', async () => {
    const failed = await withTableHeld(() => env.cli(['restore', env.installation, '--replica', 'rls1', '--side-by-side', '--lock-timeout', '1.5', '--yes', '--json']));
    expect(failed.code).toBe(1);
    const run = JSON.parse(failed.stdout);
    expect(run.status).toBe('failed');
    expect(run.replicas[0].message).toContain(`Could not lock the tables of schema "${SCHEMA}" within 1.5 s (lock_timeout)`);
    expect(run.compensation).toEqual([expect.objectContaining({ action: 'start-replica', outcome: 'done' })]);

    // The resume runs with the plan's value: held again, it gives up after 1.5 s again.
    const again = await withTableHeld(() => env.cli(['runs', 'resume', run.runId, '--yes', '--json']));
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout).replicas[0].message).toContain('within 1.5 s (lock_timeout)');
    const resumed = await env.cli(['runs', 'resume', run.runId, '--yes', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);

    const back = await withTableHeld(() => env.cli(['runs', 'rollback', run.runId, '--lock-timeout', '0.5', '--yes', '--json']));
    expect(back.code).toBe(1);
    const rollback = JSON.parse(back.stdout);
    expect(rollback).toMatchObject({ status: 'failed', kind: 'rollback' });
    expect(rollback.replicas[0].message).toContain('within 0.5 s (lock_timeout)');
    // Free, the resume swaps back. (Its verify then finds the environment's first schema, which
    // no restore ever positioned: no replicator rows. The swap back is what is tested here.)
    const done = await env.cli(['runs', 'resume', rollback.runId, '--yes', '--json']);
    expect(stepOf(JSON.parse(done.stdout), 'swap-back', 'rls1').status, done.stderr).toBe('done');
  }, 300_000);
});
