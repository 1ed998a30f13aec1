// Keychain health at start: one harmless read that tells the app's banner and the CLI's
// warning whether the OS keychain can be used, before a restore needs a password from it.
//
// The read is a get of an account that never exists, under the replica-desk service: it
// never writes and never raises a prompt of its own. On Linux a locked default keyring makes
// that read answer "not found" (libsecret skips locked items), so the Secret Service is first
// asked whether the default collection is locked (secretServiceLock.ts), by a D-Bus tool
// killed at the timeout. A keychain that does not answer within the timeout (an unlock prompt
// nobody can see, a hung daemon) is reported as an error.
import type { KeychainHealth } from '../../../shared/keychainHealth';
import { ReplicaDeskError } from '../errors';
import { KeychainLockedError, KeychainTimeoutError, KeychainUnavailableError, toKeychainError } from './keychainErrors';
import { KeytarSecretStore } from './keytarSecretStore';
import type { SecretStore } from './secretStore';
import { probeSecretServiceLock, type KeychainLockState } from './secretServiceLock';

/** The account read: no entry is ever stored under it. */
export const KEYCHAIN_HEALTH_ACCOUNT = 'replica-desk-health-check/never-stored';

export const DEFAULT_KEYCHAIN_HEALTH_TIMEOUT_MS = 3_000;

export interface KeychainHealthOptions {
  /** The keychain as the core uses it (the OS keychain through keytar). */
  store: SecretStore;
  /** Which OS's hints to give; default this process's. */
  platform?: NodeJS.Platform;
  /** Environment of the Secret Service lock question (DBUS_SESSION_BUS_ADDRESS); default this process's. */
  env?: NodeJS.ProcessEnv;
  /** How long the read may take before it counts as hanging; default 3 s. */
  timeoutMs?: number;
}

type Outcome = { kind: 'read' } | { kind: 'failed'; error: unknown } | { kind: 'timeout' };

/** `promise`'s answer, or `late` once `ms` have passed; the timer never outlives the race. */
async function within<T>(promise: Promise<T>, ms: number, late: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(late), Math.max(0, ms));
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Never rejects, and answers within `timeoutMs` (and a few ms). */
export async function checkKeychainHealth(options: KeychainHealthOptions): Promise<KeychainHealth> {
  const platform = options.platform ?? process.platform;
  const timeoutMs = options.timeoutMs ?? DEFAULT_KEYCHAIN_HEALTH_TIMEOUT_MS;
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const timedOut = () => unhealthy('error', new KeychainTimeoutError('a health check read', timeoutMs, platform), elapsed());

  // Linux: the lock question first, from a D-Bus tool that is killed at the timeout. A hung
  // Secret Service is found there, before any native call: libsecret would wait 25 s for the
  // answer, and a pending native call holds the process at exit (libuv joins its threads).
  if (platform === 'linux') {
    const lock = await probeSecretServiceLock(null, { env: options.env ?? process.env, timeoutMs }).catch(
      (e: unknown): KeychainLockState => ({ state: 'unknown', reason: String(e) }),
    );
    if (lock.state === 'unknown' && lock.timedOut) return timedOut();
    if (lock.state === 'locked') {
      return unhealthy('locked', new KeychainLockedError('the default keyring is locked, so no stored password can be read', platform), elapsed());
    }
    // Unlocked, no service on the bus, or no D-Bus tool installed: the read tells the rest.
  }

  const read = options.store.get(KEYCHAIN_HEALTH_ACCOUNT).then(
    (): Outcome => ({ kind: 'read' }),
    (error: unknown): Outcome => ({ kind: 'failed', error }),
  );
  const outcome = await within(read, timeoutMs - elapsed(), { kind: 'timeout' });
  if (outcome.kind === 'timeout') return timedOut();
  if (outcome.kind === 'failed') {
    const error = outcome.error instanceof ReplicaDeskError ? outcome.error : toKeychainError(outcome.error, platform);
    if (error instanceof KeychainUnavailableError) return unhealthy('no-service', error, elapsed());
    if (error instanceof KeychainLockedError) return unhealthy('locked', error, elapsed());
    return unhealthy('error', error, elapsed());
  }
  // No entry is the normal answer.
  return { state: 'ok', message: '', hint: null, elapsedMs: elapsed() };
}

function unhealthy(state: Exclude<KeychainHealth['state'], 'ok'>, error: ReplicaDeskError, elapsedMs: number): KeychainHealth {
  return { state, message: error.message, hint: error.hint, elapsedMs };
}

/**
 * The OS keychain's health, read through keytar without the store's own lock question (this
 * check asks it first). For the CLI, which checks before it opens the core, and the core.
 */
export const checkOsKeychainHealth = (env: NodeJS.ProcessEnv = process.env): Promise<KeychainHealth> =>
  checkKeychainHealth({ store: new KeytarSecretStore({ lockProbe: null }), env });
