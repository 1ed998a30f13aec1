// The mode decision: side-by-side where every replica passes its checks, otherwise in-place
// with the reason (information, not an error); a leftover shadow blocks with the resume hint;
// an explicit mode is kept, and a failed check then stays an error. Also the pile-up warning
// for the schemas earlier runs kept.
import { describe, expect, it } from 'vitest';
import { chooseRestoreMode } from '../../../src/main/core/restore/chooseRestoreMode';
import { keptSchemasFinding } from '../../../src/main/core/restore/keptSchemaPileUp';
import { roomFinding } from '../../../src/main/core/restore/sideBySidePreflight';
import type { PreflightFinding } from '../../../src/shared/restorePlan';

const MB = 1_000_000;
const R1 = 'prod/rls1';
const R2 = 'prod/rls2';
const passing = (server: string): PreflightFinding[] => [
  { check: 'shadow-privileges', server, ok: true, severity: 'info', message: `cm may create the shadow schema` },
  roomFinding(server, 30 * MB, { free: 100 * MB, where: '/data' }),
  { check: 'leftover-shadow', server, ok: true, severity: 'info', message: 'No leftover shadow schema' },
];
const noPrivilege: PreflightFinding = { check: 'shadow-privileges', server: R2, ok: false, severity: 'error', message: 'cm_rls2 may not create schemas in database coremedia.', hint: 'Ask the DBA. Or restore --in-place.' };
const leftover: PreflightFinding = { check: 'leftover-shadow', server: R1, ok: false, severity: 'error', message: 'A shadow schema cm_rls1__rd_new is already in cm_rls1, left by run r-1; it is never dropped silently.', hint: 'Resume that run (`replica-desk runs resume r-1`)' };
const replace = (findings: PreflightFinding[], f: PreflightFinding) => findings.map((o) => (o.check === f.check && o.server === f.server ? f : o));
const blocking = (findings: PreflightFinding[]) => findings.filter((f) => !f.ok && f.severity === 'error');
const modeFinding = (findings: PreflightFinding[]) => findings.find((f) => f.check === 'restore-mode');

describe('chooseRestoreMode without an explicit mode', () => {
  it('chooses side-by-side when every replica passes, and says so in a finding', () => {
    const choice = chooseRestoreMode([...passing(R1), ...passing(R2)], undefined, [R1, R2]);
    expect(choice.mode).toBe('side-by-side');
    expect(choice.reason).toContain('the default where possible');
    expect(blocking(choice.findings)).toEqual([]);
    expect(modeFinding(choice.findings)).toMatchObject({ ok: true, severity: 'info', message: expect.stringContaining('Mode: side-by-side') });
  });

  it('falls back to in-place for the whole run when one replica may not create a schema, naming it, without blocking', () => {
    const findings = replace([...passing(R1), ...passing(R2)], noPrivilege);
    const choice = chooseRestoreMode(findings, undefined, [R1, R2]);
    expect(choice.mode).toBe('in-place');
    expect(choice.reason).toContain('prod/rls2: cm_rls2 may not create schemas in database coremedia');
    expect(blocking(choice.findings)).toEqual([]);
    // Still shown as not passed, so the admin sees what side-by-side would need.
    expect(choice.findings.find((f) => f.check === 'shadow-privileges' && f.server === R2)).toMatchObject({ ok: false, severity: 'info', message: expect.stringContaining('restores in place') });
    expect(findings.find((f) => f === noPrivilege)?.severity).toBe('error'); // the input is not changed
  });

  it('falls back to in-place when the room is known to be too small, stating free and needed', () => {
    const choice = chooseRestoreMode(replace(passing(R1), roomFinding(R1, 300 * MB, { free: 100 * MB, where: '/data' })), undefined, [R1]);
    expect(choice.mode).toBe('in-place');
    expect(choice.reason).toMatch(/Not enough room for the shadow schema: 100 MB free in \/data, about 300 MB needed/);
    expect(blocking(choice.findings)).toEqual([]);
  });

  it('still chooses side-by-side when the free space is unknown, stating the estimate as a caution', () => {
    const unknown = roomFinding(R1, 30 * MB, { free: null, why: 'the database server db2 is another machine' });
    const choice = chooseRestoreMode(replace(passing(R1), unknown), undefined, [R1]);
    expect(choice.mode).toBe('side-by-side');
    expect(choice.reason).toContain('Caution: prod/rls1: Free space for the shadow schema is unknown (the database server db2 is another machine); it needs about 30 MB');
    expect(choice.findings.find((f) => f.check === 'room-for-shadow')?.severity).toBe('warning');
  });

  it('blocks on a leftover shadow schema with the resume hint, never falling back to in-place', () => {
    const findings = replace(replace([...passing(R1), ...passing(R2)], leftover), noPrivilege);
    const choice = chooseRestoreMode(findings, undefined, [R1, R2]);
    expect(choice.mode).toBe('side-by-side');
    expect(choice.reason).toContain('left by run r-1');
    expect(choice.reason).toContain('would drop the replica\'s schema');
    expect(blocking(choice.findings).map((f) => f.check).sort()).toEqual(['leftover-shadow', 'shadow-privileges']);
    expect(choice.findings.find((f) => f.check === 'leftover-shadow')?.hint).toContain('runs resume r-1');
  });

  it('does not choose side-by-side for a replica whose checks could not run', () => {
    const choice = chooseRestoreMode(passing(R1), undefined, [R1, R2]);
    expect(choice.mode).toBe('in-place');
    expect(choice.reason).toContain('could not run on prod/rls2');
    const crashed: PreflightFinding = { check: 'side-by-side', server: R2, ok: false, severity: 'error', message: 'connection lost' };
    const again = chooseRestoreMode([...passing(R1), crashed], undefined, [R1, R2]);
    expect(again.mode).toBe('in-place');
    expect(again.reason).toContain('prod/rls2: connection lost');
  });
});

describe('chooseRestoreMode with an explicit mode', () => {
  it('--side-by-side keeps a failed check a blocking error', () => {
    const choice = chooseRestoreMode(replace([...passing(R1), ...passing(R2)], noPrivilege), 'side-by-side', [R1, R2]);
    expect(choice.mode).toBe('side-by-side');
    expect(choice.reason).toContain('as asked (--side-by-side)');
    expect(blocking(choice.findings)).toEqual([noPrivilege]);
  });

  it('--in-place is the vendor\'s procedure, whatever the side-by-side checks would say', () => {
    const choice = chooseRestoreMode([], 'in-place', [R1]);
    expect(choice.mode).toBe('in-place');
    expect(choice.reason).toContain('as asked (--in-place)');
    expect(modeFinding(choice.findings)?.ok).toBe(true);
  });
});

describe('keptSchemasFinding', () => {
  const kept = (name: string, tag: string, mb: number) => ({ name, kind: 'prev' as const, tag, bytes: mb * MB });
  const runIdOf = (k: { tag: string }) => (k.tag === 'aaaa1111' ? '20261201-101010-abcdef' : undefined);
  const room = { free: 1000 * MB, where: '/data' };

  it('is information for none or one kept schema within the free space', () => {
    expect(keptSchemasFinding(R1, [], room, runIdOf)).toMatchObject({ ok: true, severity: 'info' });
    expect(keptSchemasFinding(R1, [kept('cm_rls1__rd_prev_aaaa1111', 'aaaa1111', 40)], room, runIdOf)).toMatchObject({ ok: true, severity: 'info', message: expect.stringContaining('40 MB') });
  });

  it('warns from two kept schemas, naming each with its size and the discard command', () => {
    const f = keptSchemasFinding(R1, [kept('cm_rls1__rd_prev_aaaa1111', 'aaaa1111', 40), kept('cm_rls1__rd_prev_bbbb2222', 'bbbb2222', 20)], room, runIdOf);
    expect(f).toMatchObject({ check: 'kept-schemas', ok: false, severity: 'warning' });
    expect(f.message).toContain('cm_rls1__rd_prev_aaaa1111 (40 MB), cm_rls1__rd_prev_bbbb2222 (20 MB)');
    expect(f.message).toContain('60 MB in all');
    expect(f.hint).toContain('replica-desk runs discard 20261201-101010-abcdef');
    expect(f.hint).toContain('replica-desk runs discard RUN_ID (the run tagged bbbb2222');
  });

  it('warns for one kept schema larger than the free space the room check found', () => {
    const f = keptSchemasFinding(R1, [kept('cm_rls1__rd_prev_aaaa1111', 'aaaa1111', 40)], { free: 10 * MB, where: '/data' }, runIdOf);
    expect(f).toMatchObject({ ok: false, severity: 'warning' });
    expect(f.message).toContain('more than the 10 MB free in /data');
  });
});
