// Renaming or deleting servers and installations carries their keychain entries along or
// removes them — against the real OS keychain.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReplicaDesk, type ReplicaDesk } from '../../../src/main/core/replicaDesk';
import { Secret } from '../../../src/main/core/secrets/secret';
import { KeytarSecretStore } from '../../../src/main/core/secrets/keytarSecretStore';
import { accountFor } from '../../../src/main/core/secrets/secretStore';
import type { InstallationInput } from '../../../src/shared/profiles';

const tag = randomBytes(3).toString('hex');
const keychain = new KeytarSecretStore();
let home: string;
let core: ReplicaDesk;
const touched: string[] = [];

const server = (name: string, role: 'master' | 'replica') => ({ name, role, db: { host: 'db.example', database: 'cm', user: `cm_${name}` } });
const installation = (name: string, servers = [server('mls', 'master'), server('rls1', 'replica'), server('rls2', 'replica')]): InstallationInput => ({
  name,
  servers,
});
const value = async (inst: string, srv: string, kind: 'db' | 'ssh' = 'db') => {
  const account = accountFor({ installation: inst, server: srv }, kind);
  touched.push(account);
  return (await keychain.get(account))?.reveal() ?? null;
};

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'rd-renames-'));
  core = openReplicaDesk({ home });
});

afterAll(async () => {
  core?.close();
  for (const account of new Set(touched)) await keychain.delete(account);
  rmSync(home, { recursive: true, force: true });
});

describe('keychain entries follow servers and installations', () => {
  const a = `it-ren-${tag}`;
  const b = `it-ren2-${tag}`;

  it('moves a server\'s secrets when it is renamed, and swaps correctly', async () => {
    await core.profiles.save({ installation: installation(a) });
    await core.secrets.set({ installation: a, server: 'rls1' }, 'db', new Secret(`one-${tag}`));
    await core.secrets.set({ installation: a, server: 'rls1' }, 'ssh', new Secret(`one-ssh-${tag}`));
    await core.secrets.set({ installation: a, server: 'rls2' }, 'db', new Secret(`two-${tag}`));

    // Swap the two replicas' names in one edit.
    await core.profiles.save({
      previousName: a,
      installation: installation(a, [server('mls', 'master'), server('rls2', 'replica'), server('rls1', 'replica')]),
      serverRenames: [
        { from: 'rls1', to: 'rls2' },
        { from: 'rls2', to: 'rls1' },
      ],
    });
    expect(await value(a, 'rls2')).toBe(`one-${tag}`);
    expect(await value(a, 'rls2', 'ssh')).toBe(`one-ssh-${tag}`);
    expect(await value(a, 'rls1')).toBe(`two-${tag}`);
    expect(await value(a, 'rls1', 'ssh')).toBeNull();
  });

  it('moves every entry when the installation is renamed', async () => {
    await core.profiles.save({ previousName: a, installation: installation(b, [server('mls', 'master'), server('rls2', 'replica'), server('rls1', 'replica')]) });
    expect(await value(b, 'rls2')).toBe(`one-${tag}`);
    expect(await value(b, 'rls1')).toBe(`two-${tag}`);
    expect(await value(a, 'rls2')).toBeNull();
    expect(await value(a, 'rls1')).toBeNull();
    expect(core.profiles.list().map((i) => i.name)).toEqual([b]);
  });

  it('removes the entries of a server that is dropped from the installation', async () => {
    await core.profiles.save({ previousName: b, installation: installation(b, [server('mls', 'master'), server('rls1', 'replica')]) });
    expect(await value(b, 'rls2')).toBeNull();
    expect(await value(b, 'rls1')).toBe(`two-${tag}`);
  });

  it('removes all entries when the installation is deleted', async () => {
    await core.secrets.set({ installation: b, server: 'mls' }, 'db', new Secret(`m-${tag}`));
    await core.profiles.delete(b);
    expect(await value(b, 'mls')).toBeNull();
    expect(await value(b, 'rls1')).toBeNull();
    expect(core.profiles.list()).toEqual([]);
  });

  it('leaves profiles and keychain unchanged when an edit is invalid', async () => {
    await core.profiles.save({ installation: installation(a) });
    await core.secrets.set({ installation: a, server: 'rls1' }, 'db', new Secret(`keep-${tag}`));
    const before = core.profiles.exportFile();
    await expect(
      core.profiles.save({
        previousName: a,
        installation: installation(a, [server('mls', 'master'), server('rls9', 'master')]),
        serverRenames: [{ from: 'rls1', to: 'rls9' }],
      }),
    ).rejects.toMatchObject({ code: 'invalid-input' });
    expect(core.profiles.exportFile()).toEqual(before);
    expect(await value(a, 'rls1')).toBe(`keep-${tag}`);
    expect(await value(a, 'rls9')).toBeNull();
    await core.profiles.delete(a);
  });
});
