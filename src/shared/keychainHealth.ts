// What the keychain check at start found (core/secrets/keychainHealth.ts): the CLI's warning
// and the app's banner (renderer shell/KeychainBanner.tsx) both say it.
/** One harmless keychain read at start (app and CLI); never waits on a prompt. */
export interface KeychainHealth {
  state: 'ok' | 'no-service' | 'locked' | 'error';
  /** What is wrong, in one sentence (empty when ok). */
  message: string;
  /** What to install or unlock, and that ~/.pgpass is the fallback (null when ok). */
  hint: string | null;
  elapsedMs: number;
}
