// A locked keyring is reported as locked, not as a missing entry (issue 7, section 6):
// against a real gnome-keyring in a private D-Bus session (privateKeyring.ts), locked over
// D-Bus as a screen lock or `Lock` would, with the real keytar, a real PostgreSQL cluster and
// the built CLI. On a locked keyring keytar's getPassword answers null and deletePassword
// false, without an error; before the fix that surfaced as "missing password".
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { resolveDbPassword } from '../../../src/main/core/secrets/dbPassword';
import { KeychainLockedError } from '../../../src/main/core/secrets/keychainErrors';
import { KeytarSecretStore } from '../../../src/main/core/secrets/keytarSecretStore';
import { Secret } from '../../../src/main/core/secrets/secret';
import { probeSecretServiceLock } from '../../../src/main/core/secrets/secretServiceLock';
import { accountFor, KEYCHAIN_SERVICE } from '../../../src/main/core/secrets/secretStore';
import { hopSecretLookup } from '../../../src/main/core/tunnels/hopSecrets';
import { SshHopError } from '../../../src/main/core/tunnels/tunnelErrors';
import { TunnelPool } from '../../../src/main/core/tunnels/tunnelPool';
import { assertCliBuilt, runCli } from '../../harness/cli';
import { endpointBoundSecrets } from '../../harness/endpointBoundSecrets';
import { startCluster, type PgCluster } from '../../harness/postgresCluster';
import { startSshd } from '../../harness/sshd';
import { privateKeyringUnavailable, startPrivateKeyring, xvfbUnavailable, type PrivateKeyring } from './privateKeyring';

const unavailable = privateKeyringUnavailable();
const installation = `it-locked-${randomBytes(3).toString('hex')}`;
const ref = { installation, server: 'mls' };
const account = accountFor(ref, 'db');
const otherAccount = accountFor({ installation, server: 'archived' }, 'db');
const dbPassword = `Pw-${randomBytes(9).toString('base64url')}-locked`;
const db = { host: '127.0.0.1', port: 0, database: 'cm_locked_db', user: 'cm_locked' };
const store = new KeytarSecretStore({ timeoutMs: 5_000 });

let keyring: PrivateKeyring;
let cluster: PgCluster;
let work: string;
let pgpass: string;
let home: string;

const failure = <T>(p: Promise<T>): Promise<unknown> =>
  p.then(
    () => null,
    (e: unknown) => e,
  );

beforeAll(async () => {
  if (unavailable) return;
  keyring = await startPrivateKeyring({
    lockedKeyring: { name: 'archive', entries: [{ service: KEYCHAIN_SERVICE, account: otherAccount, secret: 'kept-in-another-keyring' }] },
  });
  // Before the first keytar call of this process: libsecret keeps the bus it first reaches.
  Object.assign(process.env, keyring.env);
  delete process.env.DISPLAY;
  cluster = await startCluster();
  db.port = cluster.port;
  await cluster.createRole(db.user, dbPassword);
  await cluster.createDatabase(db.database, db.user);
  work = mkdtempSync(join(tmpdir(), 'rd-locked-keyring-'));
  pgpass = join(work, 'pgpass');
  writeFileSync(pgpass, `127.0.0.1:${db.port}:${db.database}:${db.user}:${dbPassword}\n`, { mode: 0o600 });
  await store.set(account, new Secret(dbPassword));

  assertCliBuilt();
  home = join(work, 'home');
  const profiles = join(work, 'profiles.json');
  const servers = [
    { name: 'mls', role: 'master', db: { ...db, sslmode: 'disable' } },
    { name: 'rls1', role: 'replica', db: { ...db, sslmode: 'disable' } },
  ];
  writeFileSync(profiles, JSON.stringify({ format: 'replica-desk/profiles@1', installations: [{ name: installation, servers }] }));
  const imported = await runCli(['profiles', 'import', profiles], { home });
  if (imported.code !== 0) throw new Error(`profiles import failed: ${imported.stderr}`);
}, 120_000);

afterAll(async () => {
  await keyring?.stop();
  await cluster?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.skipIf(unavailable !== null)(`a locked keyring${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  it('reads entries and reports a missing one as null while the keyring is unlocked', async () => {
    expect(await keyring.isLocked()).toBe(false);
    expect((await store.get(account))?.reveal()).toBe(dbPassword);
    expect(await store.get(accountFor(ref, 'ssh'))).toBeNull();
    expect(await probeSecretServiceLock(accountFor(ref, 'ssh'))).toEqual({ state: 'unlocked' });
  });

  it('says locked for an entry kept in another keyring that is locked, though the default is not', async () => {
    expect(await keyring.isLocked('/org/freedesktop/secrets/collection/archive')).toBe(true);
    const error = await failure(store.get(otherAccount));
    expect(error).toBeInstanceOf(KeychainLockedError);
    expect((error as Error).message).toBe(`The OS keychain is locked: the keyring "archive" that holds the entry is locked, so ${otherAccount} cannot be read`);
  });

  describe('once the default keyring is locked', () => {
    beforeAll(async () => {
      await keyring.lockDefault();
      expect(await keyring.isLocked()).toBe(true);
    });

    it('reading a stored entry fails at once with KeychainLockedError and how to unlock', async () => {
      const started = Date.now();
      const error = await failure(store.get(account));
      expect(Date.now() - started).toBeLessThan(4_000);
      expect(error).toBeInstanceOf(KeychainLockedError);
      expect(error).toMatchObject({ code: 'keychain-locked' });
      expect((error as Error).message).toBe(`The OS keychain is locked: the keyring "login" that holds the entry is locked, so ${account} cannot be read`);
      const hint = (error as KeychainLockedError).hint;
      expect(hint).toContain('gnome-keyring-daemon --replace --unlock --components=secrets');
      expect(hint).toContain('seahorse');
      expect(hint).toContain('~/.pgpass');
    });

    it('an entry that was never stored is locked too, not missing (storing it would fail)', async () => {
      await expect(store.get(accountFor(ref, 'ssh'))).rejects.toBeInstanceOf(KeychainLockedError);
      await expect(store.set(accountFor(ref, 'ssh'), new Secret('not-stored-pw'))).rejects.toThrow(
        `The OS keychain is locked: the default keyring is locked, so ${accountFor(ref, 'ssh')} cannot be stored`,
      );
    });

    it('deleting fails as locked instead of answering "no such entry"', async () => {
      await expect(store.delete(account)).rejects.toBeInstanceOf(KeychainLockedError);
    });

    it('the database password comes from pgpass with a warning, or the error says locked', async () => {
      const bound = endpointBoundSecrets(store);
      onTestFinished(() => bound.close());
      const resolved = await resolveDbPassword(bound.secrets, ref, db, { PGPASSFILE: pgpass });
      expect(resolved.source).toBe('pgpassfile');
      expect(resolved.secret?.reveal()).toBe(dbPassword);
      expect(resolved.warning).toMatch(/^The OS keychain is locked: .* Using the password from .*pgpass\.$/);

      const error = await failure(resolveDbPassword(bound.secrets, ref, db, { PGPASSFILE: join(work, 'no-pgpass') }));
      expect(error).toBeInstanceOf(KeychainLockedError);
    });

    it('an SSH hop still logs in with an unencrypted key; with an encrypted one its failure says locked, naming the hop', async () => {
      const sshd = await startSshd();
      const bound = endpointBoundSecrets(store);
      onTestFinished(async () => {
        bound.close();
        await sshd.stop();
      });
      const hop = { hostname: sshd.host, port: sshd.port, user: sshd.user, hostKey: sshd.hostKeyFingerprint, secretKind: 'tunnel-jump1', role: 'jump host 1' };
      const open = async (identityFile: string): Promise<unknown> => {
        const pool = new TunnelPool({ ...hopSecretLookup(bound.secrets), env: {} });
        try {
          await pool.connect(ref, [{ ...hop, identityFile }], { timeoutMs: 20_000 });
          return null;
        } catch (error) {
          return error;
        } finally {
          await pool.close();
        }
      };
      expect(await open(sshd.identityFile)).toBeNull();
      const error = await open(sshd.encryptedIdentityFile);
      expect(error).toBeInstanceOf(SshHopError);
      expect(error).toMatchObject({ code: 'keychain-locked' });
      expect((error as Error).message).toMatch(/^SSH hop 1 of 1 \(jump host 1, .*\) failed: The OS keychain is locked: /);
      expect((error as Error).message).toContain(accountFor(ref, 'tunnel-jump1'));
    });

    it('asks through dbus-send where gdbus is missing, and keeps keytar\'s answer where both are', async () => {
      const onlyDbusSend = join(work, 'bin-dbus-send');
      mkdirSync(onlyDbusSend, { recursive: true });
      symlinkSync(pathOf('dbus-send'), join(onlyDbusSend, 'dbus-send'));
      const viaDbusSend = new KeytarSecretStore({ lockProbe: (a) => probeSecretServiceLock(a, { env: { ...process.env, PATH: onlyDbusSend } }) });
      await expect(viaDbusSend.get(account)).rejects.toBeInstanceOf(KeychainLockedError);

      const noTools = join(work, 'bin-empty');
      mkdirSync(noTools, { recursive: true });
      const blind = new KeytarSecretStore({ lockProbe: (a) => probeSecretServiceLock(a, { env: { ...process.env, PATH: noTools } }) });
      expect(await probeSecretServiceLock(account, { env: { ...process.env, PATH: noTools } })).toMatchObject({ state: 'unknown' });
      expect(await blind.get(account)).toBeNull();
    });

    describe('the built CLI', () => {
      it('`connection test` exits 1 saying the keychain is locked, not that the password is missing', async () => {
        const started = Date.now();
        const tested = await runCli(['connection', 'test', `${installation}/mls`, '--json'], { home, env: { PGPASSFILE: join(work, 'no-pgpass') } });
        expect(Date.now() - started).toBeLessThan(15_000);
        expect(tested.code).toBe(1);
        const { error } = JSON.parse(tested.stdout) as { error: { code: string; message: string; hint: string } };
        expect(error.code).toBe('keychain-locked');
        expect(error.message).toContain('The OS keychain is locked');
        expect(error.hint).toContain('gnome-keyring-daemon --replace --unlock');
        expect(tested.stdout + tested.stderr).not.toMatch(/missing-password|secrets set/);
        expect(tested.stdout + tested.stderr).not.toContain(dbPassword);
      });

      it('`connection test` connects with the password from pgpass, the documented way around', async () => {
        const tested = await runCli(['connection', 'test', `${installation}/mls`, '--json'], { home, env: { PGPASSFILE: pgpass } });
        expect(tested.code).toBe(0);
        expect(JSON.parse(tested.stdout)).toMatchObject({ ok: true, report: { passwordSource: 'pgpassfile' } });
      });

      it('`secrets set` and `secrets delete` exit 1 saying the keychain is locked', async () => {
        const set = await runCli(['secrets', 'set', `${installation}/rls1`, 'db'], { home, stdin: 'new-pw-never-stored\n' });
        expect(set.code).toBe(1);
        expect(set.stderr).toContain('The OS keychain is locked');
        const deleted = await runCli(['secrets', 'delete', `${installation}/mls`, 'db'], { home });
        expect(deleted.code).toBe(1);
        expect(deleted.stderr).toContain('The OS keychain is locked');
      });
    });

    describe.skipIf(xvfbUnavailable() !== null)(`with an unlock prompt nobody answers${xvfbUnavailable() ? ` (skipped: ${xvfbUnavailable()})` : ''}`, () => {
      beforeAll(async () => {
        await keyring.showPrompts();
      });

      it('storing is refused at once instead of raising the prompt', async () => {
        const started = Date.now();
        const quick = new KeytarSecretStore({ timeoutMs: 8_000 });
        await expect(quick.set(accountFor(ref, 'ssh'), new Secret('not-stored-pw'))).rejects.toBeInstanceOf(KeychainLockedError);
        expect(Date.now() - started).toBeLessThan(4_000);
      });

      it('a read that waits on the prompt ends at the timeout as locked', async () => {
        const quick = new KeytarSecretStore({ timeoutMs: 1_500 });
        const started = Date.now();
        const error = await failure(quick.get(otherAccount));
        expect(Date.now() - started).toBeLessThan(6_000);
        expect(error).toBeInstanceOf(KeychainLockedError);
        expect((error as Error).message).toBe(
          'The OS keychain is locked: the keyring "archive" that holds the entry is locked, and its unlock prompt was not answered within 1.5 s',
        );
      });
    });

    // Through the CLI, a fresh process, as the admin would retry: libsecret in a process that
    // already talked to the replaced daemon keeps addressing the old one.
    it('the hint\'s command unlocks it without a desktop, and the entry is used again', async () => {
      await keyring.unlockByRestart();
      expect(await keyring.isLocked()).toBe(false);
      const tested = await runCli(['connection', 'test', `${installation}/mls`, '--json'], { home, env: { PGPASSFILE: join(work, 'no-pgpass') } });
      expect(tested.code).toBe(0);
      expect(JSON.parse(tested.stdout)).toMatchObject({ ok: true, report: { passwordSource: 'keychain' } });
      const deleted = await runCli(['secrets', 'delete', `${installation}/mls`, 'db'], { home });
      expect(deleted).toMatchObject({ code: 0, stderr: `Removed the db secret of ${installation}/mls from the keychain.\n` });
    });
  });
});

function pathOf(tool: string): string {
  const found = (process.env.PATH ?? '').split(':').map((dir) => join(dir, tool)).find((file) => existsSync(file));
  if (!found) throw new Error(`${tool} is not on PATH`);
  return found;
}
