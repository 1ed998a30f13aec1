// Faults around the restore rather than in the CLI: the network to one replica's database cut
// (through a loopback tcpProxy), that replica's cluster restarted, the master's changelog
// written to during the dump, a full backup disk, and client tools older than the server.
// One environment (rls1's database behind the proxy), scenarios in sequence; each ends with
// everything running and restored, and the master untouched. The faults mid-restore and the
// disk filling during the dump are about the in-place procedure's failure handling (the
// replica dropped and left stopped, the stopped replicas started again): they ask --in-place;
// the others run the default mode.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt } from '../../harness/cli';
import { runShell, schemaFingerprint, startRestoreEnvironment, type RestoreEnvironment } from '../../harness/restoreEnvironment';
import { expectNothingLeftBehind, leftoverProcesses, partialFiles, startRestore, stepOf, waitForStep, waitForStepEnd } from './faultRun';

describe('network, cluster, disk and tool faults', () => {
  let env: RestoreEnvironment;
  let masterBefore: string;
  const outputs: string[] = [];
  const mounts: string[] = [];
  const backups = () => join(env.home, 'backups', env.installation);
  const replicaOf = (record: any, name: string) => record.replicas.find((r: any) => r.replica.endsWith(`/${name}`));
  /** Cheap proof that nothing was dropped, re-created or truncated: the schema's and its tables' oids and files. */
  const identities = async () => {
    const of = async (name: 'rls1' | 'rls2') => {
      const { cluster, database, schema } = env.replicaCluster(name);
      const sql = `SELECT n.oid::text || '/' || string_agg(c.relname || ':' || c.oid || ':' || c.relfilenode, ',' ORDER BY c.relname) AS id
                     FROM pg_namespace n JOIN pg_class c ON c.relnamespace = n.oid WHERE n.nspname = $1 GROUP BY n.oid`;
      return (await cluster.query<{ id: string }>(sql, [schema], database)).rows[0]!.id;
    };
    return { rls1: await of('rls1'), rls2: await of('rls2') };
  };
  const fingerprints = async () => ({ rls1: await schemaFingerprint(env.b, 'cm_rls1', 'cm_rls1'), rls2: await schemaFingerprint(env.a, 'coremedia', 'cm_rls2') });

  beforeAll(async () => {
    assertCliBuilt();
    env = await startRestoreEnvironment({ withoutSsh: true, proxyRls1: true, privateTmp: true, master: { sizeMb: 60 } });
    masterBefore = await env.masterFingerprint();
  }, 180_000);
  afterAll(async () => {
    for (const dir of mounts) await runShell(`umount '${dir}'`);
    await env?.stop();
  });

  async function resumeAndCheck(runId: string): Promise<any> {
    const resumed = await env.cli(['runs', 'resume', runId, '--yes', '--json']);
    outputs.push(resumed.stdout, resumed.stderr);
    if (resumed.code !== 0) console.error(resumed.stderr);
    expect(resumed.code).toBe(0);
    const record = JSON.parse(resumed.stdout);
    expect(record.status).toBe('succeeded');
    for (const name of ['rls1', 'rls2'] as const) {
      expect(replicaOf(record, name).status).toBe('succeeded');
      expect(await runShell(env.control[name].status)).toBe(0);
    }
    expect(leftoverProcesses(env)).toEqual([]);
    expect(partialFiles(backups())).toEqual([]);
    return record;
  }

  /** A run that failed for rls1 alone, mid-restore: rls2 restored, rls1 dropped and left stopped. */
  function expectFailedForRls1(record: any): string {
    expect(record.status).toBe('failed');
    expect(replicaOf(record, 'rls2').status).toBe('succeeded');
    expect(stepOf(record, 'verify', 'rls2').status).toBe('done');
    const rls1 = replicaOf(record, 'rls1');
    expect(rls1.status).toBe('failed');
    expect(stepOf(record, 'drop-schema', 'rls1').status).toBe('done');
    expect(record.compensation.filter((c: any) => c.target.endsWith('/rls1')).map((c: any) => c.outcome)).toEqual(['left-stopped']);
    return rls1.message as string;
  }

  it('a network cut to rls1\'s database mid-restore fails rls1 with a classified message; rls2 is unaffected; the resume finishes', async () => {
    const proxy = env.rls1Proxy!;
    const run = startRestore(env, ['--in-place']);
    const runId = await waitForStep(env, 'restore', { replica: 'rls1' });
    proxy.cut({ refuseNew: true });
    const result = await run.done.finally(() => proxy.reopen());
    outputs.push(result.stdout, result.stderr);
    expect(result.code).toBe(1);
    const record = JSON.parse(result.stdout);
    const message = expectFailedForRls1(record);
    // Where the cut is seen first (psql's stream or the run's own session) decides the class;
    // either way it is a classified failure, never an internal error.
    const error = stepOf(record, 'restore', 'rls1').captured.error;
    expect(error.code).toMatch(/^(restore-failed|unreachable-host|connection-lost|connection-failed)$/);
    expect(message).toMatch(/connection to server was lost|server closed the connection|127\.0\.0\.1:\d+/);
    expect(await runShell(env.control.rls1.status)).not.toBe(0);
    expect(await runShell(env.control.rls2.status)).toBe(0);
    expect(await env.masterFingerprint()).toBe(masterBefore);

    await resumeAndCheck(runId);
    expect(await env.masterFingerprint()).toBe(masterBefore);
  }, 180_000);

  it('a restart of rls1\'s cluster mid-restore fails rls1; the resume finishes', async () => {
    const run = startRestore(env, ['--in-place']);
    const runId = await waitForStep(env, 'restore', { replica: 'rls1' });
    // Mid-restore: once psql streams into rls1's cluster (its session is there), not while the
    // step is still connecting (that would be a failed connection, another fault).
    await expect
      .poll(async () => (await env.b.query(`SELECT 1 FROM pg_stat_activity WHERE application_name LIKE 'replica-desk-restore-%'`)).rowCount, { timeout: 60_000, interval: 50 })
      .toBeGreaterThan(0);
    await env.b.restart();
    const result = await run.done;
    outputs.push(result.stdout, result.stderr);
    expect(result.code).toBe(1);
    const record = JSON.parse(result.stdout);
    const message = expectFailedForRls1(record);
    // Whether psql's stream or the step's own session sees the restart first decides the class
    // (under load the restart can land before psql connects); either way it is classified.
    const error = stepOf(record, 'restore', 'rls1').captured.error;
    expect(error.code).toMatch(/^(restore-failed|connection-lost)$/);
    if (error.code === 'restore-failed') {
      // The server's FATAL "terminating connection due to administrator command" reaches psql only sometimes.
      expect(message).toMatch(/^The restore failed \(psql\): .*server closed the connection unexpectedly/s);
      expect(message).toContain('connection to server was lost');
    } else {
      expect(message).toMatch(/^Lost the connection to .*127\.0\.0\.1:\d+/);
    }
    await resumeAndCheck(runId);
    expect(await env.masterFingerprint()).toBe(masterBefore);
  }, 180_000);

  it('writes to the master\'s changelog during the dump: the replicas are positioned at the head of the dump\'s snapshot', async () => {
    const head = BigInt(env.master.changelogHead.sequenceNo);
    // The writer starts before the run, so rows land both before and after the dump's snapshot.
    const writer = await env.a.connect({ database: 'coremedia' });
    let written = 0;
    let dumping = true;
    const writing = (async () => {
      while (dumping) {
        written += 1;
        await writer.query(
          `INSERT INTO cm_master.changelog (sequenceno, idtag, code, resourceid, version, userid, eventdate) VALUES ($1, $2, 3, 1, 1, 1, now())`,
          [String(head + BigInt(written)), `written-during-dump-${written}`],
        );
      }
    })();
    const run = startRestore(env);
    try {
      const runId = await waitForStep(env, 'dump-master');
      expect(await waitForStepEnd(env, runId, 'dump-master', null)).toBe('done');
    } finally {
      dumping = false;
      await writing;
      await writer.end();
    }
    const result = await run.done;
    outputs.push(result.stdout, result.stderr);
    expect(result.code).toBe(0);
    const record = JSON.parse(result.stdout);
    expect(record.status).toBe('succeeded');

    // The test's own rows go again whatever happens, so the later scenarios see the master as before.
    const masterHead = (await env.a.query<{ s: string }>('SELECT max(sequenceno)::text AS s FROM cm_master.changelog', [], 'coremedia')).rows[0]!.s;
    await env.a.query('DELETE FROM cm_master.changelog WHERE sequenceno > $1', [String(head)], 'coremedia');
    const captured = record.changelog.sequenceNo as string;
    // Rows were written before and after the snapshot was taken; the run took the snapshot's head.
    expect(BigInt(captured)).toBeGreaterThan(head);
    expect(BigInt(captured)).toBeLessThan(BigInt(masterHead));
    const tagOfCaptured = `written-during-dump-${BigInt(captured) - head}`;
    expect(record.changelog.idTag).toBe(tagOfCaptured);
    for (const name of ['rls1', 'rls2'] as const) {
      const { cluster, database, schema } = env.replicaCluster(name);
      const restoredHead = (await cluster.query<{ s: string }>(`SELECT max(sequenceno)::text AS s FROM "${schema}".changelog`, [], database)).rows[0]!.s;
      expect(restoredHead).toBe(captured);
      const system = await cluster.query<{ property: string; content: string }>(
        `SELECT property, content FROM "${schema}".system WHERE property LIKE 'replicator\\_%' ORDER BY 1`,
        [],
        database,
      );
      expect(Object.fromEntries(system.rows.map((r) => [r.property, r.content]))).toEqual({
        replicator_local: captured,
        replicator_remote: captured,
        replicator_tag: tagOfCaptured,
      });
    }
    // The run wrote nothing to the master: without the test's own rows, it is as before.
    expect(await env.masterFingerprint()).toBe(masterBefore);
  }, 180_000);

  it('a backup directory on a full disk: preflight refuses, naming the free space and the need; nothing is stopped or dropped', async () => {
    const dir = join(env.dir, 'small-disk');
    mkdirSync(dir);
    expect(await runShell(`mount -t tmpfs -o size=20m tmpfs '${dir}'`)).toBe(0);
    mounts.push(dir);
    const before = await identities();
    const runsBefore = JSON.parse((await env.cli(['runs', 'list', '--json'])).stdout).runs.length;
    const result = await env.cli(['restore', env.installation, '--yes', '--backup-dir', dir]);
    outputs.push(result.stdout, result.stderr);
    expect(result.code).toBe(1);
    // 20 MiB of tmpfs, in the shared formatter's decimal units.
    expect(result.stderr).toMatch(new RegExp(`Not enough free space in ${dir}: 21 MB free, the dump needs about \\d+(\\.\\d)? (kB|MB|GB)`));
    expect(result.stderr).toContain('--backup-dir');
    expect(JSON.parse((await env.cli(['runs', 'list', '--json'])).stdout).runs.length).toBe(runsBefore);
    expect(readdirSync(dir)).toEqual([]);
    expect(await identities()).toEqual(before);
    expect(await runShell(env.control.rls1.status)).toBe(0);
    expect(await runShell(env.control.rls2.status)).toBe(0);
    expect(await env.masterFingerprint()).toBe(masterBefore);
  }, 120_000);

  it('a backup disk that fills up during the dump: the dump fails as "disk full", no partial file, no replica dropped, both running again', async () => {
    const dir = join(env.dir, 'filling-disk');
    mkdirSync(dir);
    // Room for preflight's estimate (twice the schema), which something else then takes.
    expect(await runShell(`mount -t tmpfs -o size=200m tmpfs '${dir}'`)).toBe(0);
    mounts.push(dir);
    const before = await fingerprints();
    const run = startRestore(env, ['--backup-dir', dir, '--in-place']);
    await waitForStep(env, 'dump-master');
    await runShell(`dd if=/dev/zero of='${join(dir, 'filler')}' bs=1M count=200 2>/dev/null`);
    const result = await run.done;
    outputs.push(result.stdout, result.stderr);
    expect(result.code).toBe(1);
    const record = JSON.parse(result.stdout);
    expect(record.status).toBe('failed');
    const dump = stepOf(record, 'dump-master', null);
    expect(dump.status).toBe('failed');
    expect(dump.captured.error.code).toBe('disk-full');
    expect(dump.message).toMatch(/^The disk ran full while writing the backup: pg_dump: error: could not write to output file: No space left on device — Free space/);
    expect(stepOf(record, 'drop-schema', 'rls1').status).toBe('pending');
    expect(stepOf(record, 'drop-schema', 'rls2').status).toBe('pending');
    expect(record.compensation.map((c: any) => [c.action, c.outcome])).toEqual([
      ['start-replica', 'done'],
      ['start-replica', 'done'],
    ]);
    // Nothing but the filler: no partial dump, no dump.
    expect(readdirSync(dir, { recursive: true })).toEqual(['filler', env.installation]);
    rmSync(join(dir, 'filler'));
    expect(await fingerprints()).toEqual(before);
    expect(await runShell(env.control.rls1.status)).toBe(0);
    expect(await runShell(env.control.rls2.status)).toBe(0);
    expect(leftoverProcesses(env)).toEqual([]);
    expect(await env.masterFingerprint()).toBe(masterBefore);
  }, 180_000);

  it('pg_dump 14 against a PostgreSQL 15 server: preflight refuses, says what to install, nothing is stopped', async () => {
    // These wrappers only fake the version string (`--version`); anything else runs the real
    // PostgreSQL 15 tool, which is the only one installed here.
    const oldBin = join(env.dir, 'pg14-bin');
    mkdirSync(oldBin);
    for (const tool of ['pg_dump', 'pg_restore', 'psql']) {
      const file = join(oldBin, tool);
      writeFileSync(file, `#!/bin/sh\nif [ "$1" = "--version" ]; then echo "${tool} (PostgreSQL) 14.9"; exit 0; fi\nexec '${join(env.a.binDir, tool)}' "$@"\n`);
      chmodSync(file, 0o755);
    }
    expect(execFileSync(join(oldBin, 'pg_dump'), ['--version'], { encoding: 'utf8' })).toBe('pg_dump (PostgreSQL) 14.9\n');
    const before = await identities();
    const runsBefore = JSON.parse((await env.cli(['runs', 'list', '--json'])).stdout).runs.length;
    const result = await env.cli(['restore', env.installation, '--yes', '--pg-bin', oldBin]);
    outputs.push(result.stdout, result.stderr);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`pg_dump 14.9 (${join(oldBin, 'pg_dump')}) is older than the PostgreSQL 15 server`);
    expect(result.stderr).toContain('postgresql-client-15');
    expect(JSON.parse((await env.cli(['runs', 'list', '--json'])).stdout).runs.length).toBe(runsBefore);
    expect(await identities()).toEqual(before);
    expect(await runShell(env.control.rls1.status)).toBe(0);
    expect(await runShell(env.control.rls2.status)).toBe(0);
    expect(await env.masterFingerprint()).toBe(masterBefore);
  }, 60_000);

  it('leaves no password in any file or output, no process and no private pgpass file', () => {
    expectNothingLeftBehind(env, outputs, [env.home, ...mounts.filter((d) => existsSync(d))]);
  });
});
