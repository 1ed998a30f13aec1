// The names a side-by-side run gives the schemas beside the replica's own, by the one rule
// of postgres/swapNames.ts (the swap module derives the same names): the shadow
// `<schema>__rd_new`, and the kept `<schema>__rd_prev_<tag>` whose tag is the run's.
import { createHash } from 'node:crypto';
import { keptSchemaName as keptName, shadowSchemaName, withSuffix } from '../postgres/swapNames';

export { shadowSchemaName };
export const KEPT_SUFFIX_PREFIX = '__rd_prev_';

/** `<schema><suffix>`, the schema shortened with a hash past 63 bytes (for placeholders in a plan). */
export const derivedSchemaName = (schema: string, suffix: string): string => withSuffix(schema, suffix);

/**
 * The run's tag: the first 8 hex of sha256(run id). Run ids begin with the date
 * (`20261202-013324-ab12cd`), so their own first 8 characters would be the same for every
 * run of a day, and a second run's kept name would meet the first's.
 */
export const runTag = (runId: string): string => createHash('sha256').update(runId, 'utf8').digest('hex').slice(0, 8);

export const keptSchemaName = (schema: string, runId: string): string => keptName(schema, 'prev', runTag(runId));
