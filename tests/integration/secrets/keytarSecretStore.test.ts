// Against the real OS keychain. On headless Linux run it inside a private Secret Service:
//   bash scripts/with-keyring.sh npx vitest run tests/integration/secrets
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { KeychainUnavailableError } from '../../../src/main/core/secrets/keychainErrors';
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

// This block must run first in this file (vitest runs a file in its own process, tests in
// order): libsecret keeps its D-Bus connection once made, but until then reads
// DBUS_SESSION_BUS_ADDRESS at each call, so a bus that does not exist is a real failure.
describe.runIf(process.platform === 'linux')('with no D-Bus session to reach', () => {
  it('fails with KeychainUnavailableError quoting the reason, with the Linux hint', async () => {
    const saved = process.env.DBUS_SESSION_BUS_ADDRESS;
    process.env.DBUS_SESSION_BUS_ADDRESS = `unix:path=${join(tmpdir(), `no-such-dir-${unique}`, 'bus')}`;
    try {
      const error = await store.get(account).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(KeychainUnavailableError);
      expect(error).toMatchObject({ code: 'keychain-unavailable' });
      expect((error as Error).message).toMatch(/^The OS keychain is unavailable: .*connect/i);
      expect((error as KeychainUnavailableError).hint).toBe(
        'Start a Secret Service (e.g. gnome-keyring-daemon --start --components=secrets, inside a D-Bus session) and unlock it; or store the password in ~/.pgpass',
      );
    } finally {
      if (saved === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
      else process.env.DBUS_SESSION_BUS_ADDRESS = saved;
    }
  });
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
