// Two admins, one installation, the same moment: one run per replica, across processes and
// workstations (separate local stores share nothing but the databases). The loser is refused
// before it stops or dumps anything and names the run that holds the replica.
import { existsSync, readdirSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt } from '../../harness/cli';
import { runShell, startRestoreEnvironment, type RestoreEnvironment } from '../../harness/restoreEnvironment';
import { startRestore, stepOf, waitForStep } from './faultRun';

const dumpsIn = (home: string, installation: string) => {
  const dir = join(home, 'backups', installation);
  return existsSync(dir) ? readdirSync(dir) : [];
};

describe('concurrent restores of one installation', () => {
  let env: RestoreEnvironment;
  let masterBefore: string;
  beforeAll(async () => {
    assertCliBuilt();
    env = await startRestoreEnvironment({ withoutSsh: true, master: { sizeMb: 120 } });
    masterBefore = await env.masterFingerprint();
  }, 180_000);
  afterAll(async () => env?.stop());

  it('started at once from one workstation: one restores, the other is refused naming it, and takes no backup', async () => {
    const [first, second] = [startRestore(env), startRestore(env)];
    const results = await Promise.all([first.done, second.done]);
    const winners = results.filter((r) => r.code === 0);
    const losers = results.filter((r) => r.code !== 0);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    const winner = JSON.parse(winners[0]!.stdout);
    expect(winner.status).toBe('succeeded');
    const loser = losers[0]!;
    expect(loser.code).toBe(1);
    expect(`${loser.stdout}${loser.stderr}`).toContain(winner.runId);
    // The loser stopped nothing and dumped nothing: the only backup is the winner's.
    expect(dumpsIn(env.home, env.installation)).toEqual([`${winner.runId}-cm_master.dump`]);
    // Refused at preflight (an error document) or, in a closer race, at the lock (a run record with nothing done).
    const refused = JSON.parse(loser.stdout);
    if (refused.steps) expect(refused.steps.every((s: any) => s.status === 'pending')).toBe(true);
    else expect(refused.error.code).toMatch(/preflight-failed|run-in-progress/);
    expect(await runShell(env.control.rls1.status)).toBe(0);
    expect(await runShell(env.control.rls2.status)).toBe(0);
    expect(await env.masterFingerprint()).toBe(masterBefore);
  }, 240_000);

  it('a second workstation is refused at preflight while a slow run holds the replicas, and told who holds them', async () => {
    const otherHome = join(env.dir, 'workstation-2');
    const imported = await env.cli(['profiles', 'import', join(env.dir, 'profiles.json'), '--approve-commands'], { REPLICA_DESK_HOME: otherHome });
    expect(imported.code).toBe(0);
    const slow = startRestore(env);
    const runId = await waitForStep(env, 'restore-shadow');

    const rival = await env.cli(['restore', env.installation, '--yes'], { REPLICA_DESK_HOME: otherHome });
    expect(rival.code).toBe(1);
    expect(rival.stderr).toContain(`run ${runId}`);
    expect(rival.stderr).toContain(userInfo().username);
    expect(rival.stderr).toContain(hostname().slice(0, 10));
    expect(rival.stderr).toMatch(/runs resume/);
    // Refused before anything: no run on the second workstation, no backup there.
    expect(JSON.parse((await env.cli(['runs', 'list', '--json'], { REPLICA_DESK_HOME: otherHome })).stdout).runs).toEqual([]);
    expect(dumpsIn(otherHome, env.installation)).toEqual([]);

    const result = await slow.done;
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).status).toBe('succeeded');
    expect(await env.masterFingerprint()).toBe(masterBefore);
  }, 240_000);

  it('a run whose lock session is killed stops before its next step, puts the untouched replica back, and resumes', async () => {
    // In place, where the replica is stopped before the backup and so must be put back.
    const run = startRestore(env, ['--in-place']);
    const runId = await waitForStep(env, 'dump-master');
    // The DBA (or a network blip) ends rls1's lock session: another run could now take it.
    const killed = await env.b.query<{ n: string }>(
      `SELECT count(pg_terminate_backend(pid))::text AS n FROM pg_stat_activity WHERE application_name LIKE $1`,
      [`rd-run ${runId} %`],
      'cm_rls1',
    );
    expect(killed.rows[0]!.n).toBe('1');
    const result = await run.done;
    expect(result.code).toBe(1);
    const record = JSON.parse(result.stdout);
    const rls1 = record.replicas.find((r: any) => r.replica.endsWith('/rls1'));
    expect(rls1.status).toBe('failed');
    expect(rls1.message).toMatch(/lost its lock/);
    expect(stepOf(record, 'drop-schema', 'rls1').status).toBe('pending');
    expect(record.replicas.find((r: any) => r.replica.endsWith('/rls2')).status).toBe('succeeded');
    // rls1 was never dropped, so it was started again.
    expect(record.compensation.some((c: any) => c.action === 'start-replica' && c.target.endsWith('/rls1') && c.outcome === 'done')).toBe(true);
    expect(await runShell(env.control.rls1.status)).toBe(0);

    const resumed = await env.cli(['runs', 'resume', runId, '--yes', '--json']);
    if (resumed.code !== 0) console.error(resumed.stderr);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout).status).toBe('succeeded');
    expect(await env.masterFingerprint()).toBe(masterBefore);
  }, 240_000);
});
