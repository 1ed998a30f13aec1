// A password stays with its endpoint: with real clusters, the real keychain and the built
// CLI. A stored password for rls1 must not reach another cluster after an import --replace
// points rls1 there — even though that cluster has a role of the same name that accepts it.
// The other cluster sits behind a loopback proxy that counts every byte sent to it.
// Run inside a Secret Service: bash scripts/with-keyring.sh npx vitest run --project integration tests/integration/secrets/endpointBinding.test.ts
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeytarSecretStore } from '../../../src/main/core/secrets/keytarSecretStore';
import { Secret } from '../../../src/main/core/secrets/secret';
import { accountFor } from '../../../src/main/core/secrets/secretStore';
import { assertCliBuilt, runCli, type CliResult } from '../../harness/cli';
import { startCluster, type PgCluster } from '../../harness/postgresCluster';
import { startTcpProxy, type TcpProxy } from '../../harness/tcpProxy';

const keychain = new KeytarSecretStore();
const installation = `it-bind-${randomBytes(3).toString('hex')}`;
const password = `Pw-${randomBytes(9).toString('base64url')}`;
const masterPassword = `Pw-${randomBytes(9).toString('base64url')}`;

let a: PgCluster;
let b: PgCluster;
let proxyB: TcpProxy;
let dir: string;
let home: string;
let noPgpass: string;

type Db = { host: string; port: number; database: string; user: string };
const onA = (): Db => ({ host: '127.0.0.1', port: a.port, database: 'cm_rls', user: 'cm_rls' });
const onB = (): Db => ({ host: '127.0.0.1', port: proxyB.port, database: 'cm_rls', user: 'cm_rls' });

/** The installation with each named server's db where given (servers not named stay on a). */
function profileFile(dbs: Record<string, Db>): string {
  const server = (name: string, role: 'master' | 'replica', db: Db) => ({ name, role, db: { ...db, sslmode: 'disable' }, host: { access: 'local' } });
  const file = join(dir, `profiles-${randomBytes(4).toString('hex')}.json`);
  const doc = {
    format: 'replica-desk/profiles@1',
    installations: [
      {
        name: installation,
        servers: [
          server('mls', 'master', { host: '127.0.0.1', port: a.port, database: 'cm_mls', user: 'cm_master' }),
          server('rls1', 'replica', dbs.rls1 ?? onA()),
          server('rls2', 'replica', dbs.rls2 ?? onA()),
          server('rls3', 'replica', dbs.rls3 ?? onA()),
        ],
      },
    ],
  };
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

// No pgpass file, so a password can only come from the keychain (unless a test gives one).
const cli = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> => runCli(args, { home, env: { PGPASSFILE: noPgpass, SSH_AUTH_SOCK: '', ...env } });

const setSecret = (server: string, value: string): Promise<CliResult> =>
  runCli(['secrets', 'set', `${installation}/${server}`, 'db'], { home, stdin: value, env: { PGPASSFILE: noPgpass } });

async function importReplacing(dbs: Record<string, Db>): Promise<void> {
  const imported = await cli(['profiles', 'import', profileFile(dbs), '--replace']);
  expect(imported.code, imported.stderr).toBe(0);
}

async function connectionTest(server: string): Promise<{ code: number; doc: any }> {
  const result = await cli(['connection', 'test', `${installation}/${server}`, '--json']);
  return { code: result.code, doc: JSON.parse(result.stdout) };
}

const log = () => readFileSync(join(home, 'logs', 'replica-desk.log'), 'utf8');

beforeAll(async () => {
  assertCliBuilt();
  dir = mkdtempSync(join(tmpdir(), 'rd-binding-'));
  home = join(dir, 'home');
  noPgpass = join(dir, 'no-pgpass');
  [a, b] = await Promise.all([startCluster(), startCluster()]);
  // The same role, database and password on both clusters: b would accept rls1's password.
  for (const cluster of [a, b]) {
    await cluster.createRole('cm_rls', password);
    await cluster.createDatabase('cm_rls', 'cm_rls');
  }
  await a.createRole('cm_master', masterPassword);
  await a.createDatabase('cm_mls', 'cm_master');
  proxyB = await startTcpProxy({ host: b.host, port: b.port });
  const imported = await cli(['profiles', 'import', profileFile({})]);
  expect(imported.code, imported.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  for (const server of ['mls', 'rls1', 'rls2', 'rls3']) {
    for (const kind of ['db', 'ssh'] as const) await keychain.delete(accountFor({ installation, server }, kind)).catch(() => false);
  }
  await proxyB?.close();
  await Promise.allSettled([a?.stop(), b?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a stored database password after its server is pointed elsewhere', () => {
  it('is not sent to the new endpoint until `secrets confirm`, by the connection test, topology or the restore preflight', async () => {
    const setMaster = await setSecret('mls', masterPassword);
    expect(setMaster.code, setMaster.stderr).toBe(0);
    const set = await setSecret('rls1', password);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stderr).toContain(`for cm_rls@127.0.0.1:${a.port}/cm_rls`);
    expect((await connectionTest('rls1')).code).toBe(0);

    await importReplacing({ rls1: onB() });

    const tested = await connectionTest('rls1');
    expect(tested.code).toBe(1);
    expect(tested.doc.error.code).toBe('secret-endpoint-changed');
    expect(tested.doc.error.message).toBe(
      `The stored database password for ${installation}/rls1 was entered for cm_rls@127.0.0.1:${a.port}/cm_rls; the profile now points at cm_rls@127.0.0.1:${proxyB.port}/cm_rls. It was not used.`,
    );
    expect(tested.doc.error.hint).toContain(`replica-desk secrets set ${installation}/rls1 db`);
    expect(tested.doc.error.hint).toContain(`replica-desk secrets confirm ${installation}/rls1 db`);
    const human = await cli(['connection', 'test', `${installation}/rls1`]);
    expect(human.code).toBe(1);
    expect(human.stderr).toContain('FAILED (secret-endpoint-changed)');

    const topology = await cli(['topology', installation, '--json']);
    expect(topology.code, topology.stderr).toBe(0);
    const rls1 = JSON.parse(topology.stdout).installations[0].servers.find((s: { name: string }) => s.name === 'rls1');
    expect(rls1.database.error.code).toBe('secret-endpoint-changed');

    const dryRun = await cli(['restore', installation, '--replica', 'rls1', '--dry-run', '--json']);
    const findings = JSON.parse(dryRun.stdout).preflight as { check: string; server: string; ok: boolean; message: string }[];
    expect(findings.find((f) => f.check === 'database' && f.server === `${installation}/rls1`)).toMatchObject({ ok: false, message: expect.stringContaining('was entered for cm_rls@127.0.0.1') });

    // Not a byte went to the other cluster: no connection was even opened.
    expect(proxyB.bytes.toServer).toBe(0);

    // Without a terminal and without --yes nothing changes (exit 2).
    const unasked = await cli(['secrets', 'confirm', `${installation}/rls1`, 'db']);
    expect(unasked.code).toBe(2);
    expect(unasked.stderr).toContain(`Entered for:   cm_rls@127.0.0.1:${a.port}/cm_rls`);
    expect(unasked.stderr).toContain(`Points now at: cm_rls@127.0.0.1:${proxyB.port}/cm_rls`);
    expect((await connectionTest('rls1')).doc.error.code).toBe('secret-endpoint-changed');
    expect(proxyB.bytes.toServer).toBe(0);

    const confirmed = await cli(['secrets', 'confirm', `${installation}/rls1`, 'db', '--yes']);
    expect(confirmed.code, confirmed.stderr).toBe(0);
    const after = await connectionTest('rls1');
    expect(after.code, JSON.stringify(after.doc)).toBe(0);
    expect(after.doc.report.passwordSource).toBe('keychain');
    expect(proxyB.bytes.toServer).toBeGreaterThan(0);
  }, 180_000);

  it('uses a pgpass entry for the new endpoint instead, and logs why the keychain entry was not', async () => {
    const set = await setSecret('rls1', password);
    expect(set.code, set.stderr).toBe(0); // re-entering binds to where rls1 points now (b)
    await importReplacing({ rls1: onA() });
    const pgpass = join(dir, 'pgpass');
    writeFileSync(pgpass, `127.0.0.1:${a.port}:cm_rls:cm_rls:${password}\n`, { mode: 0o600 });
    const result = await cli(['connection', 'test', `${installation}/rls1`, '--json'], { PGPASSFILE: pgpass });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).report.passwordSource).toBe('pgpassfile');
    expect(JSON.parse(result.stdout).report.passwordWarning).toContain(`The stored database password for ${installation}/rls1 was entered for cm_rls@127.0.0.1:${proxyB.port}/cm_rls`);
    expect(log()).toContain(`The stored database password for ${installation}/rls1 was entered for cm_rls@127.0.0.1:${proxyB.port}/cm_rls; the profile now points at cm_rls@127.0.0.1:${a.port}/cm_rls. It was not used. Using the password from ${pgpass} instead.`);
  }, 60_000);

  it('binds an entry written outside Replica Desk (secret-tool) to the endpoint it was used with before a profile change', async () => {
    // Written straight into the keychain, as `secret-tool store` would: no binding yet.
    await keychain.set(accountFor({ installation, server: 'rls2' }, 'db'), new Secret(password));
    const before = proxyB.bytes.toServer;
    await importReplacing({ rls2: onB() });
    const tested = await connectionTest('rls2');
    expect(tested.doc.error?.code).toBe('secret-endpoint-changed');
    expect(tested.doc.error.message).toContain(`was entered for cm_rls@127.0.0.1:${a.port}/cm_rls`);
    expect(proxyB.bytes.toServer).toBe(before);
  }, 60_000);

  it('binds an entry without a binding on its first use (trust on first use, logged), and then holds it there', async () => {
    await keychain.set(accountFor({ installation, server: 'rls3' }, 'db'), new Secret(password));
    expect((await connectionTest('rls3')).code).toBe(0);
    expect(log()).toMatch(new RegExp(`keychain secret bound to its endpoint on first use.*${installation}/rls3.*cm_rls@127\\.0\\.0\\.1:${a.port}/cm_rls`));
    const before = proxyB.bytes.toServer;
    await importReplacing({ rls3: onB() });
    expect((await connectionTest('rls3')).doc.error?.code).toBe('secret-endpoint-changed');
    expect(proxyB.bytes.toServer).toBe(before);
  }, 60_000);

  it('a secret is never written to the local database or the log', () => {
    for (const file of ['replica-desk.sqlite', 'replica-desk.sqlite-wal']) {
      if (existsSync(join(home, file))) expect(readFileSync(join(home, file)).includes(Buffer.from(password))).toBe(false);
    }
    expect(log()).not.toContain(password);
  });
});
