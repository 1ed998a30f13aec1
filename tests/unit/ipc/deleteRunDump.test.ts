// Deleting a dump from the app and the retention setting, through the operation table: the
// admin is asked in main (confirmInMain) with the file and its size; no answer, or no, keeps
// the file; a dump a resumable run needs is refused before anyone is asked.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHandlers } from '../../../src/main/ipc/handlers';
import type { TrustPrompt } from '../../../src/main/ipc/confirmInMain';
import { RunStore } from '../../../src/main/core/history/runStore';
import { openReplicaDesk, type ReplicaDesk } from '../../../src/main/core/replicaDesk';
import { seedRunWithDump } from '../../harness/runDumpSeed';

let home: string;
let core: ReplicaDesk;
const seed = (options: Parameters<typeof seedRunWithDump>[3]) => seedRunWithDump(new RunStore(core.store.db), core.store.db, join(home, 'backups'), options);

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'rd-dump-ipc-'));
  core = openReplicaDesk({ home });
});
afterEach(() => {
  core.close();
  rmSync(home, { recursive: true, force: true });
});

describe('deleteRunDump', () => {
  it('asks in main with the file and size, and deletes only on yes', async () => {
    const run = seed({ hoursAgo: 5, outcome: 'succeeded', bytes: 2_345_678 });
    const prompts: TrustPrompt[] = [];
    const no = createHandlers(core, { confirmInMain: async (p) => (prompts.push(p), false) });
    expect(await no.deleteRunDump({ runId: run.runId })).toMatchObject({ ok: true, value: { deleted: false, dump: { state: 'present' } } });
    expect(existsSync(run.file)).toBe(true);
    expect(prompts[0]!.message).toContain('2.3 MB');
    expect(prompts[0]!.detail).toContain(run.file);
    expect(prompts[0]!.detail).toContain('2,345,678 bytes');

    // Without a prompt (a renderer alone), the answer is no.
    expect(await createHandlers(core).deleteRunDump({ runId: run.runId })).toMatchObject({ ok: true, value: { deleted: false } });
    expect(existsSync(run.file)).toBe(true);

    const yes = createHandlers(core, { confirmInMain: async () => true });
    expect(await yes.deleteRunDump({ runId: run.runId })).toMatchObject({ ok: true, value: { deleted: true, dump: { state: 'deleted', deleted: { reason: 'admin' } } } });
    expect(existsSync(run.file)).toBe(false);
    expect(await yes.showRun({ runId: run.runId })).toMatchObject({ ok: true, value: { dump: { state: 'deleted' } } });
  });

  it('refuses a dump a resumable run needs without asking', async () => {
    const run = seed({ hoursAgo: 5, outcome: 'failed', restoreDone: false });
    let asked = false;
    const handlers = createHandlers(core, { confirmInMain: async () => (asked = true) });
    expect(await handlers.deleteRunDump({ runId: run.runId })).toMatchObject({ ok: false, error: { code: 'dump-needed', message: expect.stringContaining(`needed by resumable run ${run.runId}`) } });
    expect(asked).toBe(false);
    expect(existsSync(run.file)).toBe(true);
  });
});

describe('settings operations', () => {
  it('reads the default, stores a valid N and refuses an invalid one', async () => {
    const handlers = createHandlers(core);
    expect(await handlers.getSettings({})).toEqual({ ok: true, value: { dumpsKept: 2 } });
    expect(await handlers.updateSettings({ settings: { dumpsKept: 4 } })).toEqual({ ok: true, value: { dumpsKept: 4 } });
    expect(await handlers.updateSettings({ settings: { dumpsKept: 0 } })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(await handlers.getSettings({})).toEqual({ ok: true, value: { dumpsKept: 4 } });
  });
});
