// The side-by-side plan (the default where possible): the replica is stopped only for its swap, after its shadow
// schema is restored, fixed up and verified; the plan names the mode, why, the downtime
// window and the exact swap SQL; the shadow and kept names never exceed 63 bytes.
import { describe, expect, it } from 'vitest';
import { planRestore, withRunId } from '../../../src/main/core/restore/planRestore';
import { derivedSchemaName, keptSchemaName, runTag, shadowSchemaName } from '../../../src/main/core/restore/sideBySideNames';
import { downtimeWindows, inMasterPhase } from '../../../src/shared/restorePlan';
import { InstallationSchema } from '../../../src/shared/profiles';

const installation = (onlineBackup = true) =>
  InstallationSchema.parse({
    name: 'prod-eu',
    onlineBackup,
    servers: [
      { name: 'mls', role: 'master', db: { host: 'db', database: 'coremedia', user: 'cm_master' }, installDir: '/opt/mls', control: { stop: 'stop-mls', start: 'start-mls', status: 'status-mls' } },
      { name: 'rls1', role: 'replica', db: { host: 'db1', database: 'coremedia', user: 'cm_rls1' }, control: { stop: 'stop-rls1', start: 'start-rls1', status: 'status-rls1' } },
      { name: 'rls2', role: 'replica', db: { host: 'db2', database: 'cm2', user: 'cm_rls2', schema: 'Cm_Rls2' } },
    ],
  });

const ids = (plan: ReturnType<typeof planRestore>) => plan.steps.map((s) => `${s.id}${s.replica ? `:${s.replica}` : ''}`);
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('side-by-side plan', () => {
  it('dumps while the replicas serve, builds and checks each shadow, and stops each replica only for its swap', () => {
    const plan = planRestore(installation(), { replicas: [], backupDir: '/b', mode: 'side-by-side' });
    expect(plan.mode).toBe('side-by-side');
    const perReplica = (r: string) => ['restore-shadow', 'fixups-shadow', 'verify-shadow', 'stop-replica', 'swap', 'start-replica', 'verify'].map((id) => `${id}:${r}`);
    expect(ids(plan)).toEqual(['dump-master', ...perReplica('rls1'), ...perReplica('rls2')]);
    // Nothing is dropped; the swap is what needs the typed confirmation.
    expect(plan.steps.some((s) => s.id === 'drop-schema')).toBe(false);
    expect(plan.steps.filter((s) => s.destructive).map((s) => `${s.id}:${s.replica}`)).toEqual(['swap:rls1', 'swap:rls2']);
    // The runner's phases: the stop belongs to the replica's own steps, after its shadow is ready.
    expect(plan.steps.filter((s) => inMasterPhase(plan, s)).map((s) => s.id)).toEqual(['dump-master']);
  });

  it('copies the master\'s key file only once the replica is stopped, right before the swap', () => {
    const inst = installation();
    const encrypted = InstallationSchema.parse({ ...inst, servers: inst.servers.map((s) => (s.role === 'master' ? { ...s, encryptedPasswords: true } : { ...s, installDir: `/opt/${s.name}` })) });
    const plan = planRestore(encrypted, { replicas: ['rls1'], backupDir: '/b', mode: 'side-by-side' });
    expect(ids(plan)).toEqual(['dump-master', 'restore-shadow:rls1', 'fixups-shadow:rls1', 'verify-shadow:rls1', 'stop-replica:rls1', 'copy-key:rls1', 'swap:rls1', 'start-replica:rls1', 'verify:rls1']);
  });

  it('keeps the master phase of an offline backup in order, with no replica stopped before the dump', () => {
    const plan = planRestore(installation(false), { replicas: ['rls1'], backupDir: '/b', mode: 'side-by-side' });
    expect(plan.steps.filter((s) => inMasterPhase(plan, s)).map((s) => s.id)).toEqual(['confirm-publications', 'stop-master', 'dump-master', 'start-master']);
    expect(ids(plan).indexOf('stop-replica:rls1')).toBeGreaterThan(ids(plan).indexOf('verify-shadow:rls1'));
  });

  it('restores and fixes up into the shadow schema, never the replica\'s own, through the renamer', () => {
    const plan = planRestore(installation(), { replicas: ['rls2'], backupDir: '/b', mode: 'side-by-side' });
    const restore = plan.steps.find((s) => s.id === 'restore-shadow')!;
    expect(restore.actions.map((a) => a.text).join('\n')).toContain('rename schema "cm_master" → "Cm_Rls2__rd_new"');
    const fixups = plan.steps.find((s) => s.id === 'fixups-shadow')!.actions.map((a) => a.text);
    const naming = fixups.filter((sql) => /"Cm_Rls2/.test(sql));
    expect(naming.length).toBeGreaterThanOrEqual(3);
    for (const sql of naming) {
      expect(sql).toContain('"Cm_Rls2__rd_new".');
      expect(sql).not.toMatch(/"Cm_Rls2"\./);
    }
  });

  it('shows the exact swap SQL: with a placeholder tag before the run exists, with the run\'s own kept name after', () => {
    const plan = planRestore(installation(), { replicas: ['rls2'], backupDir: '/b', mode: 'side-by-side' });
    const sql = (p: typeof plan) => p.steps.find((s) => s.id === 'swap')!.actions.map((a) => a.text).filter((t) => !t.startsWith('--'));
    expect(sql(plan)).toEqual([
      'BEGIN',
      "SET LOCAL lock_timeout = '10000ms'",
      'ALTER SCHEMA "Cm_Rls2" RENAME TO "Cm_Rls2__rd_prev_<runtag>"',
      'ALTER SCHEMA "Cm_Rls2__rd_new" RENAME TO "Cm_Rls2"',
      'COMMIT',
    ]);
    const runId = '20261202-013324-ab12cd';
    const stored = withRunId(plan, runId);
    expect(sql(stored)[2]).toBe(`ALTER SCHEMA "Cm_Rls2" RENAME TO "Cm_Rls2__rd_prev_${runTag(runId)}"`);
    expect(runTag(runId)).toMatch(/^[0-9a-f]{8}$/);
    // The stored title names the kept schema too, not the placeholder.
    const swapTitles = stored.steps.filter((s) => s.id === 'swap').map((s) => s.title);
    expect(swapTitles.some((t) => t.endsWith(`keeping the current schema as Cm_Rls2__rd_prev_${runTag(runId)}`))).toBe(true);
    expect(swapTitles.join('\n')).not.toContain('<runtag>');
    // Everything else of the plan is as it was.
    expect(stored.steps.filter((s) => s.id !== 'swap')).toEqual(plan.steps.filter((s) => s.id !== 'swap'));
  });

  it('names the mode, why, and each replica\'s downtime window by step number, in both modes', () => {
    const side = planRestore(installation(), { replicas: [], backupDir: '/b', mode: 'side-by-side', modeWhy: 'Side-by-side (the default where possible): every replica passed.' });
    const seq = (p: typeof side, id: string, r: string) => p.steps.find((s) => s.id === id && s.replica === r)!.seq;
    expect(side.modeReason).toMatch(/^Side-by-side \(the default where possible\): every replica passed\. /);
    expect(side.modeReason).toContain('kept beside it for rollback');
    expect(downtimeWindows(side)).toEqual(['rls1', 'rls2'].map((r) => ({ replica: r, fromSeq: seq(side, 'stop-replica', r), toSeq: seq(side, 'start-replica', r) })));
    expect(side.modeReason).toContain(`rls1: steps ${seq(side, 'stop-replica', 'rls1')}–${seq(side, 'start-replica', 'rls1')}`);
    expect(side.modeReason).toContain(`rls2: steps ${seq(side, 'stop-replica', 'rls2')}–${seq(side, 'start-replica', 'rls2')}`);
    const inPlace = planRestore(installation(), { replicas: [], backupDir: '/b' });
    expect(inPlace.mode).toBe('in-place');
    expect(inPlace.modeReason).toContain('The vendor\'s procedure');
    expect(inPlace.modeReason).toContain(`rls1: steps ${seq(inPlace, 'stop-replica', 'rls1')}–${seq(inPlace, 'start-replica', 'rls1')}`);
    expect(inPlace.steps.some((s) => s.id === 'swap' || s.id === 'restore-shadow')).toBe(false);
  });

  it('keeps the shadow and kept names within 63 bytes, cut on a character boundary with a hash of the schema', () => {
    expect(shadowSchemaName('cm_rls1')).toBe('cm_rls1__rd_new');
    const long = 'ü'.repeat(31) + 'x'; // 63 bytes
    expect(bytes(long)).toBe(63);
    for (const name of [shadowSchemaName(long), keptSchemaName(long, 'r1'), derivedSchemaName('a'.repeat(63), '__rd_new')]) {
      expect(bytes(name)).toBeLessThanOrEqual(63);
      expect(name).not.toContain('\uFFFD');
    }
    expect(shadowSchemaName(long)).toMatch(/_[0-9a-f]{8}__rd_new$/);
    // Two long names that share their first bytes still get different shadows.
    expect(shadowSchemaName(`${'a'.repeat(60)}bbb`)).not.toBe(shadowSchemaName(`${'a'.repeat(60)}ccc`));
    // A name that fits is left whole.
    expect(keptSchemaName('a'.repeat(45), 'r1')).toBe(`${'a'.repeat(45)}__rd_prev_${runTag('r1')}`);
    expect(bytes(keptSchemaName('a'.repeat(46), 'r1'))).toBe(63);
    expect(keptSchemaName('a'.repeat(46), 'r1')).not.toContain('a'.repeat(46));
  });

  it('gives two runs of the same day different kept names', () => {
    expect(keptSchemaName('cm_rls1', '20261202-013324-ab12cd')).not.toBe(keptSchemaName('cm_rls1', '20261202-093000-ff0011'));
  });
});
