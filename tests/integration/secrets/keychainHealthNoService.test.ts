// Keychain health with no Secret Service to reach (issue 12): DBUS_SESSION_BUS_ADDRESS names
// a socket nobody listens on, as on a server without a desktop session. The real keytar fails
// to connect; the check says "no-service" at once with what to install and the pgpass
// fallback, and the CLI warns and runs the command. Its own file, so its own process:
// libsecret keeps the bus it first reaches (see keytarNoSessionBus.test.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkKeychainHealth } from '../../../src/main/core/secrets/keychainHealth';
import { KeytarSecretStore } from '../../../src/main/core/secrets/keytarSecretStore';
import { assertCliBuilt, runCli } from '../../harness/cli';

let dir: string;
let deadBus: NodeJS.ProcessEnv;
let saved: string | undefined;

beforeAll(() => {
  assertCliBuilt();
  dir = mkdtempSync(join(tmpdir(), 'rd-keychain-no-service-'));
  deadBus = { DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(dir, 'no-such-bus')}`, DISPLAY: '' };
  saved = process.env.DBUS_SESSION_BUS_ADDRESS;
  process.env.DBUS_SESSION_BUS_ADDRESS = deadBus.DBUS_SESSION_BUS_ADDRESS;
});

afterAll(() => {
  if (saved === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
  else process.env.DBUS_SESSION_BUS_ADDRESS = saved;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.runIf(process.platform === 'linux')('with no Secret Service to reach', () => {
  it('is no-service within the timeout, with what to install and the pgpass fallback', async () => {
    const health = await checkKeychainHealth({ store: new KeytarSecretStore(), env: { ...process.env, ...deadBus } });
    expect(health.state).toBe('no-service');
    expect(health.message).toMatch(/^The OS keychain is unavailable: .*connect/i);
    expect(health.hint).toContain('apt-get install gnome-keyring');
    expect(health.hint).toContain('~/.pgpass (or the file PGPASSFILE names, mode 0600)');
    expect(health.elapsedMs).toBeLessThan(3_000);
  });

  it('the CLI warns in one line and its hint, and the command still runs', async () => {
    const home = join(dir, 'home');
    const listed = await runCli(['profiles', 'list'], { home, env: deadBus });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toBe('No installations yet. Import a profiles file: replica-desk profiles import FILE\n');
    expect(listed.stderr).toMatch(/^replica-desk: warning: The OS keychain is unavailable: .*\nhint: Install and start a Secret Service: .*~\/\.pgpass.*\n$/);
  });
});
