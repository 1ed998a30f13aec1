// The network to a replica's database freezes mid-restore: connections stay open and nothing
// moves. The run must not wait for ever: the restore stream's watchdog ends it within its
// time plus a few seconds, with a message naming the connection, and `runs resume` finishes
// once the network is back. In the default mode (side-by-side here) the replica keeps serving
// throughout: the freeze hits the shadow restore.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt } from '../../harness/cli';
import { runShell, startRestoreEnvironment, type RestoreEnvironment } from '../../harness/restoreEnvironment';
import { startRestore, stepOf, waitForStep } from './faultRun';

const STALL_S = 3;

describe('a network freeze in the middle of the restore', () => {
  let env: RestoreEnvironment;
  beforeAll(async () => {
    assertCliBuilt();
    env = await startRestoreEnvironment({ withoutSsh: true, proxyRls1: true, master: { sizeMb: 100 } });
  }, 180_000);
  afterAll(async () => env?.stop());

  it('ends within the stall timeout plus a few seconds, names the connection, and resumes', async () => {
    const masterBefore = await env.masterFingerprint();
    const proxy = env.rls1Proxy!;
    const run = startRestore(env, ['--replica', 'rls1', '--stall-timeout', String(STALL_S)]);
    const runId = await waitForStep(env, 'restore-shadow', { replica: 'rls1' });
    // Freeze once the restore's SQL is flowing to the server, in the middle of the data.
    proxy.freezeAfter(8 * 1024 * 1024, 'toServer');
    await expect.poll(() => proxy.frozen, { timeout: 60_000 }).toBe(true);
    const frozenAt = proxy.frozenSince!;
    const result = await run.done;
    const endedAfterMs = Date.now() - frozenAt;
    expect(result.code).toBe(1);
    // The watchdog's time plus a few seconds for the kill and the clean-up on a dead network.
    expect(endedAfterMs).toBeLessThan((STALL_S + 12) * 1000);
    const record = JSON.parse(result.stdout);
    expect(record.mode).toBe('side-by-side');
    const restore = stepOf(record, 'restore-shadow', 'rls1');
    expect(restore.status).toBe('failed');
    expect(restore.message).toContain(`127.0.0.1:${proxy.port}/cm_rls1`);
    expect(restore.message).toMatch(/psql/);
    // Never stopped: the replica served through the freeze, on its own schema.
    expect(stepOf(record, 'stop-replica', 'rls1').status).toBe('pending');
    expect(await runShell(env.control.rls1.status)).toBe(0);

    proxy.thaw();
    const resumed = await env.cli(['runs', 'resume', runId, '--yes', '--json']);
    if (resumed.code !== 0) console.error(resumed.stderr);
    expect(resumed.code).toBe(0);
    const finished = JSON.parse(resumed.stdout);
    expect(finished.status).toBe('succeeded');
    expect(finished.changelog.sequenceNo).toBe(env.master.changelogHead.sequenceNo);
    expect(await runShell(env.control.rls1.status)).toBe(0);
    expect(await env.masterFingerprint()).toBe(masterBefore);
  }, 240_000);
});
