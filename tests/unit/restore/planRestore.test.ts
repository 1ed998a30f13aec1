import { describe, expect, it } from 'vitest';
import { planRestore } from '../../../src/main/core/restore/planRestore';
import { InstallationSchema, type InstallationInput } from '../../../src/shared/profiles';

const installation = (overrides: Partial<InstallationInput> = {}) =>
  InstallationSchema.parse({
    name: 'prod-eu',
    servers: [
      { name: 'mls', role: 'master', db: { host: 'db', database: 'coremedia', user: 'cm_master' }, installDir: '/opt/mls', encryptedPasswords: true, control: { stop: 'stop-mls', start: 'start-mls', status: 'status-mls' } },
      { name: 'rls1', role: 'replica', db: { host: 'db1', database: 'coremedia', user: 'cm_rls1' }, installDir: '/opt/rls1', control: { stop: 'stop-rls1', start: 'start-rls1', status: 'status-rls1' } },
      { name: 'rls2', role: 'replica', db: { host: 'db2', database: 'cm2', user: 'cm_rls2', schema: 'Cm_Rls2' }, installDir: '/opt/rls2/' },
    ],
    ...overrides,
  });

const ids = (plan: ReturnType<typeof planRestore>) => plan.steps.map((s) => `${s.id}${s.replica ? `:${s.replica}` : ''}`);

describe('planRestore', () => {
  it('stops every replica before the one backup, then restores each replica', () => {
    const plan = planRestore(installation(), { replicas: [], backupDir: '/b' });
    expect(ids(plan)).toEqual([
      'stop-replica:rls1',
      'stop-replica:rls2',
      'dump-master',
      'copy-key:rls1',
      'drop-schema:rls1',
      'restore:rls1',
      'fixups:rls1',
      'start-replica:rls1',
      'verify:rls1',
      'copy-key:rls2',
      'drop-schema:rls2',
      'restore:rls2',
      'fixups:rls2',
      'start-replica:rls2',
      'verify:rls2',
    ]);
    expect(plan.steps.map((s) => s.seq)).toEqual(plan.steps.map((_, i) => i + 1));
    expect(plan.steps.filter((s) => s.destructive).map((s) => s.replica)).toEqual(['rls1', 'rls2']);
  });

  it('adds the publication confirmation and the master stop/start for installations without online backup', () => {
    const plan = planRestore(installation({ onlineBackup: false }), { replicas: ['rls1'], backupDir: '/b' });
    expect(ids(plan).slice(0, 5)).toEqual(['confirm-publications', 'stop-replica:rls1', 'stop-master', 'dump-master', 'start-master']);
    expect(plan.steps.find((s) => s.id === 'stop-master')!.actions[0]!.text).toBe('stop-mls');
  });

  it('makes steps without a command manual, and quotes identifiers in the SQL', () => {
    const plan = planRestore(installation(), { replicas: ['RLS2'], backupDir: '/b' });
    const stop = plan.steps.find((s) => s.id === 'stop-replica')!;
    expect(stop.manual).toBe(true);
    expect(stop.actions[0]!.kind).toBe('confirm');
    expect(plan.steps.find((s) => s.id === 'drop-schema')!.actions[0]!.text).toBe('DROP SCHEMA IF EXISTS "Cm_Rls2" CASCADE');
    expect(plan.steps.find((s) => s.id === 'fixups')!.actions.some((a) => a.text.startsWith(`UPDATE "Cm_Rls2"."system" SET "content" = 'live'`))).toBe(true);
  });

  it('renames the key file for each replica', () => {
    const plan = planRestore(installation(), { replicas: [], backupDir: '/b' });
    const copies = plan.steps.filter((s) => s.id === 'copy-key').map((s) => s.actions[0]!.text);
    expect(copies[0]).toMatch(/^\/opt\/mls\/etc\/keys\/coremedia\.cm_master\.rijndael → \/opt\/rls1\/etc\/keys\/coremedia\.cm_rls1\.rijndael/);
    expect(copies[1]).toMatch(/→ \/opt\/rls2\/etc\/keys\/cm2\.cm_rls2\.rijndael/);
  });

  it('plans no key copy without encrypted passwords, and no dump from an existing backup', () => {
    const inst = installation();
    inst.servers[0]!.encryptedPasswords = false;
    const plan = planRestore(inst, { replicas: ['rls1'], backupDir: '/b', fromBackup: '/keep/x.dump' });
    expect(ids(plan)).not.toContain('copy-key:rls1');
    expect(plan.backup).toEqual({ mode: 'existing', file: '/keep/x.dump' });
    expect(plan.steps.find((s) => s.id === 'dump-master')!.title).toContain('/keep/x.dump');
  });

  it('refuses unknown replicas and the master as a target, listing each', () => {
    expect(() => planRestore(installation(), { replicas: ['mls', 'nope'], backupDir: '/b' })).toThrow(
      expect.objectContaining({ code: 'invalid-input', problems: [expect.objectContaining({ message: expect.stringMatching(/is the master/) }), expect.objectContaining({ message: expect.stringMatching(/no server "nope"/) })] }),
    );
  });
});
