// The sandbox's state row in a real SQLite store (migration 11): while it exists, the
// installation it names is the sandbox's — profile import, save and delete refuse it, and
// only the sandbox itself (`as: 'sandbox'`) writes or deletes it. Runs of that installation
// are marked as sandbox runs when created, and stay marked after the row is gone. Deleting
// an installation removes its keychain entries: the real keychain (scripts/with-keyring.sh).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openReplicaDesk, type ReplicaDesk } from '../../../src/main/core/replicaDesk';
import { SandboxStore } from '../../../src/main/core/sandbox/sandboxStore';
import { OwnedInstallationError } from '../../../src/main/core/profiles/installationOwnership';
import { RunStore } from '../../../src/main/core/history/runStore';
import { planRestore } from '../../../src/main/core/restore/planRestore';
import { RunHistory } from '../../../src/main/core/history/runHistory';
import { SandboxInUseError } from '../../../src/main/core/sandbox/sandboxErrors';
import { createHandlers } from '../../../src/main/ipc/handlers';
import { PROFILES_FORMAT, type InstallationInput } from '../../../src/shared/profiles';
import { useOwnKeyring } from './ownKeyring';

let home: string;
let core: ReplicaDesk;
let state: SandboxStore;

const installation = (name: string): InstallationInput => ({
  name,
  servers: [
    { name: 'mls', role: 'master', db: { host: '127.0.0.1', port: 5999, database: 'cm', user: 'cm_mls' } },
    { name: 'rls1', role: 'replica', db: { host: '127.0.0.1', port: 5999, database: 'cm', user: 'cm_rls1' } },
  ],
});
const file = (...names: string[]) => JSON.stringify({ format: PROFILES_FORMAT, installations: names.map(installation) });

// A keyring of this file's own: the sandbox's keychain accounts are the same in every data directory (ownKeyring.ts).
useOwnKeyring();

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'rd-sandbox-owner-'));
  core = openReplicaDesk({ home });
  state = new SandboxStore(core.store.db);
});
afterEach(() => {
  core.close();
  rmSync(home, { recursive: true, force: true });
});

describe('the installation the sandbox owns', () => {
  it('is the sandbox\'s only while the state row exists (name compared without case)', () => {
    expect(state.ownerOf('sandbox')).toBeNull();
    state.create({ installation: 'sandbox', dir: join(home, 'sandbox'), sizeMb: 5 }, () => undefined);
    expect(state.ownerOf('SANDBOX')).toBe('sandbox');
    expect(state.ownerOf('prod')).toBeNull();
    expect(state.get()).toMatchObject({ installation: 'sandbox', dir: join(home, 'sandbox'), sizeMb: 5, manifestAt: null });
    state.remove();
    expect(state.ownerOf('sandbox')).toBeNull();
  });

  it('refuses a profiles file that holds it, and changes nothing else in that file', async () => {
    state.create({ installation: 'sandbox', dir: join(home, 'sandbox'), sizeMb: 5 }, () => undefined);
    await core.profiles.importText(file('sandbox'), { replace: true, approveCommands: true, as: 'sandbox' });
    const before = core.profiles.get('sandbox');

    const refused = core.profiles.importText(file('prod', 'Sandbox'), { replace: true });
    await expect(refused).rejects.toBeInstanceOf(OwnedInstallationError);
    await expect(refused).rejects.toMatchObject({ code: 'conflict', hint: expect.stringContaining('sandbox down') });
    expect(core.profiles.list().map((i) => i.name)).toEqual(['sandbox']);
    expect(core.profiles.get('sandbox')).toEqual(before);
  });

  it('refuses saving it, renaming another installation to its name, and deleting it', async () => {
    await core.profiles.save({ installation: installation('prod') });
    state.create({ installation: 'sandbox', dir: join(home, 'sandbox'), sizeMb: 5 }, () => undefined);
    // Before the sandbox imported its profile, the name is already taken by it.
    await expect(core.profiles.save({ installation: installation('sandbox') })).rejects.toBeInstanceOf(OwnedInstallationError);
    await expect(core.profiles.save({ previousName: 'prod', installation: installation('sandbox') })).rejects.toBeInstanceOf(OwnedInstallationError);
    await core.profiles.importText(file('sandbox'), { replace: false, as: 'sandbox' });
    await expect(core.profiles.save({ previousName: 'sandbox', installation: installation('sandbox') })).rejects.toBeInstanceOf(OwnedInstallationError);
    await expect(core.profiles.delete('sandbox')).rejects.toBeInstanceOf(OwnedInstallationError);
    expect(core.profiles.list().map((i) => i.name).sort()).toEqual(['prod', 'sandbox']);

    // The app's operations say the same (it shows the error and its hint).
    const handlers = createHandlers(core);
    for (const result of [await handlers.deleteInstallation({ name: 'sandbox' }), await handlers.saveInstallation({ previousName: 'sandbox', installation: installation('sandbox') })]) {
      expect(result).toMatchObject({ ok: false, error: { code: 'conflict', hint: expect.stringContaining('`replica-desk sandbox down`') } });
    }

    // The admin's own installation is not affected, and the sandbox deletes its own.
    await core.profiles.save({ previousName: 'prod', installation: { ...installation('prod'), description: 'edited' } });
    await core.profiles.delete('sandbox', { as: 'sandbox' });
    expect(core.profiles.list().map((i) => i.name)).toEqual(['prod']);
  });

  it('is an ordinary installation when no sandbox exists (an admin may name one "sandbox")', async () => {
    await core.profiles.importText(file('sandbox'), { replace: false });
    await core.profiles.delete('sandbox');
    expect(core.profiles.list()).toEqual([]);
  });
});

describe('runs of the sandbox', () => {
  const plan = (name: string) => planRestore(core.profiles.validate(installation(name)), { replicas: [], backupDir: '/b' });

  it('are marked when created while the sandbox owns the installation, and stay marked after it is gone', () => {
    const runs = new RunStore(core.store.db);
    const finished = (runId: string) => {
      runs.finish(runId, 'succeeded', null);
      return runId;
    };
    const before = finished(runs.create(plan('sandbox')));
    state.create({ installation: 'sandbox', dir: join(home, 'sandbox'), sizeMb: 5 }, () => undefined);
    const during = finished(runs.create(plan('sandbox')));
    const other = finished(runs.create(plan('prod')));
    state.remove();
    const after = finished(runs.create(plan('sandbox')));

    const records = new RunHistory(runs).list();
    const marked = Object.fromEntries(records.map((r) => [r.runId, r.sandbox]));
    expect(marked).toEqual({ [before]: false, [during]: true, [other]: false, [after]: false });
    expect(state.runCount()).toBe(1);
  });
});

describe('a restore of the sandbox at work', () => {
  it('makes `sandbox up` and `down` refuse, naming the run and how to cancel it, and change nothing', async () => {
    state.create({ installation: 'sandbox', dir: join(home, 'sandbox'), sizeMb: 5 }, () => undefined);
    await core.profiles.importText(file('sandbox'), { replace: false, as: 'sandbox' });
    // A run this (live) process owns, still restoring the sandbox's replicas.
    const runId = new RunStore(core.store.db).create(planRestore(core.profiles.get('sandbox'), { replicas: [], backupDir: '/b' }));

    for (const action of [() => core.sandbox.down(), () => core.sandbox.up({})]) {
      const refused = action();
      await expect(refused).rejects.toBeInstanceOf(SandboxInUseError);
      await expect(refused).rejects.toMatchObject({ message: expect.stringContaining(`Run ${runId} (pid ${process.pid}`), hint: expect.stringContaining('Ctrl-C') });
    }
    expect(state.get()).not.toBeNull();
    expect(core.profiles.get('sandbox').servers.map((s) => s.name)).toEqual(['mls', 'rls1']);
  });
});

