// Which mode a restore runs in, decided from the preflight's findings. Side-by-side is the
// default where possible: every chosen replica must pass the side-by-side checks
// (sideBySidePreflight.ts). Without an explicit mode, a replica that lacks the right to create
// the shadow schema or the room for it turns the whole run in-place (one mode per run), and
// those findings become information with the reason, not errors. A shadow schema left by an
// interrupted run still blocks: in-place would drop the replica's schema while a resumable
// shadow exists. An explicit --side-by-side keeps every failed check an error. Pure, so the
// decision is tested without a database.
import type { PreflightFinding, RestoreMode } from '../../../shared/restorePlan';

/** The checks that decide whether side-by-side is possible (`side-by-side`: they could not run). */
export const SIDE_BY_SIDE_CHECKS: readonly string[] = ['shadow-privileges', 'room-for-shadow', 'leftover-shadow', 'side-by-side'];

export interface ModeChoice {
  mode: RestoreMode;
  /** Why this mode, in words for the plan and the wizard. */
  reason: string;
  /** The findings given, side-by-side ones adjusted to the choice, plus one `restore-mode` finding. */
  findings: PreflightFinding[];
}

const isSideBySideCheck = (f: PreflightFinding) => SIDE_BY_SIDE_CHECKS.includes(f.check);
const on = (f: PreflightFinding) => (f.server ? `${f.server}: ` : '');
const withoutPeriod = (s: string) => s.replace(/[.\s]+$/, '');

/**
 * `requested`: the admin's explicit `in-place` or `side-by-side`, or undefined to choose.
 * `replicas`: the refs (`installation/server`) of the chosen replicas; a replica without any
 * side-by-side finding could not be checked (its database did not answer), so side-by-side is
 * not chosen for it.
 */
export function chooseRestoreMode(findings: readonly PreflightFinding[], requested: RestoreMode | undefined, replicas: readonly string[]): ModeChoice {
  const choice = (mode: RestoreMode, reason: string, adjusted: readonly PreflightFinding[] = findings): ModeChoice => ({
    mode,
    reason,
    findings: [...adjusted, { check: 'restore-mode', server: null, ok: true, severity: 'info', message: `Mode: ${mode}. ${reason}` }],
  });
  const sideBySide = findings.filter(isSideBySideCheck);
  const unknownRoom = sideBySide.filter((f) => f.check === 'room-for-shadow' && !f.ok && f.severity === 'warning');
  const roomCaveat = unknownRoom.length > 0 ? ` Caution: ${unknownRoom.map((f) => `${on(f)}${withoutPeriod(f.message)}`).join('; ')}; make sure of that room, or restore --in-place.` : '';

  if (requested === 'in-place') return choice('in-place', 'In-place, as asked (--in-place): the vendor\'s procedure; no second copy of the schema is made.');
  if (requested === 'side-by-side') return choice('side-by-side', `Side-by-side, as asked (--side-by-side).${roomCaveat}`);

  const leftovers = sideBySide.filter((f) => f.check === 'leftover-shadow' && !f.ok);
  if (leftovers.length > 0) {
    return choice(
      'side-by-side',
      `Side-by-side (the default), but blocked: ${leftovers.map((f) => `${on(f)}${withoutPeriod(f.message)}`).join('; ')}. ` +
        'Resume that run or clean up its shadow schema first; falling back to in-place would drop the replica\'s schema while a resumable shadow exists.',
    );
  }
  const unchecked = replicas.filter((r) => !sideBySide.some((f) => f.server === r && f.check !== 'side-by-side'));
  const failed = sideBySide.filter((f) => !f.ok && f.severity === 'error');
  if (failed.length > 0 || unchecked.length > 0) {
    const why = [
      ...failed.map((f) => `${on(f)}${withoutPeriod(f.message)}`),
      ...(unchecked.length > 0 ? [`the side-by-side checks could not run on ${unchecked.join(', ')} (see the preflight)`] : []),
    ];
    // Not a blocker any more: the run can go ahead in place. The finding stays not-ok, so the
    // preflight still shows what to fix for side-by-side next time.
    const adjusted = findings.map((f) => (failed.includes(f) ? { ...f, severity: 'info' as const, message: `${f.message} So this run restores in place.` } : f));
    return choice('in-place', `In-place (side-by-side is the default where possible, but not here): ${why.join('; ')}. The run has one mode for all its replicas.`, adjusted);
  }
  return choice('side-by-side', `Side-by-side (the default where possible): every replica may create its shadow schema, has room for it, and no leftover shadow is in the way.${roomCaveat}`);
}
