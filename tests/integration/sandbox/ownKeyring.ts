// Keychain accounts are `installation/server/kind`, the same in every data directory, so the
// sandbox's `sandbox/<server>/db` entries of two test files running at once in one keyring are
// one entry: a `sandbox down` in one file removes the other's passwords. Each sandbox test file
// therefore gets a keyring of its own. Files run in processes of their own, so pointing this
// process's environment at it (before anything uses the keychain) covers the in-process core,
// the CLI children (they inherit process.env) and secret-tool alike.
import { afterAll, beforeAll } from 'vitest';
import { privateKeyringUnavailable, startPrivateKeyring, type PrivateKeyring } from '../secrets/privateKeyring';

/** Call at the top of a test file: the file's keyring starts before its own beforeAll hooks and stops after its afterAll hooks. */
export function useOwnKeyring(): void {
  let keyring: PrivateKeyring | null = null;
  beforeAll(async () => {
    const unavailable = privateKeyringUnavailable();
    if (unavailable) throw new Error(`the sandbox tests need a keyring of their own: ${unavailable}`);
    keyring = await startPrivateKeyring();
    Object.assign(process.env, keyring.env);
  }, 60_000);
  afterAll(async () => {
    await keyring?.stop();
  });
}
