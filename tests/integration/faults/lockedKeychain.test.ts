// A restore started while the OS keychain is locked (and no pgpass file has the password):
// refused at preflight with "the keychain is locked" and how to unlock it — not "missing
// password" — and nothing is stopped. (The pgpass fallback on a locked keychain is tested in
// tests/integration/secrets/lockedKeyring.test.ts.)
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt } from '../../harness/cli';
import { runShell, startRestoreEnvironment, type RestoreEnvironment } from '../../harness/restoreEnvironment';
import { privateKeyringUnavailable, startPrivateKeyring, type PrivateKeyring } from '../secrets/privateKeyring';

describe.skipIf(privateKeyringUnavailable())('a restore on a locked keychain', () => {
  let env: RestoreEnvironment;
  let keyring: PrivateKeyring;
  beforeAll(async () => {
    assertCliBuilt();
    [env, keyring] = await Promise.all([startRestoreEnvironment({ withoutSsh: true, master: { sizeMb: 5 } }), startPrivateKeyring()]);
    await keyring.lockDefault();
  }, 180_000);
  afterAll(async () => {
    await keyring?.stop();
    await env?.stop();
  });

  it('is refused at preflight saying the keychain is locked, and stops nothing', async () => {
    const masterBefore = await env.masterFingerprint();
    const started = Date.now();
    const result = await env.cli(['restore', env.installation, '--yes', '--json'], { ...keyring.env, PGPASSFILE: join(env.dir, 'no-such-pgpass') });
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/keychain is locked/);
    expect(result.stderr).not.toMatch(/missing password/i);
    expect(JSON.parse(result.stdout).error.code).toBe('preflight-failed');
    expect(JSON.parse((await env.cli(['runs', 'list', '--json'])).stdout).runs).toEqual([]);
    expect(await runShell(env.control.rls1.status)).toBe(0);
    expect(await runShell(env.control.rls2.status)).toBe(0);
    expect(await env.masterFingerprint()).toBe(masterBefore);
    expect(await keyring.isLocked()).toBe(true);
  }, 60_000);
});
