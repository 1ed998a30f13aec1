// Approvals of control commands in a real SQLite store: an approval covers one exact text,
// for one server and the host it runs on; import lists what awaits approval; unchanged
// commands keep their approval through --replace; a changed profile approves nothing.
// (Renames and deletes touch the keychain: tests/integration/profiles/commandApprovals.test.ts.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openReplicaDesk, type ReplicaDesk } from '../../../src/main/core/replicaDesk';
import { CommandApprovals, approvalHash } from '../../../src/main/core/profiles/commandApprovals';
import { CommandChangedError } from '../../../src/main/core/profiles/commandReview';
import type { ServerRef } from '../../../src/shared/profiles';

let home: string;
let core: ReplicaDesk;
let approvals: CommandApprovals;

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'rd-approvals-'));
  core = openReplicaDesk({ home });
  approvals = new CommandApprovals(core.store.db);
});
afterEach(() => {
  core.close();
  rmSync(home, { recursive: true, force: true });
});

type Control = { stop?: string; start?: string; status?: string };
const sshHost = { access: 'ssh', hostname: 'rls1.example', port: 22, user: 'cm' };

function file(rls1: Control, options: { host?: object; rls2?: Control } = {}): string {
  return JSON.stringify({
    format: 'replica-desk/profiles@1',
    installations: [
      {
        name: 'prod',
        servers: [
          { name: 'mls', role: 'master', db: { host: 'db', database: 'cm', user: 'cm_master' } },
          { name: 'rls1', role: 'replica', db: { host: 'db', database: 'cm', user: 'cm_rls1' }, control: rls1, ...(options.host ? { host: options.host } : {}) },
          { name: 'rls2', role: 'replica', db: { host: 'db', database: 'cm', user: 'cm_rls2' }, ...(options.rls2 ? { control: options.rls2 } : {}) },
        ],
      },
    ],
  });
}

const rls1: ServerRef = { installation: 'prod', server: 'rls1' };
const approved = (ref: ServerRef, kind: 'stop' | 'start' | 'status') => approvals.isApproved(ref, core.profiles.server(ref), kind);

describe('command approvals', () => {
  it('imports commands unapproved and lists each in full as new', async () => {
    const summary = await core.profiles.importText(file({ stop: 'systemctl stop cm-rls1', status: 'systemctl is-active cm-rls1' }), { replace: false });
    expect(summary.commands).toEqual([
      { ref: 'prod/rls1', kind: 'stop', command: 'systemctl stop cm-rls1', runsOn: 'local', approved: false, change: 'new' },
      { ref: 'prod/rls1', kind: 'status', command: 'systemctl is-active cm-rls1', runsOn: 'local', approved: false, change: 'new' },
    ]);
    expect(approved(rls1, 'stop')).toBe(false);
    expect(approved(rls1, 'status')).toBe(false);
    expect(core.commands.list({ installation: 'prod' }).map((c) => c.approved)).toEqual([false, false]);
  });

  it('approves on import with approveCommands, and keeps unchanged commands approved through --replace', async () => {
    const first = await core.profiles.importText(file({ stop: 'stop-a', status: 'status-a' }), { replace: false, approveCommands: true });
    expect(first.commands.map((c) => [c.kind, c.approved, c.change])).toEqual([['stop', true, 'new'], ['status', true, 'new']]);
    expect(approved(rls1, 'stop')).toBe(true);

    const again = await core.profiles.importText(file({ stop: 'stop-a', status: 'status-b' }), { replace: true });
    // The unchanged stop command is not listed and stays approved; the edited status needs a new approval.
    expect(again.commands).toEqual([{ ref: 'prod/rls1', kind: 'status', command: 'status-b', runsOn: 'local', approved: false, change: 'changed' }]);
    expect(approved(rls1, 'stop')).toBe(true);
    expect(approved(rls1, 'status')).toBe(false);
  });

  it('does not let the approval of text A cover an edited text B, nor A again after the edit', async () => {
    await core.profiles.importText(file({ status: 'test -f /run/a' }), { replace: false, approveCommands: true });
    const installation = core.profiles.get('prod');
    const edit = (status: string) => ({ ...installation, servers: installation.servers.map((s) => (s.name === 'rls1' ? { ...s, control: { status } } : s)) });

    await core.profiles.save({ previousName: 'prod', installation: edit('test -f /run/a ; touch /tmp/x') });
    expect(approved(rls1, 'status')).toBe(false);
    await core.profiles.save({ previousName: 'prod', installation: edit('test -f /run/a') });
    expect(approved(rls1, 'status')).toBe(false);
  });

  it('binds an approval to the server and to the host the command runs on', async () => {
    await core.profiles.importText(file({ status: 'same text' }, { rls2: { status: 'same text' } }), { replace: false });
    core.commands.approve({ installation: 'prod', server: 'rls1' }, core.commands.list({ installation: 'prod', server: 'rls1' }));
    expect(approved(rls1, 'status')).toBe(true);
    expect(approved({ installation: 'prod', server: 'rls2' }, 'status')).toBe(false);

    const moved = await core.profiles.importText(file({ status: 'same text' }, { host: sshHost, rls2: { status: 'same text' } }), { replace: true });
    expect(moved.commands.find((c) => c.ref === 'prod/rls1')).toMatchObject({ change: 'changed', runsOn: 'ssh cm@rls1.example:22', approved: false });
    expect(approved(rls1, 'status')).toBe(false);
    expect(approvalHash(rls1, 'status', 'local', 'same text')).not.toBe(approvalHash(rls1, 'status', 'ssh cm@rls1.example:22', 'same text'));
    expect(approvalHash(rls1, 'status', 'local', 'same text')).not.toBe(approvalHash(rls1, 'stop', 'local', 'same text'));
  });

  it('approves exactly what was shown, and nothing when the profile changed since', async () => {
    await core.profiles.importText(file({ stop: 'stop-a', status: 'status-a' }), { replace: false });
    const shown = core.commands.list({ installation: 'prod' });
    await core.profiles.importText(file({ stop: 'stop-a', status: 'status-EVIL' }), { replace: true });
    expect(() => core.commands.approve({ installation: 'prod' }, shown)).toThrow(CommandChangedError);
    expect(approved(rls1, 'stop')).toBe(false);
    expect(approved(rls1, 'status')).toBe(false);

    const fresh = core.commands.list({ installation: 'PROD' });
    expect(core.commands.approve({ installation: 'PROD' }, fresh).map((c) => c.kind)).toEqual(['stop', 'status']);
    expect(core.commands.list({ installation: 'prod' }).every((c) => c.approved)).toBe(true);
  });

  it('stores hashes, not command texts', async () => {
    await core.profiles.importText(file({ status: 'secret-looking-command --flag' }), { replace: false, approveCommands: true });
    const rows = core.store.db.prepare('SELECT * FROM command_approvals').all() as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ installation: 'prod', server: 'rls1', kind: 'status', hash: approvalHash(rls1, 'status', 'local', 'secret-looking-command --flag') });
    expect(JSON.stringify(rows)).not.toContain('secret-looking-command');
  });
});
