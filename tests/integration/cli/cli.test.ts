// The `replica-desk` CLI against a real PostgreSQL cluster, a real SQLite file and the real
// OS keychain: the foundation's "done means" path, end to end.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type PgCluster } from '../../harness/postgresCluster';
import { createContentServer } from '../../harness/coremedia/contentServerDatabase';
import { assertCliBuilt, runCli } from '../../harness/cli';

const installation = `it-cli-${randomBytes(3).toString('hex')}`;
const password = `Pw-${randomBytes(9).toString('base64url')}-secret`;
let cluster: PgCluster;
let work: string;
let home: string;

function profilesFile(port: number, extra: Record<string, unknown> = {}) {
  return {
    format: 'replica-desk/profiles@1',
    installations: [
      {
        name: installation,
        description: 'CLI integration test',
        servers: [
          { name: 'mls', role: 'master', db: { host: '127.0.0.1', port, database: 'cm_master_db', user: 'cm_master', sslmode: 'disable' } },
          { name: 'rls1', role: 'replica', db: { host: '127.0.0.1', port, database: 'cm_rls1_db', user: 'cm_rls1', sslmode: 'disable' } },
        ],
        ...extra,
      },
    ],
  };
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

beforeAll(async () => {
  assertCliBuilt();
  cluster = await startCluster();
  await createContentServer(cluster, { layout: 'database-per-server', database: 'cm_master_db', role: 'cm_master', password, serverType: 'publication' });
  work = mkdtempSync(join(tmpdir(), 'rd-cli-'));
  home = join(work, 'home');
});

afterAll(async () => {
  if (home) {
    await runCli(['secrets', 'delete', `${installation}/mls`, 'db'], { home });
    await runCli(['secrets', 'delete', `${installation}/rls1`, 'db'], { home });
  }
  await cluster?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('replica-desk CLI', () => {
  it('imports a profiles@1 file and lists it', async () => {
    const file = join(work, 'profiles.json');
    writeFileSync(file, JSON.stringify(profilesFile(cluster.port)));
    const imported = await runCli(['profiles', 'import', file], { home });
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain(`created ${installation}`);

    const listed = await runCli(['profiles', 'list', '--json'], { home });
    expect(listed.code).toBe(0);
    const doc = JSON.parse(listed.stdout);
    expect(doc.installations).toHaveLength(1);
    expect(doc.installations[0].servers[0].db).toMatchObject({ host: '127.0.0.1', port: cluster.port, schema: 'cm_master' });

    const human = await runCli(['profiles', 'list'], { home });
    expect(human.stdout).toMatch(new RegExp(`${installation}[\\s\\S]*mls\\s+master\\s+127\\.0\\.0\\.1:${cluster.port}/cm_master_db`));
  });

  it('stores a password from stdin in the keychain and the connection test uses it', async () => {
    const set = await runCli(['secrets', 'set', `${installation}/mls`, 'db'], { home, stdin: `${password}\n` });
    expect(set.code).toBe(0);
    expect(set.stderr).toContain('Stored the database password');

    const tested = await runCli(['connection', 'test', `${installation}/mls`, '--json'], { home, env: { PGPASSFILE: join(work, 'no-such-pgpass') } });
    expect(tested.code).toBe(0);
    const result = JSON.parse(tested.stdout);
    expect(result.ok).toBe(true);
    expect(result.report).toMatchObject({ schema: 'cm_master', schemaExists: true, repositoryServerType: 'publication', passwordSource: 'keychain' });
    expect(result.report.serverVersion).toMatch(/^15\./);
  });

  it('reports a failed connection test with its class, a hint and exit code 1', async () => {
    const tested = await runCli(['connection', 'test', `${installation}/rls1`], { home, env: { PGPASSFILE: join(work, 'no-such-pgpass') } });
    expect(tested.code).toBe(1);
    expect(tested.stderr).toMatch(/rls1: FAILED \(missing-password\)/);
    expect(tested.stderr).toMatch(/hint: /);
  });

  it('exports the profiles without the secret, and the export imports again', async () => {
    const out = join(work, 'export.json');
    const exported = await runCli(['profiles', 'export', out], { home });
    expect(exported.code).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(JSON.parse(text).format).toBe('replica-desk/profiles@1');
    expect(text).not.toContain(password);
    const toStdout = await runCli(['profiles', 'export'], { home });
    expect(JSON.parse(toStdout.stdout)).toEqual(JSON.parse(text));

    const otherHome = join(work, 'other-home');
    const reimported = await runCli(['profiles', 'import', out], { home: otherHome });
    expect(reimported.code).toBe(0);
    const again = await runCli(['profiles', 'export'], { home: otherHome });
    expect(JSON.parse(again.stdout)).toEqual(JSON.parse(text));
  });

  it('rejects a bad file with every problem listed, exit 2, and nothing changed', async () => {
    const before = (await runCli(['profiles', 'export'], { home })).stdout;
    const bad = profilesFile(70000) as any;
    bad.installations[0].servers[1].role = 'master';
    delete bad.installations[0].servers[1].db.user;
    bad.installations.push({ name: 'second-ok', servers: [{ name: 'm', role: 'master', db: { host: 'h', database: 'd', user: 'u' } }] });
    const file = join(work, 'bad.json');
    writeFileSync(file, JSON.stringify(bad));
    const result = await runCli(['profiles', 'import', file, '--replace', '--json'], { home });
    expect(result.code).toBe(2);
    const doc = JSON.parse(result.stdout);
    expect(doc.ok).toBe(false);
    const paths = doc.error.problems.map((p: { path: string }) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining(['$.installations[0].servers[0].db.port', '$.installations[0].servers[1].db.port', '$.installations[0].servers[1].db.user', '$.installations[0].servers']),
    );
    expect(result.stderr).toContain('$.installations[0].servers[1].db.user');
    expect((await runCli(['profiles', 'export'], { home })).stdout).toBe(before);

    writeFileSync(file, '{ "format": "replica-desk/profiles@1", ');
    const notJson = await runCli(['profiles', 'import', file], { home });
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/not valid JSON/);
  });

  it('refuses to overwrite an existing installation without --replace', async () => {
    const file = join(work, 'changed.json');
    writeFileSync(file, JSON.stringify(profilesFile(cluster.port, { description: 'changed' })));
    const refused = await runCli(['profiles', 'import', file], { home });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/already exists \(use --replace/);
    const replaced = await runCli(['profiles', 'import', file, '--replace'], { home });
    expect(replaced.code).toBe(0);
    const listed = JSON.parse((await runCli(['profiles', 'list', '--json'], { home })).stdout);
    expect(listed.installations[0].description).toBe('changed');
  });

  it('exits 2 on bad usage without touching anything', async () => {
    expect((await runCli(['frobnicate'], { home })).code).toBe(2);
    expect((await runCli(['profiles', 'list', '--bogus'], { home })).code).toBe(2);
    expect((await runCli(['secrets', 'set', 'no-slash', 'db'], { home, stdin: 'x' })).code).toBe(2);
    expect((await runCli(['secrets', 'set', `${installation}/nope`, 'db'], { home, stdin: 'x' })).code).toBe(2);
    expect((await runCli(['secrets', 'set', `${installation}/mls`, 'token'], { home, stdin: 'x' })).code).toBe(2);
    expect((await runCli(['secrets', 'set', `${installation}/rls1`, 'db'], { home, stdin: '' })).code).toBe(2);
    const help = await runCli(['--help'], { home });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('profiles import FILE [--replace]');
  });

  it('refuses a --from-backup file that is not a pg_dump archive, before anything else, exit 2', async () => {
    const sql = join(work, 'backup.sql');
    writeFileSync(sql, '--\n-- PostgreSQL database dump\n--\nSET statement_timeout = 0;\n');
    const refused = await runCli(['restore', installation, '--from-backup', sql, '--dry-run'], { home });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${sql} is a plain SQL script`);
    expect(refused.stderr).not.toMatch(/preflight/i);
    // Checked first: even before the installation is looked up.
    const first = await runCli(['restore', 'no-such-installation', '--from-backup', sql, '--dry-run'], { home });
    expect(first.code).toBe(2);
    expect(first.stderr).toContain('plain SQL script');
  });

  it('never writes the password to the SQLite file, the logs or the exports', async () => {
    await runCli(['profiles', 'export', join(home, 'export-for-grep.json')], { home });
    const files = filesUnder(home);
    expect(files.some((f) => f.endsWith('.sqlite'))).toBe(true);
    expect(files.some((f) => f.endsWith('.log'))).toBe(true);
    for (const f of files) expect(readFileSync(f).includes(Buffer.from(password)), f).toBe(false);
  });

  it('removes the secret from the keychain', async () => {
    const deleted = await runCli(['secrets', 'delete', `${installation}/mls`, 'db', '--json'], { home });
    expect(deleted.code).toBe(0);
    expect(JSON.parse(deleted.stdout)).toMatchObject({ ok: true, deleted: true });
    const again = await runCli(['secrets', 'delete', `${installation}/mls`, 'db', '--json'], { home });
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, deleted: false });
  });
});
