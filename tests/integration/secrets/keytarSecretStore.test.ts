// Against the real OS keychain. On headless Linux run it inside a private Secret Service:
//   bash scripts/with-keyring.sh npx vitest run tests/integration/secrets
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { KeytarSecretStore } from '../../../src/main/core/secrets/keytarSecretStore';
import { Secret } from '../../../src/main/core/secrets/secret';
import { KEYCHAIN_SERVICE } from '../../../src/main/core/secrets/secretStore';

const store = new KeytarSecretStore();
const unique = `it-${process.pid}-${Date.now()}`;
const account = `${unique}/srv/db`;
const hasSecretTool = process.platform === 'linux' && spawnSync('secret-tool', ['--version']).error === undefined;

afterAll(async () => {
  await store.delete(account).catch(() => false);
});

describe('KeytarSecretStore against the real keychain', () => {
  it('stores, reads, replaces and deletes an entry', async () => {
    expect(await store.get(account)).toBeNull();

    await store.set(account, new Secret('first-Keychain-pw'));
    const read = await store.get(account);
    expect(read).toBeInstanceOf(Secret);
    expect(read?.reveal()).toBe('first-Keychain-pw');

    await store.set(account, new Secret('second-Keychain-pw:with:colons'));
    expect((await store.get(account))?.reveal()).toBe('second-Keychain-pw:with:colons');

    expect(await store.delete(account)).toBe(true);
    expect(await store.get(account)).toBeNull();
  });

  it('returns false when deleting an entry that does not exist', async () => {
    expect(await store.delete(`${unique}/never-stored/db`)).toBe(false);
  });

  it.runIf(hasSecretTool)('keeps the entry in the Secret Service under the service replica-desk', async () => {
    const other = `${unique}/srv/ssh`;
    await store.set(other, new Secret('visible-to-secret-tool'));
    try {
      const lookup = spawnSync('secret-tool', ['lookup', 'service', KEYCHAIN_SERVICE, 'account', other], { encoding: 'utf8', timeout: 10_000 });
      expect(lookup.status).toBe(0);
      expect(lookup.stdout).toBe('visible-to-secret-tool');
    } finally {
      await store.delete(other);
    }
  });
});
