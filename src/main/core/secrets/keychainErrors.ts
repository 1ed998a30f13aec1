// What can go wrong with the OS keychain, each with what the admin can do about it. Every
// hint names the pgpass file as a way around the keychain, because the DB password can
// come from there too (see dbPassword.ts).
import { ReplicaDeskError } from '../errors';
import { maskSecrets } from './secret';

export abstract class KeychainError extends ReplicaDeskError {}

const pgpassLocation = (platform: NodeJS.Platform): string =>
  platform === 'win32' ? '%APPDATA%\\postgresql\\pgpass.conf' : '~/.pgpass';

function unavailableHint(platform: NodeJS.Platform): string {
  switch (platform) {
    case 'linux':
      return (
        'Install and start a Secret Service: GNOME Keyring (apt-get install gnome-keyring libsecret-1-0, or dnf install gnome-keyring), ' +
        'or KeePassXC with its Secret Service integration on; without a desktop, `gnome-keyring-daemon --start --components=secrets` ' +
        'inside a D-Bus session. Then unlock it. Or store the password in ~/.pgpass (or the file PGPASSFILE names, mode 0600)'
      );
    case 'darwin':
      return 'Make sure the login keychain exists and is unlocked (Keychain Access, or `security unlock-keychain`); or store the password in ~/.pgpass';
    case 'win32':
      return `Make sure Windows Credential Manager is available to your user account; or store the password in ${pgpassLocation(platform)}`;
    default:
      return `Make sure the OS keychain is running and unlocked; or store the password in ${pgpassLocation(platform)}`;
  }
}

function lockedHint(platform: NodeJS.Platform): string {
  switch (platform) {
    case 'linux':
      // `gnome-keyring-daemon --unlock` alone does nothing to a daemon that already runs;
      // --replace starts a new one that opens the keyring with the password from stdin.
      return (
        'Unlock the keyring and retry: log in to the desktop session, or unlock it in Passwords and Keys (seahorse), ' +
        'or, with KeePassXC as the Secret Service, unlock its database. Without a desktop, restart the keyring daemon in ' +
        'this D-Bus session with the keyring password on stdin: `gnome-keyring-daemon --replace --unlock --components=secrets`. ' +
        'Or store the password in ~/.pgpass (or the file PGPASSFILE names, mode 0600)'
      );
    case 'darwin':
      return 'Unlock the login keychain (Keychain Access, or `security unlock-keychain`) and retry; or store the password in ~/.pgpass';
    default:
      return `Unlock the OS keychain and retry; or store the password in ${pgpassLocation(platform)}`;
  }
}

/** No keychain to talk to: no Secret Service, no D-Bus session, or keytar itself could not load. */
export class KeychainUnavailableError extends KeychainError {
  constructor(reason: string, platform: NodeJS.Platform = process.platform, options?: { cause?: unknown }) {
    super('keychain-unavailable', `The OS keychain is unavailable: ${maskSecrets(reason)}`, unavailableHint(platform), options);
  }
}

/**
 * The keychain is there but locked, so it can neither give nor take an entry. On Linux a
 * locked keyring also makes keytar answer "no entry"; KeytarSecretStore tells the two apart.
 */
export class KeychainLockedError extends KeychainError {
  constructor(reason: string, platform: NodeJS.Platform = process.platform, options?: { cause?: unknown }) {
    super('keychain-locked', `The OS keychain is locked: ${maskSecrets(reason)}`, lockedHint(platform), options);
  }
}

/** The keychain did not answer; typically it waits on an unlock prompt nobody can see. */
export class KeychainTimeoutError extends KeychainError {
  constructor(operation: string, timeoutMs: number, platform: NodeJS.Platform = process.platform) {
    super(
      'keychain-timeout',
      `The OS keychain did not answer within ${timeoutMs / 1000} s (${operation}).`,
      'Unlock the keyring or answer the OS password prompt, then retry. On a machine without a desktop, unset DISPLAY so ' +
        `the keychain fails at once instead of waiting for a prompt; or store the password in ${pgpassLocation(platform)}`,
    );
  }
}

/** Turns whatever keytar threw into the typed error the admin can act on. */
export function toKeychainError(error: unknown, platform: NodeJS.Platform = process.platform): KeychainError {
  if (error instanceof KeychainError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  // libsecret: "Cannot create an item in a locked collection"; also "... is locked". macOS
  // without a GUI session to prompt in: errSecInteractionNotAllowed, "User interaction is not allowed."
  if (/locked collection|\bis locked\b|interaction is not allowed/i.test(reason)) return new KeychainLockedError(reason, platform, { cause: error });
  return new KeychainUnavailableError(reason, platform, { cause: error });
}
