// The names of the schemas a side-by-side restore makes beside a replica's schema `S`:
//
//   S__rd_new            the shadow schema the restore fills while S keeps serving
//   S__rd_prev_<tag>     the previous S, kept after the swap (for rollback)
//   S__rd_undone_<tag>   the restored S, kept after a swap back (rollback)
//
// <tag> is the run id (letters, digits and `-`, so never `__rd_`; at most 40 bytes).
// PostgreSQL cuts an identifier at 63 bytes without an error, so when S plus the suffix would be longer, S is
// cut (on a UTF-8 character boundary) and followed by `_` and 8 hex digits of SHA-256(S):
// two long schemas that share their first bytes still get different names. The rule is a
// pure function of (S, kind, tag), so any later run, the preflight and the history find the
// same names again; isKeptSchemaOf() recognises them.
import { createHash } from 'node:crypto';
import { InvalidInputError } from '../errors';

export const MAX_IDENTIFIER_BYTES = 63;
export const MAX_TAG_BYTES = 40;
const TAG = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
const HASH_HEX = 8;

export type KeptKind = 'prev' | 'undone';

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** The longest prefix of `s` of at most `max` UTF-8 bytes that does not split a character. */
function cutUtf8(s: string, max: number): string {
  let out = '';
  for (const ch of s) {
    if (bytes(out) + bytes(ch) > max) break;
    out += ch;
  }
  return out;
}

function requireTag(tag: string): void {
  if (!TAG.test(tag) || bytes(tag) > MAX_TAG_BYTES) {
    throw new InvalidInputError(`"${tag}" cannot tag a kept schema: use 1 to ${MAX_TAG_BYTES} letters, digits or "-", starting with a letter or digit (a run id).`);
  }
}

function requireSchemaName(schema: string): void {
  if (schema.length === 0 || schema.includes('\0') || bytes(schema) > MAX_IDENTIFIER_BYTES) {
    throw new InvalidInputError(`"${schema}" is not a PostgreSQL schema name (1 to ${MAX_IDENTIFIER_BYTES} bytes, no NUL).`);
  }
}

/** `schema` + `suffix`, the schema part shortened with a hash when the whole would pass 63 bytes. */
export function withSuffix(schema: string, suffix: string): string {
  requireSchemaName(schema);
  if (bytes(schema) + bytes(suffix) <= MAX_IDENTIFIER_BYTES) return `${schema}${suffix}`;
  const hash = createHash('sha256').update(schema, 'utf8').digest('hex').slice(0, HASH_HEX);
  const room = MAX_IDENTIFIER_BYTES - bytes(suffix) - 1 - HASH_HEX;
  return `${cutUtf8(schema, room)}_${hash}${suffix}`;
}

/** `S__rd_new`: where a side-by-side restore puts the master's data before the swap. */
export function shadowSchemaName(schema: string): string {
  return withSuffix(schema, '__rd_new');
}

/** `S__rd_prev_<tag>` (the schema a swap set aside) or `S__rd_undone_<tag>` (the one a swap back set aside). */
export function keptSchemaName(schema: string, kind: KeptKind, tag: string): string {
  requireTag(tag);
  return withSuffix(schema, `__rd_${kind}_${tag}`);
}

/** Whether `name` is a kept schema of `schema` by the rule above; which kind and tag if so. */
export function parseKeptSchemaName(schema: string, name: string): { kind: KeptKind; tag: string } | null {
  // The schema itself may contain `__rd_prev_`, so every place the marker occurs is tried.
  for (const match of name.matchAll(/__rd_(prev|undone)_(?=([A-Za-z0-9][A-Za-z0-9-]*)$)/g)) {
    const kind = match[1] as KeptKind;
    const tag = match[2] as string;
    if (bytes(tag) <= MAX_TAG_BYTES && keptSchemaName(schema, kind, tag) === name) return { kind, tag };
  }
  return null;
}
