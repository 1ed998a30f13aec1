// The CLI's keychain check at start: commands that open the core first make one harmless
// keychain read (core/secrets/keychainHealth.ts) and, when the keychain is missing, locked or
// hanging, say so in one warning line and its hint on stderr. It never fails the command: the
// command's own keychain use reports its own error, and a password may come from ~/.pgpass.
import type { ReplicaDesk } from '../main/core/replicaDesk';
import type { KeychainHealth } from '../shared/sandbox';
import type { Output } from './output';

export function formatKeychainWarning(health: KeychainHealth): string | null {
  if (health.state === 'ok') return null;
  return `replica-desk: warning: ${health.message}\n${health.hint ? `hint: ${health.hint}\n` : ''}`;
}

export async function warnAboutKeychain(core: ReplicaDesk, out: Output): Promise<void> {
  const warning = formatKeychainWarning(await core.keychainHealth());
  if (warning) out.stderr(warning);
}
