// The app's side of endpoint binding, through the operation table with the real keychain:
// the secret status says for which endpoint a secret was entered; "use it for the new
// endpoint" (confirmSecretEndpoint) rebinds only when main's own prompt says yes — never on
// the renderer's word; renames carry bindings along and deleting removes them.
// Run inside a Secret Service: bash scripts/with-keyring.sh npx vitest run --project integration tests/integration/secrets/confirmSecretEndpoint.test.ts
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReplicaDesk, type ReplicaDesk } from '../../../src/main/core/replicaDesk';
import { KeytarSecretStore } from '../../../src/main/core/secrets/keytarSecretStore';
import { Secret } from '../../../src/main/core/secrets/secret';
import { accountFor } from '../../../src/main/core/secrets/secretStore';
import type { TrustPrompt } from '../../../src/main/ipc/confirmInMain';
import { createHandlers } from '../../../src/main/ipc/handlers';

const keychain = new KeytarSecretStore();
const name = `it-confirm-${randomBytes(3).toString('hex')}`;
const KEY = `SHA256:${'Q'.repeat(43)}`;
let home: string;
let core: ReplicaDesk;

const installation = (rls: { name?: string; host: string; sshPort?: number }) => ({
  name,
  servers: [
    { name: 'mls', role: 'master', db: { host: 'db0', database: 'cm', user: 'cm_master' } },
    {
      name: rls.name ?? 'rls1',
      role: 'replica',
      db: { host: rls.host, database: 'cm', user: 'cm_rls1' },
      host: { access: 'ssh', hostname: 'rls1.example', port: rls.sshPort ?? 22, user: 'coremedia', hostKey: KEY },
    },
  ],
});

const bindingRows = () => core.store.db.prepare('SELECT account FROM secret_bindings WHERE account LIKE ? ORDER BY account').all(`${name}/%`) as { account: string }[];

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'rd-confirm-endpoint-'));
  core = openReplicaDesk({ home });
});
afterAll(async () => {
  for (const server of ['mls', 'rls1', 'rls9']) for (const kind of ['db', 'ssh'] as const) await keychain.delete(accountFor({ installation: name, server }, kind)).catch(() => false);
  core.close();
  rmSync(home, { recursive: true, force: true });
});

describe('confirmSecretEndpoint and the secret status', () => {
  const ref = { installation: name, server: 'rls1' };

  it('reports a secret entered for another endpoint, and rebinds only when main says yes', async () => {
    const handlers = createHandlers(core);
    expect((await handlers.saveInstallation({ installation: installation({ host: 'db1' }) })).ok).toBe(true);
    const stored = await handlers.setSecret({ ref, kind: 'db', value: `pw-${randomBytes(6).toString('hex')}` });
    expect(stored).toMatchObject({ ok: true, value: { db: true, endpoints: { db: { boundToCurrent: true, enteredFor: 'cm_rls1@db1:5432/cm', current: 'cm_rls1@db1:5432/cm' }, ssh: null } } });

    expect((await handlers.saveInstallation({ previousName: name, installation: installation({ host: 'db2' }) })).ok).toBe(true);
    const moved = await handlers.secretStatus({ ref });
    expect(moved).toMatchObject({ ok: true, value: { db: true, endpoints: { db: { boundToCurrent: false, enteredFor: 'cm_rls1@db1:5432/cm', current: 'cm_rls1@db2:5432/cm' } } } });

    // Without a prompt in main (the default), and when the admin says no: nothing changes.
    expect(await createHandlers(core).confirmSecretEndpoint({ ref, kind: 'db' })).toMatchObject({ ok: true, value: { confirmed: false } });
    const asked: TrustPrompt[] = [];
    const declining = createHandlers(core, { confirmInMain: async (prompt) => (asked.push(prompt), false) });
    const declined = await declining.confirmSecretEndpoint({ ref, kind: 'db' });
    expect(declined).toMatchObject({ ok: true, value: { confirmed: false, status: { endpoints: { db: { boundToCurrent: false } } } } });
    expect(asked).toHaveLength(1);
    expect(asked[0]!.detail).toContain('Entered for:   cm_rls1@db1:5432/cm');
    expect(asked[0]!.detail).toContain('Points now at: cm_rls1@db2:5432/cm');
    expect(asked[0]!.confirmLabel).toBe('Use it for the new endpoint');
    expect((await core.secrets.check(ref, 'db')).matches).toBe(false);

    const approving = createHandlers(core, { confirmInMain: async () => true });
    const confirmed = await approving.confirmSecretEndpoint({ ref, kind: 'db' });
    expect(confirmed).toMatchObject({ ok: true, value: { confirmed: true, status: { endpoints: { db: { boundToCurrent: true, enteredFor: 'cm_rls1@db2:5432/cm' } } } } });
  });

  it('holds an SSH secret to hostname, port, user and pinned host key', async () => {
    const handlers = createHandlers(core);
    await handlers.setSecret({ ref, kind: 'ssh', value: `pp-${randomBytes(6).toString('hex')}` });
    expect((await handlers.saveInstallation({ previousName: name, installation: installation({ host: 'db2', sshPort: 2222 }) })).ok).toBe(true);
    expect(await handlers.secretStatus({ ref })).toMatchObject({
      ok: true,
      value: { ssh: true, endpoints: { ssh: { boundToCurrent: false, enteredFor: `coremedia@rls1.example:22 (host key ${KEY})`, current: `coremedia@rls1.example:2222 (host key ${KEY})` } } },
    });
  });

  it('binds an entry written outside Replica Desk to its old endpoint when an edit moves the server', async () => {
    const handlers = createHandlers(core);
    const mls = { installation: name, server: 'mls' };
    await keychain.set(accountFor(mls, 'db'), new Secret(`m-${randomBytes(6).toString('hex')}`)); // as secret-tool would: no binding
    const edited = installation({ host: 'db2', sshPort: 2222 });
    edited.servers[0]!.db.host = 'db0-new';
    expect((await handlers.saveInstallation({ previousName: name, installation: edited })).ok).toBe(true);
    expect(await handlers.secretStatus({ ref: mls })).toMatchObject({
      ok: true,
      value: { db: true, endpoints: { db: { boundToCurrent: false, enteredFor: 'cm_master@db0:5432/cm', current: 'cm_master@db0-new:5432/cm' } } },
    });
  });

  it('carries bindings along with a rename, and removes them with the installation', async () => {
    const handlers = createHandlers(core);
    const renamed = await handlers.saveInstallation({ previousName: name, installation: installation({ name: 'rls9', host: 'db2', sshPort: 2222 }), serverRenames: [{ from: 'rls1', to: 'rls9' }] });
    expect(renamed.ok).toBe(true);
    // Still entered for port 22: a rename does not launder an endpoint change.
    expect(await handlers.secretStatus({ ref: { installation: name, server: 'rls9' } })).toMatchObject({
      ok: true,
      value: { db: true, ssh: true, endpoints: { db: { boundToCurrent: true }, ssh: { boundToCurrent: false, enteredFor: `coremedia@rls1.example:22 (host key ${KEY})` } } },
    });
    expect(bindingRows().map((r) => r.account)).toEqual([`${name}/mls/db`, `${name}/rls9/db`, `${name}/rls9/ssh`]);

    expect((await handlers.deleteInstallation({ name })).ok).toBe(true);
    expect(bindingRows()).toEqual([]);
  });
});
