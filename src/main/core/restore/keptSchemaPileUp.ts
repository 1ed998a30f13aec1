// The preflight's look at the schemas earlier side-by-side runs kept beside a replica's
// schema (coremedia/keptSchemas.ts): a warning, never a blocker, when they pile up — two or
// more, or together larger than the free space the room check found — naming each with its
// size and the command that discards it.
import { formatByteSize } from '../../../shared/byteSize';
import type { PreflightFinding } from '../../../shared/restorePlan';
import type { KeptSchema } from '../coremedia/keptSchemas';
import type { DatabaseSpace } from './sideBySidePreflight';

/** From this many kept schemas on one replica, the preflight warns. */
export const KEPT_SCHEMAS_WARN_COUNT = 2;


/**
 * `runIdOf`: the run that set a kept schema aside (the history knows it), or undefined when
 * this workstation's history does not have that run.
 */
export function keptSchemasFinding(server: string, kept: readonly KeptSchema[], space: DatabaseSpace, runIdOf: (kept: KeptSchema) => string | undefined): PreflightFinding {
  const check = 'kept-schemas';
  if (kept.length === 0) return { check, server, ok: true, severity: 'info', message: 'No schemas kept by earlier side-by-side runs' };
  const total = kept.reduce((sum, k) => sum + k.bytes, 0);
  const list = kept.map((k) => `${k.name} (${formatByteSize(k.bytes)})`).join(', ');
  const tooMany = kept.length >= KEPT_SCHEMAS_WARN_COUNT;
  const tooLarge = space.free !== null && total > space.free;
  if (!tooMany && !tooLarge) return { check, server, ok: true, severity: 'info', message: `1 schema kept by an earlier run: ${list}` };
  const why = [
    ...(tooMany ? [`${kept.length} schemas kept by earlier runs`] : []),
    ...(tooLarge && space.free !== null ? [`together ${formatByteSize(total)}, more than the ${formatByteSize(space.free)} free in ${space.where}`] : []),
  ].join(', ');
  const commands = kept.map((k) => {
    const runId = runIdOf(k);
    return runId ? `replica-desk runs discard ${runId}` : `replica-desk runs discard RUN_ID (the run tagged ${k.tag} in ${k.name}; \`replica-desk runs list\` shows the runs)`;
  });
  return {
    check,
    server,
    ok: false,
    severity: 'warning',
    message: `Kept schemas pile up: ${why}: ${list} (${formatByteSize(total)} in all).`,
    hint: `Discard those you no longer need to roll back to: ${[...new Set(commands)].join('; ')}.`,
  };
}
