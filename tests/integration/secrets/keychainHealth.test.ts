// Keychain health at start (issue 12) against a real gnome-keyring in a private D-Bus session
// (privateKeyring.ts), with the real keytar and the built CLI: healthy, locked (libsecret
// answers "not found" then, the lock question tells), and hung (the daemon stopped with
// SIGSTOP keeps its bus name and answers nothing, as a keychain waiting on a prompt does).
// The CLI warns in one line and its hint, and runs the command all the same.
// No Secret Service at all: keychainHealthNoService.test.ts (its own process: libsecret keeps
// the bus it first reaches).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkKeychainHealth, KEYCHAIN_HEALTH_ACCOUNT } from '../../../src/main/core/secrets/keychainHealth';
import { KeytarSecretStore } from '../../../src/main/core/secrets/keytarSecretStore';
import { assertCliBuilt, runCli } from '../../harness/cli';
import { privateKeyringUnavailable, startPrivateKeyring, type PrivateKeyring } from './privateKeyring';

const unavailable = privateKeyringUnavailable();
const store = new KeytarSecretStore({ timeoutMs: 10_000 });

let keyring: PrivateKeyring;
let home: string;

const cliEnv = () => ({ ...keyring.env, DISPLAY: '' });

beforeAll(async () => {
  if (unavailable) return;
  assertCliBuilt();
  keyring = await startPrivateKeyring();
  // Before the first keytar call of this process: libsecret keeps the bus it first reaches.
  Object.assign(process.env, keyring.env);
  delete process.env.DISPLAY;
  home = mkdtempSync(join(tmpdir(), 'rd-keychain-health-'));
}, 60_000);

afterAll(async () => {
  await keyring?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe.skipIf(unavailable !== null)(`keychain health${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  it('a working keyring is ok, well within the timeout, and nothing is stored by the check', async () => {
    const health = await checkKeychainHealth({ store, env: process.env });
    expect(health).toMatchObject({ state: 'ok', message: '', hint: null });
    expect(health.elapsedMs).toBeLessThan(3_000);
    expect(await store.get(KEYCHAIN_HEALTH_ACCOUNT)).toBeNull();
  });

  it('the CLI says nothing about a working keyring', async () => {
    const listed = await runCli(['profiles', 'list'], { home, env: cliEnv() });
    expect(listed).toEqual({ code: 0, stdout: 'No installations yet. Import a profiles file: replica-desk profiles import FILE\n', stderr: '' });
  });

  describe('a keychain that answers nothing (its daemon stopped)', () => {
    beforeAll(() => keyring.freeze());
    afterAll(() => keyring.thaw());

    it('is an error after the 3 s timeout, never a hang', async () => {
      const health = await checkKeychainHealth({ store, env: process.env });
      expect(health.state).toBe('error');
      expect(health.message).toBe('The OS keychain did not answer within 3 s (a health check read).');
      expect(health.hint).toContain('~/.pgpass');
      expect(health.elapsedMs).toBeGreaterThanOrEqual(2_900);
      // D-Bus itself would wait 25 s for the daemon's answer.
      expect(health.elapsedMs).toBeLessThan(10_000);
    }, 20_000);

    it('the CLI warns and exits: the pending keychain call does not keep it alive', async () => {
      const started = Date.now();
      const listed = await runCli(['profiles', 'list'], { home, env: cliEnv() });
      const took = Date.now() - started;
      expect(listed.code).toBe(0);
      expect(listed.stdout).toBe('No installations yet. Import a profiles file: replica-desk profiles import FILE\n');
      expect(listed.stderr).toMatch(/^replica-desk: warning: The OS keychain did not answer within 3 s \(a health check read\)\.\nhint: .*~\/\.pgpass.*\n$/);
      expect(took).toBeLessThan(15_000);
    }, 30_000);
  });

  describe('a locked default keyring', () => {
    beforeAll(async () => {
      await keyring.lockDefault();
      expect(await keyring.isLocked()).toBe(true);
    });
    afterAll(async () => {
      await keyring.unlockByRestart();
    });

    it('is reported as locked (the read alone answers "not found"), with how to unlock and the pgpass fallback', async () => {
      const health = await checkKeychainHealth({ store, env: process.env });
      expect(health.state).toBe('locked');
      expect(health.message).toBe('The OS keychain is locked: the default keyring is locked, so no stored password can be read');
      expect(health.hint).toContain('gnome-keyring-daemon --replace --unlock --components=secrets');
      expect(health.hint).toContain('~/.pgpass (or the file PGPASSFILE names, mode 0600)');
    });

    it('the CLI warns in one line and its hint, and the command still runs', async () => {
      const listed = await runCli(['profiles', 'list', '--json'], { home, env: cliEnv() });
      expect(listed.code).toBe(0);
      expect(JSON.parse(listed.stdout)).toEqual({ installations: [], commands: [] });
      const lines = listed.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^replica-desk: warning: The OS keychain is locked: /);
      expect(lines[1]).toMatch(/^hint: Unlock the keyring and retry: .*~\/\.pgpass/);
    });

    it('light commands and --help make no keychain read', async () => {
      const runs = await runCli(['runs', 'list'], { home, env: cliEnv() });
      expect(runs.code).toBe(0);
      expect(runs.stderr).toBe('');
      const help = await runCli(['--help'], { home, env: cliEnv() });
      expect(help.code).toBe(0);
      expect(help.stderr).toBe('');
    });
  });

  it('after unlocking (the daemon restarted with the password), the CLI says nothing again', async () => {
    expect(await keyring.isLocked()).toBe(false);
    const listed = await runCli(['profiles', 'list'], { home, env: cliEnv() });
    expect(listed).toMatchObject({ code: 0, stderr: '' });
  });


});
