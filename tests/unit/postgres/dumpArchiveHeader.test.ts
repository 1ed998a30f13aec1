// A file offered as a backup (restore --from-backup, the wizard's "use an existing backup")
// is checked by its header before anything else reads it or runs pg_restore on it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NotADumpFileError, requireDumpArchive } from '../../../src/main/core/postgres/dumpArchive';

const dir = mkdtempSync(join(tmpdir(), 'replica-desk-header-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, content: string | Buffer): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

describe('requireDumpArchive', () => {
  it('accepts a file that starts with the custom-format magic', async () => {
    await expect(requireDumpArchive(file('ok.dump', Buffer.concat([Buffer.from('PGDMP'), Buffer.from([1, 14, 0, 4, 8, 1, 1])])))).resolves.toBeUndefined();
  });

  it.each([
    ['a plain SQL script', 'plain.sql', '--\n-- PostgreSQL database dump\n--\nSET statement_timeout = 0;\n', /plain SQL script/],
    ['an empty file', 'empty.dump', '', /does not start with "PGDMP"/],
    ['a short file', 'short.dump', 'PGD', /does not start with "PGDMP"/],
    ['a gzip file', 'dump.gz', Buffer.from([0x1f, 0x8b, 8, 0, 0, 0]), /does not start with "PGDMP"/],
  ])('refuses %s', async (_what, name, content, message) => {
    const error = await requireDumpArchive(file(name, content)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotADumpFileError);
    expect((error as NotADumpFileError).message).toMatch(message);
    expect((error as NotADumpFileError).usage).toBe(true);
  });

  it('refuses a directory and a missing file, naming them', async () => {
    const sub = join(dir, 'dirdump');
    mkdirSync(sub);
    await expect(requireDumpArchive(sub)).rejects.toThrow(/is a directory/);
    await expect(requireDumpArchive(join(dir, 'nope.dump'))).rejects.toThrow(`${join(dir, 'nope.dump')} does not exist`);
  });
});
