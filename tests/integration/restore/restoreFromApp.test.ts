// The desktop app's path through the same operation table the IPC registers: prepare a
// plan, confirm by typing each replica's name, watch events, answer a manual step's
// question, and read the finished run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReplicaDesk, type ReplicaDesk } from '../../../src/main/core/replicaDesk';
import { createHandlers, type Handlers } from '../../../src/main/ipc/handlers';
import type { RestoreEvent } from '../../../src/shared/restoreEvents';
import { runShell, startRestoreEnvironment, type RestoreEnvironment } from '../../harness/restoreEnvironment';

let env: RestoreEnvironment;
let core: ReplicaDesk;
let handlers: Handlers;
const events: RestoreEvent[] = [];

beforeAll(async () => {
  env = await startRestoreEnvironment({ withoutSsh: true });
  core = openReplicaDesk({ home: env.home, env: { ...process.env, ...env.env } });
  handlers = createHandlers(core, {
    emit: (e) => {
      events.push(e);
      // The admin does the manual step (stops rls1 by hand), then answers in the wizard.
      if (e.type === 'confirm') void runShell(env.control.rls1.stop).then(() => handlers.answerConfirmation({ requestId: e.requestId, confirmed: true }));
    },
  });
  // rls1 loses its stop command: stopping it becomes a manual step the app asks about.
  const inst = core.profiles.get(env.installation);
  const rls1 = inst.servers.find((s) => s.name === 'rls1')!;
  await core.profiles.save({ previousName: inst.name, installation: { ...inst, servers: inst.servers.map((s) => (s === rls1 ? { ...s, control: { start: rls1.control!.start!, status: rls1.control!.status! } } : s)) } });
}, 120_000);
afterAll(async () => {
  core?.close();
  await env?.stop();
});

async function waitForEnd(runId: string) {
  for (let i = 0; i < 600; i++) {
    const shown = await handlers.showRun({ runId });
    if (shown.ok && shown.value.status !== 'running') return shown.value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('run did not end');
}

describe('restore driven by the app', () => {
  it('refuses to start without every replica typed back', async () => {
    const prepared = await handlers.prepareRestore({ installation: env.installation, replicas: [] });
    expect(prepared.ok).toBe(true);
    if (!prepared.ok) return;
    expect(prepared.value.preflight.ok).toBe(true);
    expect(prepared.value.plan.steps.find((s) => s.id === 'stop-replica' && s.replica === 'rls1')!.manual).toBe(true);
    const refused = await handlers.startRestore({ planId: prepared.value.planId, confirmations: { [`${env.installation}/rls1`]: `${env.installation}/rls1`, [`${env.installation}/rls2`]: 'rls2' } });
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid-input', problems: [{ path: `confirmations["${env.installation}/rls2"]` }] } });
    expect((await handlers.listRuns({})).ok && (await handlers.listRuns({}))).toMatchObject({ value: [] });
  });

  it('prepares the mode the wizard chose, and refuses one it does not know', async () => {
    for (const mode of ['side-by-side', 'in-place'] as const) {
      const prepared = await handlers.prepareRestore({ installation: env.installation, replicas: ['rls2'], mode });
      if (!prepared.ok) throw new Error(prepared.error.message);
      expect(prepared.value.plan.mode).toBe(mode);
      expect(prepared.value.plan.modeReason).toBeTruthy();
      expect(prepared.value.plan.steps.some((s) => s.id === 'swap')).toBe(mode === 'side-by-side');
    }
    expect(await handlers.prepareRestore({ installation: env.installation, replicas: [], mode: 'sideways' as never })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
  }, 60_000);

  it('runs the confirmed plan in the background, asking about the manual step, and records it', async () => {
    const prepared = await handlers.prepareRestore({ installation: env.installation, replicas: [] });
    if (!prepared.ok) throw new Error(prepared.error.message);
    const names = prepared.value.plan.replicas.map((r) => `${env.installation}/${r}`);
    const started = await handlers.startRestore({ planId: prepared.value.planId, confirmations: Object.fromEntries(names.map((n) => [n, n])) });
    if (!started.ok) throw new Error(started.error.message);
    const run = await waitForEnd(started.value.runId);
    expect(run.status).toBe('succeeded');
    expect(events.some((e) => e.type === 'confirm' && /Stop .*rls1/.test(e.instruction))).toBe(true);
    expect(events.filter((e) => e.type === 'step' && e.status === 'done').length).toBe(run.steps.length);
    expect(run.log!.some((l) => /confirmed: Stop/.test(l.message))).toBe(true);
    // A plan is used once.
    const again = await handlers.startRestore({ planId: prepared.value.planId, confirmations: Object.fromEntries(names.map((n) => [n, n])) });
    expect(again).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(await handlers.cancelRun({ runId: started.value.runId })).toEqual({ ok: true, value: { cancelled: false } });
  }, 120_000);
});
