// The app cancels through core (no Ctrl-C there): RestoreService.cancel(runId) stops the
// run's child processes and the run ends cancelled with its compensation recorded (in place,
// where the replicas are stopped before the backup and so must be started again).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReplicaDesk, type ReplicaDesk } from '../../../src/main/core/replicaDesk';
import type { RestoreEvent } from '../../../src/shared/restoreEvents';
import { runShell, startRestoreEnvironment, type RestoreEnvironment } from '../../harness/restoreEnvironment';

let env: RestoreEnvironment;
let core: ReplicaDesk;

beforeAll(async () => {
  env = await startRestoreEnvironment({ withoutSsh: true, master: { sizeMb: 150 } });
  core = openReplicaDesk({ home: env.home, env: { ...process.env, ...env.env } });
}, 180_000);
afterAll(async () => {
  core?.close();
  await env?.stop();
});

describe('cancelling a run through the core API', () => {
  it('ends the run cancelled, restarts the replicas and streams events on the way', async () => {
    const { plan, preflight } = await core.restore.prepare({ installation: env.installation, replicas: [], mode: 'in-place' });
    expect(preflight.ok).toBe(true);
    const runId = core.restore.start(plan, preflight, { all: 'test' });
    const events: RestoreEvent[] = [];
    const finished = core.restore.execute(runId, {
      timeouts: { stopWaitMs: 3000, pollMs: 200 },
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'progress' && e.phase === 'dump' && e.bytes > 0) core.restore.cancel(runId);
      },
    });
    const run = await finished;
    expect(run.status).toBe('cancelled');
    expect(run.steps.find((s) => s.id === 'dump-master')!.status).toBe('cancelled');
    expect(run.compensation.filter((c) => c.action === 'start-replica' && c.outcome === 'done')).toHaveLength(2);
    expect(await runShell(env.control.rls1.status)).toBe(0);
    expect(await runShell(env.control.rls2.status)).toBe(0);
    expect(core.restore.cancel(runId)).toBe(false);

    const kinds = new Set(events.map((e) => e.type));
    expect([...kinds].sort()).toEqual(['log', 'progress', 'run', 'step']);
    // Progress is throttled by its producers: never a flood.
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress.length).toBeLessThan(200);
    expect(events.at(-1)).toMatchObject({ type: 'run', status: 'cancelled' });
  }, 120_000);
});
