// `restore --in-place` beside the shadow schema an interrupted side-by-side run left, through
// the built CLI against real PostgreSQL. A side-by-side restore of rls1 fails at its swap (a
// table held, --lock-timeout 0.5), leaving `cm_rls1__rd_new` and a resumable run. The
// in-place preflight says so (which run, that in place leaves it there, how to resume or drop
// it), and the in-place restore runs without touching it. Resuming the older run afterwards
// is refused: it would swap its stale copy in over the newer restore. Nothing changes.
import { beforeEach, describe, expect, it } from 'vitest';
import type { RestoreEnvironment } from '../../harness/restoreEnvironment';
import { shadowSchemaName } from '../../../src/main/core/restore/sideBySideNames';
import { holdTableLock, restoreEnvironmentForFile } from '../faults/faultRun';

const SCHEMA = 'cm_rls1';
const SHADOW = shadowSchemaName(SCHEMA);

const environment = restoreEnvironmentForFile();
let env: RestoreEnvironment;
beforeEach(() => {
  env = environment();
});

const oidOf = async (schema: string) => (await env.b.query<{ oid: string }>('SELECT oid::text FROM pg_namespace WHERE nspname = $1', [schema], SCHEMA)).rows[0]?.oid ?? null;

describe('an in-place restore beside a leftover shadow schema', () => {
  it('is warned about, leaves the shadow in place, and the older run can no longer be resumed', async () => {
    // The side-by-side run stops at its swap: the shadow is restored and stays, resumable.
    const lock = await holdTableLock(env.b, SCHEMA, `"${SCHEMA}".cmlicenses`, 'ACCESS SHARE');
    const interrupted = await env.cli(['restore', env.installation, '--replica', 'rls1', '--side-by-side', '--lock-timeout', '0.5', '--yes', '--json']).finally(() => lock.end());
    expect(interrupted.code).toBe(1);
    const older = JSON.parse(interrupted.stdout).runId as string;
    const shadowOid = await oidOf(SHADOW);
    expect(shadowOid).not.toBeNull();

    // The in-place preflight names the shadow, the run, what in place does with it, and the ways out.
    const dry = await env.cli(['restore', env.installation, '--replica', 'rls1', '--in-place', '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const finding = JSON.parse(dry.stdout).preflight.find((f: any) => f.check === 'leftover-shadow');
    expect(finding).toMatchObject({ ok: false, severity: 'warning', server: `${env.installation}/rls1` });
    expect(finding.message).toContain(`A shadow schema ${SHADOW} is in ${SCHEMA}, left by run ${older}; the in-place restore leaves it in place`);
    expect(finding.hint).toContain(`replica-desk runs resume ${older}`);
    expect(finding.hint).toContain(`DROP SCHEMA "${SHADOW}" CASCADE;`);
    expect(finding.hint).toContain('stale copy');

    const inPlace = await env.cli(['restore', env.installation, '--replica', 'rls1', '--in-place', '--yes', '--json']);
    expect(inPlace.code, inPlace.stderr).toBe(0);
    const newer = JSON.parse(inPlace.stdout).runId as string;
    expect(inPlace.stderr).toContain(`left by run ${older}`);
    expect(await oidOf(SHADOW)).toBe(shadowOid);
    const restoredOid = await oidOf(SCHEMA);

    // Resuming the older run would swap its stale shadow over the in-place restore: refused.
    const resumed = await env.cli(['runs', 'resume', older, '--yes', '--json']);
    expect(resumed.code).toBe(1);
    const error = JSON.parse(resumed.stdout).error;
    expect(error).toMatchObject({ code: 'not-resumable' });
    expect(error.message).toContain(`run ${newer}`);
    expect(error.message).toContain(`restored ${env.installation}/rls1 after it`);
    expect(error.message).toContain('resuming would swap that stale copy in');
    expect(error.hint).toContain(`DROP SCHEMA "${SHADOW}" CASCADE;`);
    // Nothing changed: the run is as it was, the schema the in-place restore made and the shadow stay.
    expect(JSON.parse((await env.cli(['runs', 'show', older, '--json'])).stdout).status).toBe('failed');
    expect(await oidOf(SCHEMA)).toBe(restoredOid);
    expect(await oidOf(SHADOW)).toBe(shadowOid);
  }, 300_000);
});
