// Where a server's database password comes from: the keychain entry `installation/server/db`
// first, then the admin's pgpass file, as psql would find it. A keychain that cannot answer
// is no reason to fail while pgpass has the password; only if it has none does the
// keychain's own error (with its hint) reach the admin. A locked keychain is such an error
// (KeychainLockedError), never "no password": the store tells locked from empty.
// A keychain entry entered for another endpoint (the profile moved since) is never used:
// pgpass, keyed by endpoint by nature, may still answer (with a warning saying why the
// keychain did not); otherwise SecretEndpointChangedError says what to do.
import type { PasswordSource } from '../../../shared/api';
import type { ServerRef } from '../../../shared/profiles';
import { KeychainError } from './keychainErrors';
import { lookupPgpassPassword, type PgpassTarget } from './pgpass';
import type { Secret } from './secret';
import type { EndpointBoundSecretStore } from './endpointBoundSecretStore';
import { dbEndpointOf, type SecretEndpointChangedError } from './secretEndpoint';

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
  store: EndpointBoundSecretStore,
  ref: ServerRef,
  db: PgpassTarget & { port: number },
  env: NodeJS.ProcessEnv,
): Promise<ResolvedDbPassword> {
  let keychainError: KeychainError | undefined;
  let withheld: SecretEndpointChangedError | null = null;
  try {
    const found = await store.get(ref, 'db', dbEndpointOf(db));
    if (found.secret) return { secret: found.secret, source: 'keychain' };
    withheld = found.withheld;
  } catch (error) {
    if (!(error instanceof KeychainError)) throw error;
    keychainError = error;
  }
  const pgpass = await lookupPgpassPassword(db, env);
  if (pgpass.secret) {
    // A keychain entry, if it could be read, would have won; say why pgpass answered.
    if (keychainError) return { secret: pgpass.secret, source: 'pgpassfile', warning: `${keychainError.message} Using the password from ${pgpass.file}.` };
    if (withheld) return { secret: pgpass.secret, source: 'pgpassfile', warning: `${withheld.message} Using the password from ${pgpass.file} instead.` };
    return { secret: pgpass.secret, source: 'pgpassfile' };
  }
  if (keychainError) throw keychainError;
  if (withheld) throw withheld;
  return pgpass.warning ? { secret: null, source: 'none', warning: pgpass.warning } : { secret: null, source: 'none' };
}
