// Keychain health at start: one harmless read that tells the app's banner and the CLI's
// warning whether the OS keychain can be used, before a restore needs a password from it.
//
// The read is a get of an account that never exists, under the replica-desk service: it
// never writes and never raises a prompt of its own. On Linux a locked default keyring makes
// that read answer "not found" (libsecret skips locked items), so the Secret Service is asked
// at the same time whether the default collection is locked (secretServiceLock.ts; the
// keytar store asks the same question on its "not found", and the two share one D-Bus call).
// A keychain that does not answer within the timeout (an unlock prompt nobody can see) is
// reported as an error; the pending native call is left behind, and the CLI exits past it.
import type { KeychainHealth } from '../../../shared/sandbox';
import { ReplicaDeskError } from '../errors';
import { KeychainLockedError, KeychainTimeoutError, KeychainUnavailableError, toKeychainError } from './keychainErrors';
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

  // Asked beside the read, not after it: the keytar store asks the same on its "not found".
  const unknown: KeychainLockState = { state: 'unknown', reason: 'not asked' };
  const lock: Promise<KeychainLockState> =
    platform === 'linux' ? probeSecretServiceLock(null, { env: options.env ?? process.env, timeoutMs }).catch(() => unknown) : Promise.resolve(unknown);

  const read = options.store.get(KEYCHAIN_HEALTH_ACCOUNT).then(
    (): Outcome => ({ kind: 'read' }),
    (error: unknown): Outcome => ({ kind: 'failed', error }),
  );
  const outcome = await within(read, timeoutMs, { kind: 'timeout' });

  if (outcome.kind === 'timeout') {
    return unhealthy('error', new KeychainTimeoutError('a health check read', timeoutMs, platform), elapsed());
  }
  if (outcome.kind === 'failed') {
    const error = outcome.error instanceof ReplicaDeskError ? outcome.error : toKeychainError(outcome.error, platform);
    if (error instanceof KeychainUnavailableError) return unhealthy('no-service', error, elapsed());
    if (error instanceof KeychainLockedError) return unhealthy('locked', error, elapsed());
    return unhealthy('error', error, elapsed());
  }
  // The read worked (no entry is the normal answer); only a locked keyring can hide behind it.
  const state = await within(lock, timeoutMs - elapsed(), unknown);
  if (state.state === 'locked') {
    const reason = state.keyring === 'default' ? 'the default keyring is locked, so no stored password can be read' : `the keyring "${state.keyring}" is locked`;
    return unhealthy('locked', new KeychainLockedError(reason, platform), elapsed());
  }
  return { state: 'ok', message: '', hint: null, elapsedMs: elapsed() };
}

function unhealthy(state: Exclude<KeychainHealth['state'], 'ok'>, error: ReplicaDeskError, elapsedMs: number): KeychainHealth {
  return { state, message: error.message, hint: error.hint, elapsedMs };
}
