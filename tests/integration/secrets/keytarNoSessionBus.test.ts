// KeytarSecretStore with no D-Bus session to reach: the error names the reason and the Linux
// hint. Its own file, so its own process (vitest runs each file in one): libsecret keeps its
// D-Bus connection once made, and until then reads DBUS_SESSION_BUS_ADDRESS at each call; a
// bad address set here must never meet the real keychain tests (keytarSecretStore.test.ts),
// where under load a late failed connect once answered the next test's call.
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { KeychainUnavailableError } from '../../../src/main/core/secrets/keychainErrors';
import { KeytarSecretStore } from '../../../src/main/core/secrets/keytarSecretStore';

const store = new KeytarSecretStore();
const unique = `it-${process.pid}-${Date.now()}`;
const account = `${unique}/srv/db`;

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
        'Install and start a Secret Service: GNOME Keyring (apt-get install gnome-keyring libsecret-1-0, or dnf install gnome-keyring), ' +
          'or KeePassXC with its Secret Service integration on; without a desktop, `gnome-keyring-daemon --start --components=secrets` ' +
          'inside a D-Bus session. Then unlock it. Or store the password in ~/.pgpass (or the file PGPASSFILE names, mode 0600)',
      );
    } finally {
      if (saved === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
      else process.env.DBUS_SESSION_BUS_ADDRESS = saved;
    }
  });
});
