// The CLI's keychain check at start: commands that open the core first make one harmless
// keychain read (core/secrets/keychainHealth.ts) and, when the keychain is missing, locked or
// hanging, say so in one warning line and its hint on stderr. It never fails the command: the
// command's own keychain use reports its own error, and a password may come from ~/.pgpass.
// REPLICA_DESK_NO_KEYCHAIN_CHECK=1 turns it off (a server that keeps every password in
// ~/.pgpass and has no keychain on purpose).
import { checkOsKeychainHealth } from '../main/core/secrets/keychainHealth';
import type { KeychainHealth } from '../shared/keychainHealth';
import type { Output } from './output';

export function formatKeychainWarning(health: KeychainHealth): string | null {
  if (health.state === 'ok') return null;
  return `replica-desk: warning: ${health.message}\n${health.hint ? `hint: ${health.hint}\n` : ''}`;
}

/**
 * Starts the check (before the core's modules load, so the D-Bus question runs meanwhile);
 * the answer, awaited before the command runs, prints the warning if there is one.
 */
export function startKeychainCheck(env: NodeJS.ProcessEnv, out: Output): () => Promise<void> {
  if (env.REPLICA_DESK_NO_KEYCHAIN_CHECK === '1') return () => Promise.resolve();
  const health = checkOsKeychainHealth(env);
  return async () => {
    const warning = formatKeychainWarning(await health);
    if (warning) out.stderr(warning);
  };
}
