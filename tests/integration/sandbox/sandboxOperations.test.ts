// The app's sandbox operations through the operation table, with the real core behind them
// (PostgreSQL clusters, stand-in servers, the keychain, SQLite): one sandbox job at a time
// in main (a second up, or a down, is refused while one runs, before anyone is asked),
// progress as events in phase order ending with `end`, the running job in sandboxStatus,
// cancel, and down only after main's own prompt said yes.
// Run inside a Secret Service: bash scripts/with-keyring.sh npx vitest run --project integration tests/integration/sandbox/sandboxOperations.test.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReplicaDesk, type ReplicaDesk } from '../../../src/main/core/replicaDesk';
import type { TrustPrompt } from '../../../src/main/ipc/confirmInMain';
import { createHandlers, type Handlers } from '../../../src/main/ipc/handlers';
import { SANDBOX_UP_PHASES } from '../../../src/shared/sandbox';
import type { SandboxEvent } from '../../../src/shared/sandboxEvents';
import { useOwnKeyring } from './ownKeyring';

const BUILD_TIMEOUT = 150_000;
let home: string;
let core: ReplicaDesk;
let handlers: Handlers;
const events: SandboxEvent[] = [];
const prompts: TrustPrompt[] = [];
let answer = false;

// A keyring of this file's own: the sandbox's keychain accounts are the same in every data directory (ownKeyring.ts).
useOwnKeyring();

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'rd-sandbox-ops-'));
  core = openReplicaDesk({ home });
  handlers = createHandlers(core, {
    emitSandbox: (event) => events.push(event),
    confirmInMain: async (prompt) => {
      prompts.push(prompt);
      return answer;
    },
  });
});

afterAll(async () => {
  // Whatever a failed test left goes, so no cluster or stand-in outlives it.
  await core.sandbox.down().catch(() => undefined);
  core.close();
  rmSync(home, { recursive: true, force: true });
}, BUILD_TIMEOUT);

const ends = () => events.filter((e): e is Extract<SandboxEvent, { type: 'end' }> => e.type === 'end');
const progress = () => events.flatMap((e) => (e.type === 'progress' ? [e.progress] : []));

describe('the sandbox operations', () => {
  it('refuse what the renderer may not ask: a size out of range, a directory of its choosing', async () => {
    for (const request of [{ sizeMb: 0 }, { sizeMb: 20_001 }, { sizeMb: 1.5 }, { sizeMb: 5, dir: '/etc' }]) {
      expect(await handlers.sandboxUp(request as never), JSON.stringify(request)).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    }
    expect(await handlers.sandboxCancel({})).toEqual({ ok: true, value: { cancelled: false } });
    expect(events).toEqual([]);
  });

  it('cancel stops a build, which ends cancelled with a hint about trying again', async () => {
    const up = handlers.sandboxUp({ sizeMb: 2 });
    await expect.poll(() => progress().length, { timeout: 30_000, interval: 20 }).toBeGreaterThan(0);
    expect(await handlers.sandboxStatus({})).toMatchObject({ ok: true, value: { job: { action: 'up', cancelling: false } } });
    expect(await handlers.sandboxCancel({})).toEqual({ ok: true, value: { cancelled: true } });
    const result = await up;
    expect(result).toMatchObject({ ok: false, error: { code: 'cancelled', message: 'Building the sandbox was cancelled.' } });
    if (!result.ok) expect(result.error.hint).toContain('Try the sandbox again');
    expect(ends()).toEqual([{ type: 'end', action: 'up', outcome: 'cancelled', error: expect.objectContaining({ code: 'cancelled' }) }]);
    expect(await handlers.sandboxStatus({})).toMatchObject({ ok: true, value: { job: null } });
  }, BUILD_TIMEOUT);

  it('runs one job at a time: a second up and a down are refused while the first builds, which ends with every phase in order', async () => {
    events.length = 0;
    const first = handlers.sandboxUp({ sizeMb: 2 });
    const second = await handlers.sandboxUp({ sizeMb: 2 });
    expect(second).toMatchObject({ ok: false, error: { code: 'conflict', message: 'The sandbox is being built already.' } });
    expect(await handlers.sandboxDown({})).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(prompts).toEqual([]);

    const built = await first;
    expect(built).toMatchObject({ ok: true, value: { status: { exists: true, installation: 'sandbox' } } });
    const phases = progress().filter((p) => p.action === 'up');
    // Each phase reported at least once (a throttled MB update may be dropped, a phase never), in order.
    expect([...new Set(phases.map((p) => p.phase))]).toEqual([...SANDBOX_UP_PHASES]);
    expect(phases.every((p) => p.count === SANDBOX_UP_PHASES.length)).toBe(true);
    expect(ends()).toEqual([{ type: 'end', action: 'up', outcome: 'done', error: null }]);
    expect(await handlers.sandboxStatus({})).toMatchObject({ ok: true, value: { exists: true, job: null } });
  }, BUILD_TIMEOUT);

  it('removes the sandbox only once main asked and the admin said yes', async () => {
    events.length = 0;
    answer = false;
    expect(await handlers.sandboxDown({})).toEqual({ ok: true, value: { confirmed: false, report: null } });
    expect(prompts).toHaveLength(1);
    expect(prompts[0]).toMatchObject({ title: 'Remove the sandbox', confirmLabel: 'Remove sandbox' });
    expect(prompts[0]!.detail).toMatch(/PostgreSQL cluster a \(port \d+\)/);
    expect(events).toEqual([]);
    expect(await handlers.sandboxStatus({})).toMatchObject({ ok: true, value: { exists: true } });

    answer = true;
    const removed = await handlers.sandboxDown({});
    expect(removed).toMatchObject({ ok: true, value: { confirmed: true, report: { existed: true } } });
    if (removed.ok) expect(removed.value.report!.removed.length).toBeGreaterThan(0);
    expect(ends()).toEqual([{ type: 'end', action: 'down', outcome: 'done', error: null }]);
    expect(progress().every((p) => p.action === 'down')).toBe(true);
    expect(await handlers.sandboxStatus({})).toMatchObject({ ok: true, value: { exists: false, job: null } });
    expect(await handlers.listInstallations({})).toEqual({ ok: true, value: [] });

    // Nothing left: nothing to confirm, nothing removed.
    expect(await handlers.sandboxDown({})).toMatchObject({ ok: true, value: { confirmed: true, report: { existed: false } } });
    expect(prompts).toHaveLength(2);
  }, BUILD_TIMEOUT);
});
