// How the keychain store tells a locked keychain from an empty one. The real thing, a locked
// gnome-keyring, is in tests/integration/secrets/lockedKeyring.test.ts; here a keytar that
// answers as libsecret does on a locked keyring (null, false) and a probe with a given
// answer pin the store's decisions, and the D-Bus tools' answers are parsed as recorded
// from gdbus and dbus-send against gnome-keyring 42.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { KeychainLockedError, KeychainTimeoutError, toKeychainError } from '../../../src/main/core/secrets/keychainErrors';
import { KeytarSecretStore, type KeytarLike } from '../../../src/main/core/secrets/keytarSecretStore';
import { Secret } from '../../../src/main/core/secrets/secret';
import {
  parseDbusSendLocked,
  parseDbusSendSearch,
  parseGdbusLocked,
  parseGdbusSearch,
  probeSecretServiceLock,
  type KeychainLockProbe,
  type KeychainLockState,
} from '../../../src/main/core/secrets/secretServiceLock';

// What libsecret answers on a locked keyring: no error, just nothing.
function lockedLookingEmpty(stored: Record<string, string> = {}): KeytarLike & { setPassword: ReturnType<typeof vi.fn> } {
  return {
    getPassword: async (_s, account) => stored[account] ?? null,
    setPassword: vi.fn(async () => undefined),
    deletePassword: async (_s, account) => account in stored,
  };
}

const answering = (state: KeychainLockState) => vi.fn<KeychainLockProbe>(async () => state);
const LOCKED_DEFAULT: KeychainLockState = { state: 'locked', keyring: 'default', entryFound: false };

describe('KeytarSecretStore on a keychain that answers "no entry"', () => {
  it('never asks about the lock when the entry is there', async () => {
    const probe = answering(LOCKED_DEFAULT);
    const store = new KeytarSecretStore({ keytar: lockedLookingEmpty({ 'i/s/db': 'stored-pw' }), lockProbe: probe });
    expect((await store.get('i/s/db'))?.reveal()).toBe('stored-pw');
    expect(await store.delete('i/s/db')).toBe(true);
    expect(probe).not.toHaveBeenCalled();
  });

  it('turns null into KeychainLockedError when the keyring is locked', async () => {
    const probe = answering({ state: 'locked', keyring: 'login', entryFound: true });
    const store = new KeytarSecretStore({ keytar: lockedLookingEmpty(), lockProbe: probe });
    const error = await store.get('i/s/db').then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(KeychainLockedError);
    expect((error as Error).message).toBe('The OS keychain is locked: the keyring "login" that holds the entry is locked, so i/s/db cannot be read');
    expect(probe).toHaveBeenCalledWith('i/s/db');
  });

  it('turns a false delete into KeychainLockedError when the keyring is locked', async () => {
    const store = new KeytarSecretStore({ keytar: lockedLookingEmpty(), lockProbe: answering(LOCKED_DEFAULT) });
    await expect(store.delete('i/s/db')).rejects.toThrow('The OS keychain is locked: the default keyring is locked, so i/s/db cannot be deleted');
  });

  it('refuses to store before keytar can raise an unlock prompt', async () => {
    const keytar = lockedLookingEmpty();
    const probe = answering(LOCKED_DEFAULT);
    const store = new KeytarSecretStore({ keytar, lockProbe: probe });
    await expect(store.set('i/s/db', new Secret('never-stored-pw'))).rejects.toBeInstanceOf(KeychainLockedError);
    expect(probe).toHaveBeenCalledWith(null);
    expect(keytar.setPassword).not.toHaveBeenCalled();
  });

  it.each<[string, KeychainLockProbe | null]>([
    ['unlocked', answering({ state: 'unlocked' })],
    ['unknown', answering({ state: 'unknown', reason: 'gdbus is not installed, dbus-send is not installed' })],
    ['a probe that throws', async () => Promise.reject(new Error('boom'))],
    ['no probe (macOS, Windows)', null],
  ])('keeps null as "no entry" when the lock state is %s', async (_name, lockProbe) => {
    const store = new KeytarSecretStore({ keytar: lockedLookingEmpty(), lockProbe });
    expect(await store.get('i/s/db')).toBeNull();
    expect(await store.delete('i/s/db')).toBe(false);
    await store.set('i/s/db', new Secret('stored-when-unknown-pw'));
  });

  it('names a timeout on a locked keyring as locked: the call waits on an unlock prompt', async () => {
    const hanging: KeytarLike = { getPassword: () => new Promise(() => undefined), setPassword: async () => undefined, deletePassword: async () => false };
    const locked = new KeytarSecretStore({ keytar: hanging, timeoutMs: 50, lockProbe: answering(LOCKED_DEFAULT) });
    await expect(locked.get('i/s/db')).rejects.toThrow(
      'The OS keychain is locked: the default keyring is locked, and its unlock prompt was not answered within 0.05 s',
    );
    const unlocked = new KeytarSecretStore({ keytar: hanging, timeoutMs: 50, lockProbe: answering({ state: 'unlocked' }) });
    await expect(unlocked.get('i/s/db')).rejects.toBeInstanceOf(KeychainTimeoutError);
  });
});

describe('parsing the Secret Service answers', () => {
  it('reads gdbus output', () => {
    expect(parseGdbusLocked('(<true>,)\n')).toBe(true);
    expect(parseGdbusLocked('(<false>,)\n')).toBe(false);
    expect(parseGdbusLocked('()\n')).toBeNull();
    expect(parseGdbusSearch('(@ao [], @ao [])\n')).toEqual({ unlocked: [], locked: [] });
    expect(parseGdbusSearch("(@ao [], [objectpath '/org/freedesktop/secrets/collection/other/1'])\n")).toEqual({
      unlocked: [],
      locked: ['/org/freedesktop/secrets/collection/other/1'],
    });
    expect(
      parseGdbusSearch("([objectpath '/org/freedesktop/secrets/collection/login/1', '/org/freedesktop/secrets/collection/login/2'], @ao [])\n"),
    ).toEqual({ unlocked: ['/org/freedesktop/secrets/collection/login/1', '/org/freedesktop/secrets/collection/login/2'], locked: [] });
  });

  it('reads dbus-send output', () => {
    const reply = 'method return time=1796160699.54 sender=:1.0 -> destination=:1.2 serial=10 reply_serial=2\n';
    expect(parseDbusSendLocked(`${reply}   variant       boolean true\n`)).toBe(true);
    expect(parseDbusSendLocked(`${reply}   variant       boolean false\n`)).toBe(false);
    expect(parseDbusSendSearch(`${reply}   array [\n   ]\n   array [\n      object path "/org/freedesktop/secrets/collection/login/1"\n   ]\n`)).toEqual({
      unlocked: [],
      locked: ['/org/freedesktop/secrets/collection/login/1'],
    });
  });
});

describe.skipIf(process.platform === 'win32')('probeSecretServiceLock with D-Bus tools that misbehave', () => {
  const bin = mkdtempSync(join(tmpdir(), 'lock-probe-bin-'));
  afterAll(() => rmSync(bin, { recursive: true, force: true }));

  it('answers unknown, within its timeout, when gdbus never answers', async () => {
    const pidFile = join(bin, 'pid');
    writeFileSync(join(bin, 'gdbus'), `#!/bin/sh\necho $$ >> '${pidFile}'\nexec sleep 30\n`);
    chmodSync(join(bin, 'gdbus'), 0o755);
    const started = Date.now();
    const state = await probeSecretServiceLock('i/s/db', { env: { PATH: `${bin}:/usr/bin:/bin` }, timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(state).toEqual({ state: 'unknown', reason: 'gdbus did not answer within 0.3 s', timedOut: true });
    // Both questions ran, and neither tool was left running.
    const pids = readFileSync(pidFile, 'utf8').trim().split('\n').map(Number);
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
    rmSync(join(bin, 'gdbus'));
  });

  it('answers unknown when neither gdbus nor dbus-send is installed', async () => {
    expect(await probeSecretServiceLock('i/s/db', { env: { PATH: bin } })).toEqual({
      state: 'unknown',
      reason: 'gdbus is not installed, dbus-send is not installed',
    });
  });
});

describe('toKeychainError', () => {
  it("classifies macOS's errSecInteractionNotAllowed as locked", () => {
    const error = toKeychainError(new Error('User interaction is not allowed.'), 'darwin');
    expect(error).toBeInstanceOf(KeychainLockedError);
    expect(error.hint).toContain('security unlock-keychain');
  });
});
