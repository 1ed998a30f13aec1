// Restores that must not happen, or must stop before they destroy anything: bad
// credentials, missing client tools, a master that is not a publication server, a stop
// command that lies, no terminal to confirm on. Each says why and changes nothing it
// should not.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt } from '../../harness/cli';
import { runShell, schemaFingerprint, startRestoreEnvironment, type RestoreEnvironment } from '../../harness/restoreEnvironment';

let env: RestoreEnvironment;
const fingerprints = async () => ({
  master: await env.masterFingerprint(),
  rls1: await schemaFingerprint(env.b, 'cm_rls1', 'cm_rls1'),
  rls2: await schemaFingerprint(env.a, 'coremedia', 'cm_rls2'),
});

beforeAll(async () => {
  assertCliBuilt();
  env = await startRestoreEnvironment({ withoutSsh: true });
}, 120_000);
afterAll(async () => env?.stop());

describe('restore refuses before changing anything', () => {
  it('prints the plan with the exact SQL and commands in a dry run, changing nothing', async () => {
    const before = await fingerprints();
    // The default: side-by-side, since both roles may create schemas and the local servers have room.
    const result = await env.cli(['restore', env.installation, '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Mode: side-by-side');
    expect(result.stdout).toContain('Side-by-side (the default where possible)');
    expect(result.stdout).toContain('ALTER SCHEMA "cm_rls1__rd_new" RENAME TO "cm_rls1"');
    expect(result.stdout).toMatch(/UPDATE "cm_rls2__rd_new"\."system" SET "content" = 'live'/);
    expect(result.stdout).not.toContain('DROP SCHEMA');
    expect(result.stdout).toContain(env.control.rls1.stop);
    expect(result.stdout).toContain('Dry run: nothing was changed.');
    expect(result.stdout).not.toContain(env.password);
    const json = JSON.parse((await env.cli(['restore', env.installation, '--dry-run', '--json'])).stdout);
    expect(json.ok).toBe(true);
    expect(json.plan.mode).toBe('side-by-side');
    expect(json.plan.modeReason).toMatch(/downtime window: rls1: steps \d+–\d+; rls2: steps \d+–\d+/);
    const seq = (id: string, r: string) => json.plan.steps.find((s: any) => s.id === id && s.replica === r).seq;
    expect(json.plan.downtime).toEqual(['rls1', 'rls2'].map((r) => ({ replica: r, fromSeq: seq('stop-replica', r), toSeq: seq('start-replica', r) })));
    expect(json.plan.steps.find((s: any) => s.id === 'swap' && s.replica === 'rls2').actions.map((a: any) => a.text)).toContain('ALTER SCHEMA "cm_rls2__rd_new" RENAME TO "cm_rls2"');
    expect(json.preflight.find((f: any) => f.check === 'restore-mode')).toMatchObject({ ok: true, severity: 'info' });
    // The vendor's procedure on demand.
    const inPlace = await env.cli(['restore', env.installation, '--dry-run', '--in-place']);
    expect(inPlace.code).toBe(0);
    expect(inPlace.stdout).toContain('Mode: in-place');
    expect(inPlace.stdout).toContain('DROP SCHEMA IF EXISTS "cm_rls1" CASCADE');
    expect(inPlace.stdout).toMatch(/UPDATE "cm_rls2"\."system" SET "content" = 'live'/);
    expect(await fingerprints()).toEqual(before);
    expect(JSON.parse((await env.cli(['runs', 'list', '--json'])).stdout).runs).toEqual([]);
  });

  it('exits 2 without a terminal and without --yes', async () => {
    const result = await env.cli(['restore', env.installation]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--yes/);
  });

  it('stops at preflight on a wrong password, naming the server and what to do', async () => {
    const before = await fingerprints();
    const badPgpass = join(mkdtempSync(join(tmpdir(), 'rd-badpw-')), 'pgpass');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(badPgpass, `127.0.0.1:${env.a.port}:*:*:${env.password}\n127.0.0.1:${env.b.port}:*:*:not-the-password\n`, { mode: 0o600 });
    const result = await env.cli(['restore', env.installation, '--yes', '--json'], { PGPASSFILE: badPgpass });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/rls1.*password/i);
    expect(JSON.parse(result.stdout).error.code).toBe('preflight-failed');
    expect(await fingerprints()).toEqual(before);
    expect(await runShell(env.control.rls1.status)).toBe(0);
  });

  it('stops at preflight when pg_dump cannot be found', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'rd-nobin-'));
    const result = await env.cli(['restore', env.installation, '--yes', '--pg-bin', empty]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/pg_dump/);
    expect(result.stderr).toMatch(/hint: /);
  });

  it('refuses a master whose repository_server_type is not publication', async () => {
    await env.a.query(`UPDATE cm_master.system SET content = 'live' WHERE property = 'repository_server_type'`, [], 'coremedia');
    try {
      const result = await env.cli(['restore', env.installation, '--yes']);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/repository_server_type is "live", not "publication"/);
    } finally {
      await env.a.query(`UPDATE cm_master.system SET content = 'publication' WHERE property = 'repository_server_type'`, [], 'coremedia');
    }
  });
});

describe('a stop command that exits 0 but leaves the server running', () => {
  let lying: RestoreEnvironment;
  beforeAll(async () => {
    lying = await startRestoreEnvironment({ withoutSsh: true, lyingStopOnRls1: true });
  }, 120_000);
  afterAll(async () => lying?.stop());

  it('swaps nothing in on that replica, restores the other, and says why', async () => {
    const rls1Before = await schemaFingerprint(lying.b, 'cm_rls1', 'cm_rls1');
    const result = await lying.cli(['restore', lying.installation, '--yes', '--json']);
    expect(result.code).toBe(1);
    const record = JSON.parse(result.stdout);
    expect(record.status).toBe('failed');
    const byName = Object.fromEntries(record.replicas.map((r: any) => [r.replica.split('/')[1], r]));
    expect(byName.rls1.status).toBe('failed');
    expect(byName.rls1.message).toMatch(/still running/);
    expect(byName.rls2.status).toBe('succeeded');
    expect(record.mode).toBe('side-by-side');
    const swap = record.steps.find((s: any) => s.id === 'swap' && s.replica.endsWith('/rls1'));
    expect(swap.status).toBe('pending');
    expect(await schemaFingerprint(lying.b, 'cm_rls1', 'cm_rls1')).toBe(rls1Before);
    expect(await runShell(lying.control.rls1.status)).toBe(0);
  });
});

describe('mixed-case tables and a backup that already holds replicator rows', () => {
  let mixed: RestoreEnvironment;
  beforeAll(async () => {
    mixed = await startRestoreEnvironment({ withoutSsh: true, master: { mixedCaseTables: true, withReplicatorRows: true, largeSequenceNumbers: true } });
  }, 120_000);
  afterAll(async () => mixed?.stop());

  it('restores and leaves exactly one replicator row per property at the 64-bit head', async () => {
    const result = await mixed.cli(['restore', mixed.installation, '--yes', '--json']);
    if (result.code !== 0) console.error(result.stderr);
    expect(result.code).toBe(0);
    const record = JSON.parse(result.stdout);
    expect(record.changelog.sequenceNo).toBe(mixed.master.changelogHead.sequenceNo);
    expect(BigInt(record.changelog.sequenceNo) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    for (const [cluster, db, schema] of [[mixed.b, 'cm_rls1', 'cm_rls1'], [mixed.a, 'coremedia', 'cm_rls2']] as const) {
      const rows = (await cluster.query<{ property: string; content: string }>(`SELECT property, content FROM "${schema}"."System" WHERE property LIKE 'replicator_%' ORDER BY property`, [], db)).rows;
      expect(rows).toEqual([
        { property: 'replicator_local', content: mixed.master.changelogHead.sequenceNo },
        { property: 'replicator_remote', content: mixed.master.changelogHead.sequenceNo },
        { property: 'replicator_tag', content: mixed.master.changelogHead.idTag },
      ]);
    }
  });
});
