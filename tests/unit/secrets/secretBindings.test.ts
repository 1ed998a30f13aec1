// The bindings in SQLite: migration 6 binds every server already stored (both kinds) to its
// profile as it is, so an entry from before this version is held to that endpoint; and
// bindings follow keychain entries when servers are renamed or swapped.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProfileRepository } from '../../../src/main/core/profiles/profileRepository';
import { SecretBindings } from '../../../src/main/core/secrets/secretBindings';
import { endpointOf } from '../../../src/main/core/secrets/secretEndpoint';
import { openStore } from '../../../src/main/core/store/database';
import { migrations } from '../../../src/main/core/store/migrations';
import { InstallationSchema } from '../../../src/shared/profiles';

const KEY = `SHA256:${'k'.repeat(43)}`;
const installation = InstallationSchema.parse({
  name: 'Prod',
  servers: [
    { name: 'mls', role: 'master', db: { host: 'db1', database: 'cm', user: 'cm_master' } },
    {
      name: 'RLS1',
      role: 'replica',
      db: { host: 'db2', port: 5433, database: 'cm_rls1', user: 'cm_rls1' },
      host: { access: 'ssh', hostname: 'rls1.example', user: 'coremedia', hostKey: KEY },
    },
  ],
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rd-bindings-unit-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('migration 6', () => {
  it('binds the secrets of every stored server, both kinds, to the profile as it is', () => {
    const file = join(dir, 'replica-desk.sqlite');
    const before = openStore(file, { migrations: migrations.filter((m) => m.version < 6) });
    new ProfileRepository(before.db).upsert(installation);
    before.close();

    const after = openStore(file);
    try {
      const bindings = new SecretBindings(after.db);
      const [mls, rls1] = installation.servers;
      expect(bindings.get('Prod/mls/db')).toMatchObject({ kind: 'db', origin: 'upgrade', endpoint: endpointOf(mls!, 'db') });
      expect(bindings.get('Prod/mls/ssh')).toMatchObject({ kind: 'ssh', endpoint: { kind: 'ssh', access: 'local' } });
      expect(bindings.get('Prod/RLS1/db')?.endpoint).toEqual({ kind: 'db', host: 'db2', port: 5433, database: 'cm_rls1', user: 'cm_rls1' });
      expect(bindings.get('Prod/RLS1/ssh')?.endpoint).toEqual(endpointOf(rls1!, 'ssh'));
      expect(bindings.get('Prod/RLS1/ssh')?.endpoint).toEqual({ kind: 'ssh', access: 'ssh', hostname: 'rls1.example', port: 22, user: 'coremedia', hostKey: KEY });
    } finally {
      after.close();
    }
  });
});

describe('SecretBindings', () => {
  it('moves bindings with renamed entries, swaps included, and drops those of removed accounts', () => {
    const store = openStore(join(dir, 'replica-desk.sqlite'));
    try {
      const bindings = new SecretBindings(store.db);
      const [mls, rls1] = installation.servers;
      bindings.bind('p/a/db', endpointOf(mls!, 'db'), 'entered');
      bindings.bind('p/b/db', endpointOf(rls1!, 'db'), 'confirmed');
      bindings.bind('p/gone/db', endpointOf(rls1!, 'db'), 'entered');
      bindings.relocate(new Map([['p/a/db', 'p/b/db'], ['p/b/db', 'p/a/db']]), ['p/gone/db']);
      expect(bindings.get('p/a/db')).toMatchObject({ endpoint: endpointOf(rls1!, 'db'), origin: 'confirmed' });
      expect(bindings.get('p/b/db')).toMatchObject({ endpoint: endpointOf(mls!, 'db'), origin: 'entered' });
      expect(bindings.get('p/gone/db')).toBeNull();
    } finally {
      store.close();
    }
  });

  it('binds once on first use; a later first use does not move it', () => {
    const store = openStore(join(dir, 'replica-desk.sqlite'));
    try {
      const bindings = new SecretBindings(store.db);
      const [mls, rls1] = installation.servers;
      expect(bindings.bindIfMissing('p/a/db', endpointOf(mls!, 'db'), 'first-use')).toBe(true);
      expect(bindings.bindIfMissing('p/a/db', endpointOf(rls1!, 'db'), 'first-use')).toBe(false);
      expect(bindings.get('p/a/db')?.endpoint).toEqual(endpointOf(mls!, 'db'));
    } finally {
      store.close();
    }
  });
});
