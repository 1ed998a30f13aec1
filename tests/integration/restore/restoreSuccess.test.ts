// The whole procedure through the CLI, as an admin would run it, in the default mode (the
// preflight chooses side-by-side here: both replicas' roles may create schemas and the local
// servers have room): two replicas from one backup, one in its own database on another
// cluster, one over SSH in the master's own database. Afterwards every check of the issue
// holds and the master is untouched: same data, same schema object, same table objects, and
// no shadow or kept schema under its name.
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt } from '../../harness/cli';
import { runShell, startRestoreEnvironment, type RestoreEnvironment } from '../../harness/restoreEnvironment';
import { keptSchemaName } from '../../../src/main/core/restore/sideBySideNames';

let env: RestoreEnvironment;
let masterBefore: string;
let record: any;
let masterObjectsBefore: string[];

/** The master schema's OID and every relation's OID and name: a rename or a re-create changes them. */
const masterObjects = async () =>
  (
    await env.a.query<{ o: string }>(
      `SELECT n.oid::text || ':' || n.nspname || ':' || coalesce(c.oid::text || ':' || c.relname, '') AS o
         FROM pg_namespace n LEFT JOIN pg_class c ON c.relnamespace = n.oid WHERE n.nspname = 'cm_master' ORDER BY 1`,
      [],
      'coremedia',
    )
  ).rows.map((r) => r.o);

async function replicaSnapshot(name: 'rls1' | 'rls2') {
  const { cluster, database, schema } = env.replicaCluster(name);
  const q = async <T extends Record<string, unknown>>(sql: string) => (await cluster.query<T>(sql, [], database)).rows;
  return {
    system: await q<{ property: string; content: string }>(`SELECT property, content FROM "${schema}".system ORDER BY property, content`),
    licenses: Number((await q<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".cmlicenses`))[0]!.n),
    owners: (await q<{ o: string }>(`SELECT DISTINCT pg_get_userbyid(c.relowner) AS o FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '${schema}'`)).map((r) => r.o),
    schemas: (await q<{ s: string }>(`SELECT nspname AS s FROM pg_namespace WHERE nspname LIKE 'cm_%' ORDER BY 1`)).map((r) => r.s),
  };
}

beforeAll(async () => {
  assertCliBuilt();
  env = await startRestoreEnvironment();
  masterBefore = await env.masterFingerprint();
  masterObjectsBefore = await masterObjects();
  // rls1 already has a different key file, rls2 the master's own: neither may be overwritten.
  for (const [name, bytes] of [['rls1', Buffer.from('an older, different key')], ['rls2', env.keyBytes]] as const) {
    mkdirSync(dirname(env.replicaKeyFile(name)), { recursive: true });
    writeFileSync(env.replicaKeyFile(name), bytes, { mode: 0o600 });
  }
  const result = await env.cli(['restore', env.installation, '--yes', '--json']);
  if (result.code !== 0) console.error(result.stderr);
  expect(result.code).toBe(0);
  record = JSON.parse(result.stdout);
}, 240_000);

afterAll(async () => {
  await env?.stop();
});

describe('restore of two replicas from one backup', () => {
  it('reports success for the run and each replica, with every step done', () => {
    expect(record.status).toBe('succeeded');
    expect(record.replicas.map((r: any) => [r.replica, r.status])).toEqual([
      [`${env.installation}/rls1`, 'succeeded'],
      [`${env.installation}/rls2`, 'succeeded'],
    ]);
    for (const s of record.steps) {
      expect(s.status, `${s.id} ${s.replica}: ${s.message}`).toBe('done');
      expect(s.startedAt).toMatch(/^\d{4}-/);
      expect(s.finishedAt).toMatch(/^\d{4}-/);
    }
    expect(record.steps.filter((s: any) => s.id === 'dump-master')).toHaveLength(1);
    expect(record.changelog).toEqual(expect.objectContaining({ sequenceNo: env.master.changelogHead.sequenceNo, idTag: env.master.changelogHead.idTag }));
    expect(typeof record.changelog.sequenceNo).toBe('string');
    // Side-by-side is the default where possible; the downtime (stop requested → running again) is measured.
    expect(record.mode).toBe('side-by-side');
    for (const r of record.replicas) {
      expect(typeof r.downtimeMs, r.replica).toBe('number');
      expect(r.downtimeMs).toBeGreaterThan(0);
      expect(r.downtimeMs).toBeLessThan(Date.parse(record.finishedAt) - Date.parse(record.createdAt));
      expect(r.keptSchema).toBe(keptSchemaName(r.replica.endsWith('/rls1') ? 'cm_rls1' : 'cm_rls2', record.runId));
    }
    expect(record.steps.some((s: any) => s.id === 'drop-schema')).toBe(false);
  });

  it('keeps the backup with its size and SHA-256', () => {
    expect(existsSync(record.backup.file)).toBe(true);
    expect(statSync(record.backup.file).size).toBe(record.backup.bytes);
    expect(record.backup.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('leaves each replica positioned at the changelog head, live, without licenses, owned by its role', async () => {
    const head = env.master.changelogHead;
    for (const [name, role] of [['rls1', 'cm_rls1'], ['rls2', 'cm_rls2']] as const) {
      const snap = await replicaSnapshot(name);
      const props = (p: string) => snap.system.filter((r) => r.property === p).map((r) => r.content);
      expect(props('replicator_remote')).toEqual([head.sequenceNo]);
      expect(props('replicator_local')).toEqual([head.sequenceNo]);
      expect(props('replicator_tag')).toEqual([head.idTag]);
      expect(props('repository_server_type')).toEqual(['live']);
      expect(snap.licenses).toBe(0);
      expect(snap.owners).toEqual([role]);
    }
  });

  it('never touches or renames the master beside rls2, and leaves no master-named schema on the replica clusters', async () => {
    expect(await env.masterFingerprint()).toBe(masterBefore);
    expect(await masterObjects()).toEqual(masterObjectsBefore);
    const kept = (schema: string) => keptSchemaName(schema, record.runId);
    expect((await replicaSnapshot('rls1')).schemas).toEqual(['cm_rls1', kept('cm_rls1')]);
    // The shared database: the master's schema as it was, the replica's and its kept one; no shadow left.
    expect((await replicaSnapshot('rls2')).schemas).toEqual(['cm_master', 'cm_rls2', kept('cm_rls2')]);
  });

  it('copies the key file renamed for each replica, private and identical', () => {
    for (const name of ['rls1', 'rls2'] as const) {
      const file = env.replicaKeyFile(name);
      expect(readFileSync(file).equals(env.keyBytes)).toBe(true);
      expect(statSync(file).mode & 0o777).toBe(0o600);
    }
  });

  it('never overwrites a key file: a different one is kept as .before-<run>, the same one is left alone', () => {
    const rls1 = env.replicaKeyFile('rls1');
    expect(readFileSync(`${rls1}.before-${record.runId}`, 'utf8')).toBe('an older, different key');
    const rls2 = env.replicaKeyFile('rls2');
    expect(readdirSync(dirname(rls2)).filter((f) => f.includes('.before-'))).toEqual([]);
    const keySteps = record.steps.filter((s: { id: string }) => s.id === 'copy-key');
    expect(keySteps.map((s: { message: string }) => s.message).join('\n')).toMatch(/kept as .*\.before-/);
    expect(keySteps.map((s: { message: string }) => s.message).join('\n')).toMatch(/already the master's/);
  });

  it('starts the replicas again', async () => {
    expect(await runShell(env.control.rls1.status)).toBe(0);
    expect(await runShell(env.control.rls2.status)).toBe(0);
  });

  it('verifies each replica and records the checks', () => {
    for (const r of record.replicas) {
      expect(r.verification.length).toBeGreaterThanOrEqual(4);
      expect(r.verification.every((c: any) => c.ok)).toBe(true);
    }
  });

  it('tells the whole story in runs show and runs list', async () => {
    const shown = await env.cli(['runs', 'show', record.runId]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('SUCCEEDED');
    expect(shown.stdout).toMatch(/Restored \d+ tables into the shadow schema cm_rls1__rd_new/);
    expect(shown.stdout).toContain(`the previous one is kept as ${keptSchemaName('cm_rls1', record.runId)}`);
    expect(shown.stdout).toContain('Log');
    const listed = JSON.parse((await env.cli(['runs', 'list', '--json'])).stdout);
    expect(listed.runs.map((r: any) => r.runId)).toContain(record.runId);
  });

  it('never writes the database password to the local database, logs or backups folder metadata', () => {
    const files: string[] = [];
    const walk = (d: string) => readdirSync(d).forEach((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : files.push(join(d, n))));
    walk(env.home);
    const scanned = files.filter((f) => !f.endsWith('.dump'));
    expect(scanned.some((f) => f.endsWith('.sqlite'))).toBe(true);
    for (const f of scanned) expect(readFileSync(f).includes(Buffer.from(env.password)), f).toBe(false);
  });
});
