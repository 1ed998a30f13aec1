// The transport-neutral operation table: requests are checked by the shared schemas, and
// every failure comes back as a value with a code, a message and a hint.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers, type Handlers } from '../../../src/main/ipc/handlers';
import { openReplicaDesk, type ReplicaDesk } from '../../../src/main/core/replicaDesk';
import { operations } from '../../../src/shared/api';

let home: string;
let core: ReplicaDesk;
let handlers: Handlers;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'rd-handlers-'));
  core = openReplicaDesk({ home });
  handlers = createHandlers(core);
});
afterAll(() => {
  core.close();
  rmSync(home, { recursive: true, force: true });
});

const valid = {
  name: 'staging',
  servers: [
    { name: 'mls', role: 'master', db: { host: 'db', database: 'cm', user: 'cm_master' } },
    { name: 'rls1', role: 'replica', db: { host: 'db', database: 'cm', user: 'cm_replication' } },
  ],
};

describe('createHandlers', () => {
  it('has a handler for every operation of the contract', () => {
    expect(Object.keys(handlers).sort()).toEqual([...operations].sort());
  });

  // Deleting needs the keychain (entries go with the installation): see tests/integration/profiles.
  it('saves, lists and exports an installation', async () => {
    const saved = await handlers.saveInstallation({ installation: valid });
    expect(saved.ok).toBe(true);
    if (saved.ok) expect(saved.value.servers[1]!.db).toMatchObject({ port: 5432, schema: 'cm_replication' });
    const listed = await handlers.listInstallations({});
    expect(listed).toMatchObject({ ok: true, value: [{ name: 'staging' }] });
    const exported = await handlers.exportProfiles({});
    expect(exported).toMatchObject({ ok: true, value: { format: 'replica-desk/profiles@1' } });
  });

  it('returns validation problems with JSON paths, not a thrown error', async () => {
    const result = await handlers.saveInstallation({ installation: { ...valid, servers: [{ ...valid.servers[1], db: { host: '', database: 'cm', user: 'u', port: 0 } }] } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid-input');
    expect(result.error.hint).toMatch(/nothing was changed/);
    expect(result.error.problems).toEqual(
      expect.arrayContaining([
        { path: '$.servers[0].db.host', message: 'db.host must not be empty' },
        { path: '$.servers[0].db.port', message: 'db.port must be between 1 and 65535' },
        { path: '$.servers', message: 'an installation needs exactly one server with role "master" (found 0)' },
      ]),
    );
  });

  it('rejects a malformed request before it reaches the core', async () => {
    const result = await handlers.deleteInstallation({ name: 42 } as unknown as { name: string });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    const extra = await handlers.listInstallations({ sneaky: true } as unknown as Record<string, never>);
    expect(extra).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
  });

  it('reports unknown names as not-found with a hint', async () => {
    const result = await handlers.testConnection({ ref: { installation: 'nope', server: 'mls' } });
    expect(result).toMatchObject({ ok: false, error: { code: 'not-found', message: 'Installation "nope" does not exist.' } });
    if (!result.ok) expect(result.error.hint.length).toBeGreaterThan(10);
  });

  it('refuses a second installation with the same name, ignoring case', async () => {
    const clash = await handlers.saveInstallation({ installation: { ...valid, name: 'STAGING' } });
    expect(clash).toMatchObject({ ok: false, error: { code: 'invalid-input', problems: [{ path: '$.name' }] } });
  });
});
