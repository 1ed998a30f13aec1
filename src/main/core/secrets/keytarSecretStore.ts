// The SecretStore over the OS keychain through keytar (libsecret on Linux, Keychain on
// macOS, Credential Manager on Windows).
//
// keytar is loaded at first use, not at import: it is a native module that needs libsecret,
// and commands that never touch the keychain must keep working where it cannot load.
// Every call is bounded by a timeout because, with DISPLAY set and a locked keyring,
// libsecret waits forever on an unlock prompt.
//
// On Linux a locked keyring looks empty to keytar: getPassword answers null and
// deletePassword false, without an error. Only on those answers (the happy path costs
// nothing) the store asks the Secret Service whether a keyring is locked, and says so
// (secretServiceLock.ts). A store is refused up front when the default keyring is locked,
// because libsecret would raise an unlock prompt there and wait on it. macOS and Windows
// report a locked keychain as an error of their own, which toKeychainError classifies.
import { KeychainError, KeychainLockedError, KeychainTimeoutError, KeychainUnavailableError, toKeychainError } from './keychainErrors';
import { Secret } from './secret';
import { KEYCHAIN_SERVICE, type SecretStore } from './secretStore';
import { probeSecretServiceLock, type KeychainLockProbe, type KeychainLockState } from './secretServiceLock';

/** The part of keytar this store uses. */
export interface KeytarLike {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

export interface KeytarSecretStoreOptions {
  /** Upper bound for each keychain call; default 10 s. */
  timeoutMs?: number;
  /** Only for tests that must simulate a keychain (one that hangs, or looks empty); otherwise the real keytar is loaded. */
  keytar?: KeytarLike;
  /**
   * Tells a locked keychain from an empty one. Default: the Secret Service probe on Linux,
   * none elsewhere (null), where keytar itself fails on a locked keychain.
   */
  lockProbe?: KeychainLockProbe | null;
}

export const DEFAULT_KEYCHAIN_TIMEOUT_MS = 10_000;

let loadedKeytar: Promise<KeytarLike> | undefined;

function loadKeytar(): Promise<KeytarLike> {
  loadedKeytar ??= import('keytar').then(
    (mod) => ((mod as { default?: KeytarLike }).default ?? mod) as KeytarLike,
    (error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      throw new KeychainUnavailableError(`the keytar module could not be loaded (${reason})`, process.platform, { cause: error });
    },
  );
  return loadedKeytar;
}

const defaultLockProbe = (): KeychainLockProbe | null =>
  process.platform === 'linux' ? (account) => probeSecretServiceLock(account) : null;

export class KeytarSecretStore implements SecretStore {
  readonly #timeoutMs: number;
  readonly #injected: KeytarLike | undefined;
  readonly #lockProbe: KeychainLockProbe | null;

  constructor(options: KeytarSecretStoreOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_KEYCHAIN_TIMEOUT_MS;
    this.#injected = options.keytar;
    this.#lockProbe = options.lockProbe === undefined ? defaultLockProbe() : options.lockProbe;
  }

  async get(account: string): Promise<Secret | null> {
    requireAccount(account);
    const value = await this.#call(`reading ${account}`, account, async (k) => {
      const found = await k.getPassword(KEYCHAIN_SERVICE, account);
      if (found === null) await this.#refuseIfLocked(account, `so ${account} cannot be read`);
      return found;
    });
    return value ? new Secret(value) : null;
  }

  async set(account: string, secret: Secret): Promise<void> {
    requireAccount(account);
    await this.#call(`storing ${account}`, account, async (k) => {
      await this.#refuseIfLocked(null, `so ${account} cannot be stored`);
      await k.setPassword(KEYCHAIN_SERVICE, account, secret.reveal());
    });
  }

  async delete(account: string): Promise<boolean> {
    requireAccount(account);
    return this.#call(`deleting ${account}`, account, async (k) => {
      const existed = await k.deletePassword(KEYCHAIN_SERVICE, account);
      if (!existed) await this.#refuseIfLocked(account, `so ${account} cannot be deleted`);
      return existed;
    });
  }

  /** Throws KeychainLockedError when the probe finds the keyring locked; unknown lets keytar's answer stand. */
  async #refuseIfLocked(account: string | null, consequence: string): Promise<void> {
    const lock = await this.#lockState(account);
    if (lock.state === 'locked') throw new KeychainLockedError(describeLock(lock, consequence));
  }

  async #lockState(account: string | null): Promise<KeychainLockState> {
    if (!this.#lockProbe) return { state: 'unknown', reason: 'no lock probe on this platform' };
    try {
      return await this.#lockProbe(account);
    } catch (error) {
      return { state: 'unknown', reason: error instanceof Error ? error.message : String(error) };
    }
  }

  async #call<T>(operation: string, account: string, run: (keytar: KeytarLike) => Promise<T>): Promise<T> {
    const keytar = this.#injected ?? (await loadKeytar());
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new KeychainTimeoutError(operation, this.#timeoutMs)), this.#timeoutMs);
    });
    try {
      // The hanging call cannot be cancelled; it is left behind and its answer ignored.
      return await Promise.race([run(keytar), timeout]);
    } catch (error) {
      if (error instanceof KeychainTimeoutError) throw await this.#explainTimeout(error, account);
      throw toKeychainError(error);
    } finally {
      clearTimeout(timer);
    }
  }

  // A call that hangs usually waits on an unlock prompt; if a keyring is locked, say that.
  async #explainTimeout(error: KeychainTimeoutError, account: string): Promise<KeychainError> {
    const lock = await this.#lockState(account);
    if (lock.state !== 'locked') return error;
    const seconds = this.#timeoutMs / 1000;
    return new KeychainLockedError(describeLock(lock, `and its unlock prompt was not answered within ${seconds} s`), process.platform, {
      cause: error,
    });
  }
}

function describeLock(lock: Extract<KeychainLockState, { state: 'locked' }>, consequence: string): string {
  return lock.keyring === 'default'
    ? `the default keyring is locked, ${consequence}`
    : `the keyring "${lock.keyring}" that holds the entry is locked, ${consequence}`;
}

// keytar throws "Account is required." for an empty name, which would read like a keychain fault.
function requireAccount(account: string): void {
  if (account.length === 0) throw new TypeError('a keychain account name must not be empty');
}
