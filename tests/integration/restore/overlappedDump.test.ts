// The side-by-side restore reads the dump while pg_dump writes it (issue 10 §1). Here the dump
// is caught mid-way (pg_dump is paused with SIGSTOP once its archive has grown and the shadow
// restore is reading it), then:
//   - pg_dump is killed: the dump step fails, every overlapped restore rolls back (no shadow
//     schema, no committed prefix), the replica keeps serving untouched, no partial file stays;
//     `runs resume` dumps again and finishes;
//   - the CLI is killed (kill -9) with the dump and the restore both running: `runs resume`
//     dumps again, restores from the new file and records its SHA-256, which matches the file.
// The run record shows the overlap truthfully: the restore step starts before the dump step ends.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt } from '../../harness/cli';
import { runShell, schemaFingerprint, startRestoreEnvironment, type RestoreEnvironment } from '../../harness/restoreEnvironment';
import { partialFiles, startRestore, stepOf, waitForStep, type BackgroundCli } from '../faults/faultRun';

let env: RestoreEnvironment;
let masterBefore: string;

beforeAll(async () => {
  assertCliBuilt();
  // Large enough that the archive is seen growing before pg_dump is paused.
  env = await startRestoreEnvironment({ withoutSsh: true, master: { sizeMb: 40 } });
  masterBefore = await env.masterFingerprint();
}, 180_000);
afterAll(async () => env?.stop());

const rls1 = () => env.replicaCluster('rls1');
const fingerprint = () => schemaFingerprint(rls1().cluster, rls1().database, rls1().schema);
const shadows = async () => (await rls1().cluster.query<{ s: string }>("SELECT nspname AS s FROM pg_namespace WHERE nspname LIKE 'cm_rls1__rd_new%'", [], rls1().database)).rows.map((r) => r.s);
const restoreSessions = async () =>
  (await rls1().cluster.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE 'replica-desk-restore-%'", [], rls1().database)).rows[0]!.n;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The pg_dump process writing a backup of this environment (its --file names a partial file in env.home). */
function pgDumpPid(): number | null {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (cmdline[0]?.endsWith('pg_dump') && cmdline.some((a) => a.startsWith(`--file=${env.home}`) && a.endsWith('.partial'))) return Number(pid);
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

function backupFiles(): string[] {
  const dir = join(env.home, 'backups', env.installation);
  return (readdirSync(dir, { withFileTypes: true, encoding: 'utf8' }) as { name: string }[] | undefined ?? []).map((e) => join(dir, e.name));
}

/**
 * Starts a side-by-side restore and pauses its pg_dump (SIGSTOP) once the archive has grown
 * past 1 MB while rls1's shadow restore reads it: the dump is mid-way, the restore in its
 * open transaction. Returns the run id and pg_dump's pid.
 */
async function catchDumpMidway(): Promise<{ run: BackgroundCli; runId: string; pid: number }> {
  const run = startRestore(env, ['--side-by-side', '--replica', 'rls1']);
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const pid = pgDumpPid();
    const partial = pid ? (() => { try { return backupFiles().find((f) => f.endsWith('.partial')); } catch { return undefined; } })() : undefined;
    const size = partial ? (statSync(partial, { throwIfNoEntry: false })?.size ?? 0) : 0;
    if (pid && size > 1024 * 1024) {
      process.kill(pid, 'SIGSTOP');
      // The restore follows it, inside its open transaction.
      const runId = await waitForStep(env, 'restore-shadow', { replica: 'rls1', timeoutMs: 60_000 });
      const seen = Date.now() + 60_000;
      while (Date.now() < seen && (await restoreSessions()) === 0) await pause(50);
      expect(await restoreSessions()).toBeGreaterThan(0);
      expect(stepOf(JSON.parse((await env.cli(['runs', 'show', runId, '--json'])).stdout), 'dump-master', null).status).toBe('running');
      return { run, runId, pid };
    }
    await pause(5);
  }
  throw new Error('never saw pg_dump writing its archive');
}

describe('restore overlapped with the dump', () => {
  it('a dump killed mid-way fails the run; the overlapped restore rolls back; the resume dumps again and finishes', async () => {
    const before = await fingerprint();
    const { run, runId, pid } = await catchDumpMidway();
    process.kill(pid, 'SIGKILL');
    const result = await run.done;
    expect(result.code).not.toBe(0);
    const failed = JSON.parse(result.stdout);
    expect(failed.status).toBe('failed');
    expect(stepOf(failed, 'dump-master', null).status).toBe('failed');
    const restore = stepOf(failed, 'restore-shadow', 'rls1');
    expect(restore.status).toBe('failed');
    expect(restore.message).toContain('did not complete');
    expect(restore.captured.error.code).toBe('followed-dump-failed');
    // Never a committed prefix: no shadow schema, the replica serves its own untouched schema.
    expect(await shadows()).toEqual([]);
    expect(await fingerprint()).toBe(before);
    expect(await runShell(env.control.rls1.status)).toBe(0);
    expect(partialFiles(env.home)).toEqual([]);

    const resumed = await env.cli(['runs', 'resume', runId, '--yes', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const done = JSON.parse(resumed.stdout);
    expect(done.status).toBe('succeeded');
    // The overlap as recorded: the restore started before the dump ended.
    const dump = stepOf(done, 'dump-master', null);
    expect(Date.parse(stepOf(done, 'restore-shadow', 'rls1').startedAt)).toBeLessThan(Date.parse(dump.finishedAt));
    expect(stepOf(done, 'restore-shadow', 'rls1').captured.followedDump).toBe(true);
    expect(await env.masterFingerprint()).toBe(masterBefore);
  }, 360_000);

  it('kill -9 of the CLI during the overlapped dump and restore: the resume dumps again, restores, and the recorded SHA-256 is the file\'s', async () => {
    const { run, runId } = await catchDumpMidway();
    run.child.kill('SIGKILL');
    expect((await run.done).signal).toBe('SIGKILL');
    const shown = JSON.parse((await env.cli(['runs', 'show', runId, '--json'])).stdout);
    expect(shown.interrupted).toBe(true);
    expect(shown.resumable).toBe(true);
    expect(stepOf(shown, 'dump-master', null).status).toBe('running');
    expect(stepOf(shown, 'restore-shadow', 'rls1').status).toBe('running');
    // pg_dump died with the CLI (even paused); the restore's session ends and rolls back.
    const gone = Date.now() + 15_000;
    while (Date.now() < gone && ((await shadows()).length > 0 || (await restoreSessions()) > 0)) await pause(100);
    expect(await shadows()).toEqual([]);

    const resumed = await env.cli(['runs', 'resume', runId, '--yes', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const done = JSON.parse(resumed.stdout);
    expect(done.status).toBe('succeeded');
    const backup = stepOf(done, 'dump-master', null).captured.backup as { file: string; sha256: string };
    expect(createHash('sha256').update(readFileSync(backup.file)).digest('hex')).toBe(backup.sha256);
    expect(partialFiles(env.home)).toEqual([]);
    expect(await env.masterFingerprint()).toBe(masterBefore);
  }, 360_000);
});
