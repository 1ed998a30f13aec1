// The names of shadow and kept schemas: never over PostgreSQL's 63 bytes, distinct for
// schemas that share a long prefix, and recognised again only for their own schema.
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src/main/core/errors';
import { MAX_IDENTIFIER_BYTES, keptSchemaName, parseKeptSchemaName, shadowSchemaName } from '../../../src/main/core/postgres/swapNames';

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');
const RUN = '20261202-013324-abc123';

describe('shadow and kept schema names', () => {
  it('appends the suffix to a short schema name', () => {
    expect(shadowSchemaName('cm_replication')).toBe('cm_replication__rd_new');
    expect(keptSchemaName('cm_replication', 'prev', RUN)).toBe(`cm_replication__rd_prev_${RUN}`);
    expect(keptSchemaName('cm_replication', 'undone', RUN)).toBe(`cm_replication__rd_undone_${RUN}`);
  });

  it('stays within 63 bytes for a 63-byte name, also with multi-byte characters, and keeps names apart', () => {
    const a = 'r'.repeat(63);
    const b = `${'r'.repeat(62)}s`;
    const umlauts = 'ä'.repeat(31) + 'x'; // 63 bytes, 2-byte characters
    for (const schema of [a, b, umlauts]) {
      for (const name of [shadowSchemaName(schema), keptSchemaName(schema, 'prev', RUN), keptSchemaName(schema, 'undone', 'x'.repeat(40))]) {
        expect(bytes(name)).toBeLessThanOrEqual(MAX_IDENTIFIER_BYTES);
        expect(name).not.toContain('\uFFFD');
        expect(Buffer.from(name, 'utf8').toString('utf8')).toBe(name);
      }
    }
    expect(shadowSchemaName(a)).not.toBe(shadowSchemaName(b));
    expect(keptSchemaName(a, 'prev', RUN)).not.toBe(keptSchemaName(b, 'prev', RUN));
    expect(keptSchemaName(a, 'prev', RUN)).toMatch(/^r+_[0-9a-f]{8}__rd_prev_20261202-013324-abc123$/);
    // Exactly at the limit the name is not shortened.
    const fits = 'f'.repeat(63 - '__rd_new'.length);
    expect(shadowSchemaName(fits)).toBe(`${fits}__rd_new`);
  });

  it('refuses tags that are not run-id-like and schema names PostgreSQL would cut', () => {
    for (const tag of ['', 'a_b', 'a b', 'x'.repeat(41), '-x', 'a"b', 'ä']) expect(() => keptSchemaName('s', 'prev', tag)).toThrow(InvalidInputError);
    expect(() => shadowSchemaName('r'.repeat(64))).toThrow(InvalidInputError);
    expect(() => shadowSchemaName('')).toThrow(InvalidInputError);
  });

  it("recognises a kept name of its own schema only, even when the schema's name contains the marker", () => {
    expect(parseKeptSchemaName('cm_replication', `cm_replication__rd_prev_${RUN}`)).toEqual({ kind: 'prev', tag: RUN });
    expect(parseKeptSchemaName('cm_replication', `cm_replication__rd_undone_${RUN}`)).toEqual({ kind: 'undone', tag: RUN });
    expect(parseKeptSchemaName('cm_replication', 'cm_replication')).toBeNull();
    expect(parseKeptSchemaName('cm_replication', 'cm_replication__rd_new')).toBeNull();
    expect(parseKeptSchemaName('cm_replication', `cm_master__rd_prev_${RUN}`)).toBeNull();
    expect(parseKeptSchemaName('cm_rep', `cm_replication__rd_prev_${RUN}`)).toBeNull();
    const odd = 'a__rd_prev_b';
    expect(parseKeptSchemaName(odd, keptSchemaName(odd, 'prev', 't1'))).toEqual({ kind: 'prev', tag: 't1' });
    expect(parseKeptSchemaName('a', keptSchemaName(odd, 'prev', 't1'))).toBeNull();
    const long = 'r'.repeat(63);
    expect(parseKeptSchemaName(long, keptSchemaName(long, 'undone', RUN))).toEqual({ kind: 'undone', tag: RUN });
    expect(parseKeptSchemaName(`${'r'.repeat(62)}s`, keptSchemaName(long, 'undone', RUN))).toBeNull();
  });
});
