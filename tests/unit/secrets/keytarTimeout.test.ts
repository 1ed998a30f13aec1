// The one fake in the keychain tests: a keytar that never answers, standing for a keyring
// that waits on an unlock prompt nobody can see (DISPLAY set, keyring locked). The real
// keychain cannot be made to hang on purpose without a display and a prompter.
import { describe, expect, it } from 'vitest';
import {
  KeychainLockedError,
  KeychainTimeoutError,
  KeychainUnavailableError,
  toKeychainError,
} from '../../../src/main/core/secrets/keychainErrors';
import { KeytarSecretStore, type KeytarLike } from '../../../src/main/core/secrets/keytarSecretStore';
import { Secret } from '../../../src/main/core/secrets/secret';

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);
const hangingKeytar: KeytarLike = {
  getPassword: () => never(),
  setPassword: () => never(),
  deletePassword: () => never(),
};

describe('KeytarSecretStore timeout', () => {
  // No lock probe: whatever keyring this machine has must not decide what a hang is called.
  const store = new KeytarSecretStore({ keytar: hangingKeytar, timeoutMs: 50, lockProbe: null });

  it.each([
    ['get', () => store.get('inst/srv/db')],
    ['set', () => store.set('inst/srv/db', new Secret('never-stored-pw'))],
    ['delete', () => store.delete('inst/srv/db')],
  ])('turns a %s that never answers into KeychainTimeoutError', async (_op, call) => {
    const error = await call().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(KeychainTimeoutError);
    expect(error).toMatchObject({ code: 'keychain-timeout' });
    expect((error as KeychainTimeoutError).message).toContain('inst/srv/db');
    expect((error as KeychainTimeoutError).hint).toMatch(/unlock the keyring or answer the OS password prompt/i);
  });
});

describe('toKeychainError', () => {
  it('classifies libsecret messages as locked or unavailable', () => {
    const locked = toKeychainError(new Error('Cannot create an item in a locked collection'), 'linux');
    expect(locked).toBeInstanceOf(KeychainLockedError);
    expect(locked.code).toBe('keychain-locked');

    const noBus = toKeychainError(new Error('Cannot autolaunch D-Bus without X11 $DISPLAY'), 'linux');
    expect(noBus).toBeInstanceOf(KeychainUnavailableError);
    expect(noBus.code).toBe('keychain-unavailable');
    expect(noBus.message).toContain('Cannot autolaunch D-Bus without X11 $DISPLAY');
    expect(noBus.hint).toContain('gnome-keyring-daemon --start --components=secrets');
    expect(noBus.hint).toContain('~/.pgpass');
  });

  it('gives a hint for the platform at hand', () => {
    expect(toKeychainError(new Error('x'), 'darwin').hint).toMatch(/keychain/i);
    expect(toKeychainError(new Error('x'), 'win32').hint).toContain('%APPDATA%\\postgresql\\pgpass.conf');
  });

  it('masks a known secret quoted in the underlying message', () => {
    const secret = new Secret('quoted-in-error-pw');
    const error = toKeychainError(new Error(`failed to store ${secret.reveal()}`), 'linux');
    expect(error.message).not.toContain(secret.reveal());
  });
});
