// Where a server's database password comes from: the keychain entry `installation/server/db`
// first, then the admin's pgpass file, as psql would find it. A keychain that cannot answer
// is no reason to fail while pgpass has the password; only if it has none does the
// keychain's own error (with its hint) reach the admin. A locked keychain is such an error
// (KeychainLockedError), never "no password": the store tells locked from empty.
import type { PasswordSource } from '../../../shared/api';
import type { ServerRef } from '../../../shared/profiles';
import { KeychainError } from './keychainErrors';
import { lookupPgpassPassword, type PgpassTarget } from './pgpass';
import type { Secret } from './secret';
import { accountFor, type SecretStore } from './secretStore';

export interface ResolvedDbPassword {
  secret: Secret | null;
  source: PasswordSource;
  /**
   * Set when a pgpass file exists but libpq's rules make us ignore it (e.g. mode 0644), or
   * when the keychain failed (e.g. locked) and the password came from pgpass instead.
   */
  warning?: string;
}

export async function resolveDbPassword(
  store: SecretStore,
  ref: ServerRef,
  db: PgpassTarget & { port: number },
  env: NodeJS.ProcessEnv,
): Promise<ResolvedDbPassword> {
  let keychainError: KeychainError | undefined;
  try {
    const secret = await store.get(accountFor(ref, 'db'));
    if (secret) return { secret, source: 'keychain' };
  } catch (error) {
    if (!(error instanceof KeychainError)) throw error;
    keychainError = error;
  }
  const pgpass = await lookupPgpassPassword(db, env);
  if (pgpass.secret) {
    // A keychain entry, if it could be read, would have won; say why pgpass answered.
    if (keychainError) return { secret: pgpass.secret, source: 'pgpassfile', warning: `${keychainError.message} Using the password from ${pgpass.file}.` };
    return { secret: pgpass.secret, source: 'pgpassfile' };
  }
  if (keychainError) throw keychainError;
  return pgpass.warning ? { secret: null, source: 'none', warning: pgpass.warning } : { secret: null, source: 'none' };
}
