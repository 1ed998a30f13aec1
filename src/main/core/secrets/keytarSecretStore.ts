// The SecretStore over the OS keychain through keytar (libsecret on Linux, Keychain on
// macOS, Credential Manager on Windows).
//
// keytar is loaded at first use, not at import: it is a native module that needs libsecret,
// and commands that never touch the keychain must keep working where it cannot load.
// Every call is bounded by a timeout because, with DISPLAY set and a locked keyring,
// libsecret waits forever on an unlock prompt.
import { KeychainTimeoutError, KeychainUnavailableError, toKeychainError } from './keychainErrors';
import { Secret } from './secret';
import { KEYCHAIN_SERVICE, type SecretStore } from './secretStore';

/** The part of keytar this store uses. */
export interface KeytarLike {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

export interface KeytarSecretStoreOptions {
  /** Upper bound for each keychain call; default 10 s. */
  timeoutMs?: number;
  /** Only for tests that must simulate a hanging keychain; otherwise the real keytar is loaded. */
  keytar?: KeytarLike;
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

export class KeytarSecretStore implements SecretStore {
  readonly #timeoutMs: number;
  readonly #injected: KeytarLike | undefined;

  constructor(options: KeytarSecretStoreOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_KEYCHAIN_TIMEOUT_MS;
    this.#injected = options.keytar;
  }

  async get(account: string): Promise<Secret | null> {
    requireAccount(account);
    const value = await this.#call(`reading ${account}`, (k) => k.getPassword(KEYCHAIN_SERVICE, account));
    return value ? new Secret(value) : null;
  }

  async set(account: string, secret: Secret): Promise<void> {
    requireAccount(account);
    await this.#call(`storing ${account}`, (k) => k.setPassword(KEYCHAIN_SERVICE, account, secret.reveal()));
  }

  async delete(account: string): Promise<boolean> {
    requireAccount(account);
    return this.#call(`deleting ${account}`, (k) => k.deletePassword(KEYCHAIN_SERVICE, account));
  }

  async #call<T>(operation: string, run: (keytar: KeytarLike) => Promise<T>): Promise<T> {
    const keytar = this.#injected ?? (await loadKeytar());
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new KeychainTimeoutError(operation, this.#timeoutMs)), this.#timeoutMs);
    });
    try {
      // The hanging call cannot be cancelled; it is left behind and its answer ignored.
      return await Promise.race([run(keytar), timeout]);
    } catch (error) {
      throw toKeychainError(error);
    } finally {
      clearTimeout(timer);
    }
  }
}

// keytar throws "Account is required." for an empty name, which would read like a keychain fault.
function requireAccount(account: string): void {
  if (account.length === 0) throw new TypeError('a keychain account name must not be empty');
}
