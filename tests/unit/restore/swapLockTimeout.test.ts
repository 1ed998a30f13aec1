// `--lock-timeout SECONDS`: validated (zod) into milliseconds, recorded in the restore's and
// the rollback's plan, and shown in the swap's SQL; without it, the 10 s default. The value
// taking effect on a real swap is tested in tests/integration/restore/swapLockTimeout.test.ts.
import { describe, expect, it } from 'vitest';
import { isUsageError } from '../../../src/main/core/errors';
import { planRestore, withRunId } from '../../../src/main/core/restore/planRestore';
import { planRollback } from '../../../src/main/core/restore/planRollback';
import { parseLockTimeoutSeconds, swapLockTimeoutMs } from '../../../src/main/core/restore/swapLockTimeout';
import type { RestorePlan } from '../../../src/shared/restorePlan';
import { InstallationSchema } from '../../../src/shared/profiles';

const installation = InstallationSchema.parse({
  name: 'prod',
  servers: [
    { name: 'mls', role: 'master', db: { host: 'db', database: 'coremedia', user: 'cm_master' } },
    { name: 'rls1', role: 'replica', db: { host: 'db1', database: 'coremedia', user: 'cm_rls1' }, control: { stop: 'stop', start: 'start', status: 'status' } },
  ],
});
const sql = (plan: RestorePlan, id: string) => plan.steps.find((s) => s.id === id)!.actions.map((a) => a.text);

describe('--lock-timeout', () => {
  it('reads seconds into milliseconds', () => {
    expect(parseLockTimeoutSeconds('30')).toBe(30_000);
    expect(parseLockTimeoutSeconds('2.5')).toBe(2_500);
    expect(parseLockTimeoutSeconds(' 0.1 ')).toBe(100);
    expect(parseLockTimeoutSeconds('3600')).toBe(3_600_000);
  });

  it('refuses what is not a number of seconds in range, as a usage error naming the option and the default', () => {
    for (const bad of ['0', '0.05', '3601', '-1', '10s', '', 'abc', '1e3']) {
      let error: unknown;
      try {
        parseLockTimeoutSeconds(bad);
      } catch (e) {
        error = e;
      }
      expect(isUsageError(error), bad).toBe(true);
      expect((error as Error).message).toContain(`--lock-timeout must be a number of seconds from 0.1 to 3600, not "${bad}"`);
      expect((error as { hint: string }).hint).toContain('default of 10 s');
    }
  });

  it("is recorded in the restore's plan and shown in the swap's SQL, also once the run id is known", () => {
    const plan = planRestore(installation, { replicas: [], backupDir: '/backups', mode: 'side-by-side', swapLockTimeoutMs: 2_500 });
    expect(plan.swapLockTimeoutMs).toBe(2_500);
    expect(sql(plan, 'swap')).toContain("SET LOCAL lock_timeout = '2500ms'");
    expect(sql(withRunId(plan, '20261202-070000-000000'), 'swap')).toContain("SET LOCAL lock_timeout = '2500ms'");
    expect(swapLockTimeoutMs(plan)).toBe(2_500);
  });

  it('keeps the 10 s default without the option', () => {
    const plan = planRestore(installation, { replicas: [], backupDir: '/backups', mode: 'side-by-side' });
    expect(plan.swapLockTimeoutMs).toBeUndefined();
    expect(sql(plan, 'swap')).toContain("SET LOCAL lock_timeout = '10000ms'");
    expect(swapLockTimeoutMs(plan)).toBe(10_000);
  });

  it("is recorded in the rollback's plan and shown in the swap back's SQL", () => {
    const runId = '20261202-070000-000000';
    const plan = planRollback({ installation, runId, replicas: ['rls1'], backup: { mode: 'dump', dir: '/backups' }, swapLockTimeoutMs: 45_000 });
    expect(plan.swapLockTimeoutMs).toBe(45_000);
    expect(sql(plan, 'swap-back')).toContain("SET LOCAL lock_timeout = '45000ms'");
    expect(sql(planRollback({ installation, runId, replicas: ['rls1'], backup: { mode: 'dump', dir: '/backups' } }), 'swap-back')).toContain("SET LOCAL lock_timeout = '10000ms'");
  });
});
