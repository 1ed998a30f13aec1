// Rollback and discard from the app, through the operation table: what the history rules
// out is refused as a value (code, message, hint) before any database or prompt; discarding
// a kept schema is asked in main (confirmInMain) with the schema, replica and size, and no
// answer, or no, drops nothing and records nothing. (The drop itself, against a real
// PostgreSQL, is covered by tests/integration/restore/rollback.test.ts.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHandlers } from '../../../src/main/ipc/handlers';
import type { TrustPrompt } from '../../../src/main/ipc/confirmInMain';
import { openReplicaDesk, type ReplicaDesk } from '../../../src/main/core/replicaDesk';
import { planRestore } from '../../../src/main/core/restore/planRestore';
import { keptSchemaName } from '../../../src/main/core/restore/sideBySideNames';
import { InstallationSchema } from '../../../src/shared/profiles';
import type { RestoreMode } from '../../../src/shared/restorePlan';

let home: string;
let core: ReplicaDesk;

// Port 1 on loopback refuses at once: no database answers in a unit test.
const installation = {
  name: 'prod',
  servers: [
    { name: 'mls', role: 'master', db: { host: '127.0.0.1', port: 1, database: 'cm', user: 'cm_master' } },
    { name: 'rls1', role: 'replica', db: { host: '127.0.0.1', port: 1, database: 'cm', user: 'cm_rls1' } },
  ],
};

function seedRun(mode: RestoreMode): string {
  const plan = planRestore(InstallationSchema.parse(installation), { replicas: [], backupDir: join(home, 'b'), mode });
  const runId = core.restore.runs.create(plan, { identities: { rls1: { systemIdentifier: '1', database: 'cm', schema: 'cm_rls1' } } });
  for (const s of plan.steps) {
    const captured = s.id === 'swap' ? { keptSchema: keptSchemaName('cm_rls1', runId), keptBytes: 4_200_000 } : {};
    core.restore.runs.setStep(runId, s.seq, 'done', { captured });
    core.restore.runs.kept.recordStepOutcome(runId, plan, s, captured);
  }
  core.restore.runs.setReplica(runId, 'rls1', 'succeeded');
  core.restore.runs.finish(runId, 'succeeded', null);
  return runId;
}

beforeEach(async () => {
  home = mkdtempSync(join(tmpdir(), 'rd-rollback-ipc-'));
  core = openReplicaDesk({ home });
  await core.profiles.save({ installation, serverRenames: [] });
});
afterEach(() => {
  core.close();
  rmSync(home, { recursive: true, force: true });
});

describe('prepareRollback', () => {
  it('refuses an unknown run and an in-place run as values, before any database is asked', async () => {
    const handlers = createHandlers(core);
    expect(await handlers.prepareRollback({ runId: 'nope' })).toMatchObject({ ok: false, error: { code: 'invalid-input', message: 'There is no run nope.' } });
    const inPlace = seedRun('in-place');
    expect(await handlers.prepareRollback({ runId: inPlace })).toMatchObject({ ok: false, error: { code: 'rollback-refused', message: expect.stringContaining('restored in place'), hint: expect.any(String) } });
    expect(await handlers.prepareRollback({ runId: inPlace, replicas: [''] })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
  });

  it('prepares a plan whose preflight fails when the replica cannot be reached, and never starts it', async () => {
    const runId = seedRun('side-by-side');
    const handlers = createHandlers(core);
    const prepared = await handlers.prepareRollback({ runId });
    expect(prepared.ok).toBe(true);
    if (!prepared.ok) return;
    expect(prepared.value.plan).toMatchObject({ kind: 'rollback', rollbackOf: runId, replicas: ['rls1'] });
    expect(prepared.value.preflight.ok).toBe(false);
    expect(prepared.value.preflight.findings).toContainEqual(expect.objectContaining({ check: 'database', server: 'prod/rls1', ok: false }));
    expect(await handlers.startRestore({ planId: prepared.value.planId, confirmations: { 'prod/rls1': 'prod/rls1' } })).toMatchObject({ ok: false, error: { code: 'preflight-failed' } });
    expect(core.restore.list().map((r) => r.runId)).toEqual([runId]);
  });
});

describe('discardKeptSchema', () => {
  it('asks in main with the schema, replica and size; no answer or no drops nothing', async () => {
    const runId = seedRun('side-by-side');
    const prompts: TrustPrompt[] = [];
    const no = createHandlers(core, { confirmInMain: async (p) => (prompts.push(p), false) });
    const answer = await no.discardKeptSchema({ runId, replica: 'rls1' });
    expect(answer).toMatchObject({ ok: true, value: { discarded: false, kept: { replica: 'prod/rls1', schema: keptSchemaName('cm_rls1', runId), kind: 'prev' } } });
    expect(prompts[0]!.message).toContain(keptSchemaName('cm_rls1', runId));
    expect(prompts[0]!.message).toContain('prod/rls1');
    expect(prompts[0]!.detail).toContain(`run ${runId} can no longer be rolled back`);
    // Without a prompt (a renderer alone), the answer is no.
    expect(await createHandlers(core).discardKeptSchema({ runId, replica: 'rls1' })).toMatchObject({ ok: true, value: { discarded: false } });
    expect(core.restore.record(runId).replicas[0]!.kept).toMatchObject({ state: 'kept', bytes: 4_200_000 });
  });

  it('refuses without asking when the run keeps nothing for the replica', async () => {
    const inPlace = seedRun('in-place');
    let asked = false;
    const handlers = createHandlers(core, { confirmInMain: async () => (asked = true) });
    expect(await handlers.discardKeptSchema({ runId: inPlace, replica: 'rls1' })).toMatchObject({ ok: false, error: { code: 'discard-refused' } });
    const runId = seedRun('side-by-side');
    expect(await handlers.discardKeptSchema({ runId, replica: 'rls7' })).toMatchObject({ ok: false, error: { code: 'discard-refused', message: expect.stringContaining('"rls7"') } });
    expect(asked).toBe(false);
  });
});
