// The names a side-by-side restore gives the schemas it keeps beside the replica's own:
// the shadow `<schema>__rd_new` (the next schema, built while the replica serves) and the
// kept `<schema>__rd_prev_<tag>` (the previous schema, kept after the swap for rollback).
// PostgreSQL cuts identifiers at 63 bytes, silently; a cut name could meet another schema's,
// so a name that would be longer has its base shortened and `_<8 hex of sha256(schema)>`
// appended before the suffix. The same rule as the swap module (postgres/schemaSwap.ts).
import { createHash } from 'node:crypto';

const MAX_IDENTIFIER_BYTES = 63;
export const SHADOW_SUFFIX = '__rd_new';
export const KEPT_SUFFIX_PREFIX = '__rd_prev_';

const sha8 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 8);

/** `base` cut to at most `bytes` UTF-8 bytes, never in the middle of a character. */
function cutToBytes(base: string, bytes: number): string {
  let out = '';
  for (const ch of base) {
    if (Buffer.byteLength(out + ch, 'utf8') > bytes) break;
    out += ch;
  }
  return out;
}

/** `<schema><suffix>`, or, when that exceeds 63 bytes, `<cut schema>_<sha8(schema)><suffix>`. */
export function derivedSchemaName(schema: string, suffix: string): string {
  const whole = `${schema}${suffix}`;
  if (Buffer.byteLength(whole, 'utf8') <= MAX_IDENTIFIER_BYTES) return whole;
  const hash = `_${sha8(schema)}`;
  return `${cutToBytes(schema, MAX_IDENTIFIER_BYTES - hash.length - Buffer.byteLength(suffix, 'utf8'))}${hash}${suffix}`;
}

export const shadowSchemaName = (schema: string): string => derivedSchemaName(schema, SHADOW_SUFFIX);

/**
 * The run's tag: the first 8 hex of sha256(run id). Run ids begin with the date
 * (`20261202-013324-ab12cd`), so their own first 8 hex digits would be the same for every
 * run of a day, and a second run's kept name would meet the first's.
 */
export const runTag = (runId: string): string => sha8(runId);

export const keptSchemaName = (schema: string, runId: string): string => derivedSchemaName(schema, `${KEPT_SUFFIX_PREFIX}${runTag(runId)}`);
