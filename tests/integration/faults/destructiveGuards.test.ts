// What stands between a restore and a wrong drop: the replica is proven stopped again right
// before its schema is dropped (a server started meanwhile is not dropped under), a status
// command that cannot answer is "unknown", never "stopped" (both in place, where the drop
// is), and a schema that calls itself a publication server is a master's, whatever the
// profile says: in place it is not dropped, side by side (the default) not renamed aside.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertCliBuilt } from '../../harness/cli';
import { runShell, schemaFingerprint, startRestoreEnvironment, type RestoreEnvironment } from '../../harness/restoreEnvironment';
import { startRestore, stepOf, waitForStep } from './faultRun';

describe('guards before every destructive step', () => {
  let env: RestoreEnvironment;
  let masterBefore: string;
  const rls1Fingerprint = () => schemaFingerprint(env.b, 'cm_rls1', 'cm_rls1');
  beforeAll(async () => {
    assertCliBuilt();
    env = await startRestoreEnvironment({ withoutSsh: true, master: { sizeMb: 120 } });
    masterBefore = await env.masterFingerprint();
  }, 180_000);
  afterAll(async () => env?.stop());

  it('refuses to drop a replica that was started again during the backup, starts nothing twice, and resumes', async () => {
    const before = await rls1Fingerprint();
    const run = startRestore(env, ['--replica', 'rls1', '--in-place']);
    const runId = await waitForStep(env, 'dump-master');
    expect(await runShell(env.control.rls1.start)).toBe(0);
    const result = await run.done;
    expect(result.code).toBe(1);
    const record = JSON.parse(result.stdout);
    const drop = stepOf(record, 'drop-schema', 'rls1');
    // Compensation found the schema whole, so the drop goes again on resume.
    expect(drop.status).toBe('pending');
    expect(record.replicas[0].message).toMatch(/still running|started again/);
    expect(await rls1Fingerprint()).toBe(before);
    expect(await runShell(env.control.rls1.status)).toBe(0);

    const resumed = await env.cli(['runs', 'resume', runId, '--yes', '--json']);
    if (resumed.code !== 0) console.error(resumed.stderr);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout).status).toBe('succeeded');
    expect(await env.masterFingerprint()).toBe(masterBefore);
  }, 240_000);

  it('takes a status command that is not found (127) for unknown, not stopped, and drops nothing', async () => {
    const file = join(env.dir, 'profiles.json');
    const profiles = JSON.parse(readFileSync(file, 'utf8'));
    const rls1 = profiles.installations[0].servers.find((s: any) => s.name === 'rls1');
    const original = rls1.control.status;
    rls1.control.status = `${env.dir}/no-such-status-command`;
    writeFileSync(join(env.dir, 'profiles-unknown.json'), JSON.stringify(profiles));
    expect((await env.cli(['profiles', 'import', join(env.dir, 'profiles-unknown.json'), '--replace', '--approve-commands'])).code).toBe(0);
    try {
      const before = await rls1Fingerprint();
      const result = await env.cli(['restore', env.installation, '--replica', 'rls1', '--in-place', '--yes', '--json'], { REPLICA_DESK_START_WAIT_MS: '1000' });
      expect(result.code).toBe(1);
      const record = JSON.parse(result.stdout);
      expect(record.replicas[0].status).toBe('failed');
      expect(record.replicas[0].message).toMatch(/Cannot tell whether .*rls1 is stopped.*127/);
      expect(stepOf(record, 'drop-schema', 'rls1').status).toBe('pending');
      // Every replica failed before the backup: no backup was taken.
      expect(stepOf(record, 'dump-master', null).status).toBe('pending');
      expect(await rls1Fingerprint()).toBe(before);
    } finally {
      rls1.control.status = original;
      writeFileSync(join(env.dir, 'profiles-unknown.json'), JSON.stringify(profiles));
      await env.cli(['profiles', 'import', join(env.dir, 'profiles-unknown.json'), '--replace', '--approve-commands']);
      await runShell(env.control.rls1.start);
    }
  }, 120_000);

  /** Restores rls1 while its own schema says `publication`; returns the run record, the schema set back to `live`. */
  async function restoreRls1CallingItselfPublication(args: string[]): Promise<any> {
    const system = `"cm_rls1"."system"`;
    await env.b.query(`UPDATE ${system} SET content = 'publication' WHERE property = 'repository_server_type'`, [], 'cm_rls1');
    try {
      const before = await rls1Fingerprint();
      const result = await env.cli(['restore', env.installation, '--replica', 'rls1', ...args, '--yes', '--json']);
      expect(result.code).toBe(1);
      const record = JSON.parse(result.stdout);
      expect(record.replicas[0].message).toMatch(/publication/);
      // Refused in its transaction: the schema is whole under its name, compensation restarted the replica.
      expect(await rls1Fingerprint()).toBe(before);
      expect(await runShell(env.control.rls1.status)).toBe(0);
      return record;
    } finally {
      await env.b.query(`UPDATE ${system} SET content = 'live' WHERE property = 'repository_server_type'`, [], 'cm_rls1');
    }
  }

  it('refuses to drop (in place) a schema whose own repository_server_type is publication', async () => {
    const record = await restoreRls1CallingItselfPublication(['--in-place']);
    expect(stepOf(record, 'drop-schema', 'rls1').status).toBe('pending');
    expect(await env.masterFingerprint()).toBe(masterBefore);
  }, 120_000);

  it('refuses to rename aside (side by side, the default) a schema whose own repository_server_type is publication', async () => {
    const record = await restoreRls1CallingItselfPublication([]);
    expect(record.mode).toBe('side-by-side');
    expect(stepOf(record, 'swap', 'rls1').status).not.toBe('done');
    expect(await env.masterFingerprint()).toBe(masterBefore);
  }, 120_000);
});
