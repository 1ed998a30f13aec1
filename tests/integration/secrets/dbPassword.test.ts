// Against the real OS keychain and real pgpass files. On headless Linux run it inside a
// private Secret Service: bash scripts/with-keyring.sh npx vitest run tests/integration/secrets
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveDbPassword } from '../../../src/main/core/secrets/dbPassword';
import { KeychainUnavailableError } from '../../../src/main/core/secrets/keychainErrors';
import { KeytarSecretStore } from '../../../src/main/core/secrets/keytarSecretStore';
import { Secret } from '../../../src/main/core/secrets/secret';
import { accountFor } from '../../../src/main/core/secrets/secretStore';
import { endpointBoundSecrets, type BoundSecretsFixture } from '../../harness/endpointBoundSecrets';

const store = new KeytarSecretStore();
const ref = { installation: `it-${process.pid}-${Date.now()}`, server: 'rls1' };
const db = { host: '127.0.0.1', port: 54329, database: 'cm_replication', user: 'cm_replication' };
let dir: string;
let pgpass: string;
// The connections' view of the keychain: entries go only to the endpoint they were entered for.
let bound: BoundSecretsFixture;

beforeAll(async () => {
  bound = endpointBoundSecrets(store);
  dir = await mkdtemp(join(tmpdir(), 'db-password-test-'));
  pgpass = join(dir, 'pgpass');
  await writeFile(pgpass, `otherhost:54329:*:*:wrong\n127.0.0.1:54329:cm_replication:cm_replication:from-pgpass\n`);
  await chmod(pgpass, 0o600);
});

afterAll(async () => {
  bound.close();
  await store.delete(accountFor(ref, 'db')).catch(() => false);
  await rm(dir, { recursive: true, force: true });
});

// Must run first in this file: libsecret reads DBUS_SESSION_BUS_ADDRESS at each call only
// until its first successful connection (vitest gives each file its own process).
describe.runIf(process.platform === 'linux')('when the keychain is unavailable', () => {
  const withoutBus = async <T>(fn: () => Promise<T>): Promise<T> => {
    const saved = process.env.DBUS_SESSION_BUS_ADDRESS;
    process.env.DBUS_SESSION_BUS_ADDRESS = `unix:path=${join(dir, 'no-such-bus')}`;
    try {
      return await fn();
    } finally {
      if (saved === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
      else process.env.DBUS_SESSION_BUS_ADDRESS = saved;
    }
  };

  it('falls back to pgpass', async () => {
    const resolved = await withoutBus(() => resolveDbPassword(bound.secrets, ref, db, { PGPASSFILE: pgpass }));
    expect(resolved.source).toBe('pgpassfile');
    expect(resolved.secret?.reveal()).toBe('from-pgpass');
  });

  it('rethrows the keychain error when pgpass has nothing either', async () => {
    const attempt = withoutBus(() => resolveDbPassword(bound.secrets, ref, db, { PGPASSFILE: join(dir, 'missing') }));
    await expect(attempt).rejects.toBeInstanceOf(KeychainUnavailableError);
  });
});

describe('resolveDbPassword', () => {
  it('uses pgpass when the keychain has no entry', async () => {
    expect(await store.get(accountFor(ref, 'db'))).toBeNull(); // reachable, and empty
    const resolved = await resolveDbPassword(bound.secrets, ref, db, { PGPASSFILE: pgpass });
    expect(resolved).toMatchObject({ source: 'pgpassfile' });
    expect(resolved.secret?.reveal()).toBe('from-pgpass');
  });

  it('prefers the keychain entry installation/server/db over pgpass', async () => {
    await store.set(accountFor(ref, 'db'), new Secret('from-keychain'));
    try {
      const resolved = await resolveDbPassword(bound.secrets, ref, db, { PGPASSFILE: pgpass });
      expect(resolved.source).toBe('keychain');
      expect(resolved.secret?.reveal()).toBe('from-keychain');
    } finally {
      await store.delete(accountFor(ref, 'db'));
    }
  });

  it("answers 'none' when neither has a password", async () => {
    const resolved = await resolveDbPassword(bound.secrets, ref, { ...db, host: 'elsewhere' }, { PGPASSFILE: pgpass });
    expect(resolved).toEqual({ secret: null, source: 'none' });
  });

  it.skipIf(process.platform === 'win32')("answers 'none' with libpq's warning for a group-readable pgpass", async () => {
    const open = join(dir, 'pgpass-open');
    await writeFile(open, '*:*:*:*:ignored\n');
    await chmod(open, 0o644);
    const resolved = await resolveDbPassword(bound.secrets, ref, db, { PGPASSFILE: open });
    expect(resolved.source).toBe('none');
    expect(resolved.warning).toContain('group or world access');
  });
});
