import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lookupPgpassPassword, matchPgpass, parsePgpass, pgpassFilePath } from '../../../src/main/core/secrets/pgpass';

const target = { host: 'db.example.org', port: 5432, database: 'cm_replication', user: 'cm_replication' };
const passwordFor = (text: string, t: Parameters<typeof matchPgpass>[1] = target): string | null =>
  matchPgpass(parsePgpass(text), t)?.password ?? null;

describe('parsePgpass', () => {
  it('reads the five fields of each line', () => {
    expect(parsePgpass('h:5432:db:u:pw\n')).toEqual([{ host: 'h', port: '5432', database: 'db', user: 'u', password: 'pw' }]);
  });

  it('reads \\: and \\\\ escapes in every field, and any other \\x as x', () => {
    const [entry] = parsePgpass(String.raw`h\:1:54\32:d\\b:u\ser:p\:w\\d\x`);
    expect(entry).toEqual({ host: 'h:1', port: '5432', database: 'd\\b', user: 'user', password: 'p:w\\dx' });
  });

  it('ends the password at the next unescaped colon and keeps a final lone backslash', () => {
    expect(parsePgpass('h:1:d:u:pw:extra')[0]?.password).toBe('pw');
    expect(parsePgpass('h:1:d:u:pw\\')[0]?.password).toBe('pw\\');
    expect(parsePgpass('h:1:d:u:')[0]?.password).toBe('');
  });

  it('treats a field of exactly * as a wildcard, and \\* or a longer field as literal', () => {
    expect(parsePgpass('*:*:*:*:pw')[0]).toEqual({ host: null, port: null, database: null, user: null, password: 'pw' });
    expect(parsePgpass('\\*:*x:d:u:pw')[0]).toMatchObject({ host: '*', port: '*x' });
  });

  it('skips comments (only # in the first column), blank lines, and lines with fewer than four colons', () => {
    const text = '# h:1:d:u:comment\n\n  #h:1:d:u:notacomment\nh:1:d:u\nh:1:d:u\\:pw\r\nlast:1:d:u:pw\r\n';
    expect(parsePgpass(text).map((e) => e.host)).toEqual(['  #h', 'last']);
    expect(parsePgpass(text)[1]?.password).toBe('pw');
  });
});

describe('matchPgpass', () => {
  it('returns the first matching line, not the most specific one', () => {
    const text = ['other:5432:*:*:no', '*:*:*:cm_replication:first', 'db.example.org:5432:cm_replication:cm_replication:second'].join('\n');
    expect(passwordFor(text)).toBe('first');
  });

  it('compares every field exactly: no case folding, no host name resolution', () => {
    expect(passwordFor('DB.example.org:5432:cm_replication:cm_replication:pw')).toBeNull();
    expect(passwordFor('db.example.org:5433:cm_replication:cm_replication:pw')).toBeNull();
    expect(passwordFor('127.0.0.1:5432:*:*:pw', { ...target, host: 'localhost' })).toBeNull();
    expect(passwordFor('localhost:5432:*:*:pw', { ...target, host: 'localhost' })).toBe('pw');
  });

  it('matches a literal * only through \\*', () => {
    expect(passwordFor('\\*:*:*:*:pw')).toBeNull();
    expect(passwordFor('\\*:*:*:*:pw', { ...target, host: '*' })).toBe('pw');
  });

  it('matches escaped colons in host names', () => {
    expect(passwordFor('\\:\\:1:5432:*:*:v6', { ...target, host: '::1' })).toBe('v6');
  });
});

describe('lookupPgpassPassword with real files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pgpass-test-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const write = async (name: string, text: string, mode: number): Promise<string> => {
    const file = join(dir, name);
    await writeFile(file, text);
    await chmod(file, mode); // explicit, so the umask cannot decide the outcome
    return file;
  };

  it('finds the password in a 0600 file named by PGPASSFILE, as a Secret', async () => {
    const file = await write('ok', 'db.example.org:5432:cm_replication:cm_replication:s3cret\n', 0o600);
    const found = await lookupPgpassPassword(target, { PGPASSFILE: file, HOME: '/nonexistent' }, 'linux');
    expect(found.file).toBe(file);
    expect(found.warning).toBeUndefined();
    expect(found.secret?.reveal()).toBe('s3cret');
    expect(String(found.secret)).not.toContain('s3cret');
  });

  it.skipIf(process.platform === 'win32')('ignores a file with group or world permissions, like libpq, and says why', async () => {
    for (const mode of [0o640, 0o604, 0o610]) {
      const file = await write(`open-${mode.toString(8)}`, '*:*:*:*:s3cret\n', mode);
      const found = await lookupPgpassPassword(target, { PGPASSFILE: file }, 'linux');
      expect(found.secret).toBeNull();
      expect(found.warning).toContain('group or world access');
      expect(found.warning).toContain('0600');
    }
  });

  it('does not apply the permission rule on Windows', async () => {
    const file = await write('win', '*:*:*:*:s3cret\n', 0o644);
    const found = await lookupPgpassPassword(target, { PGPASSFILE: file }, 'win32');
    expect(found.secret?.reveal()).toBe('s3cret');
  });

  it('prefers PGPASSFILE over ~/.pgpass, and uses ~/.pgpass without it', async () => {
    const home = join(dir, 'home');
    await mkdir(home);
    await write('home/.pgpass', '*:*:*:*:from-home\n', 0o600);
    const other = await write('other', '*:*:*:*:from-env\n', 0o600);
    expect((await lookupPgpassPassword(target, { HOME: home, PGPASSFILE: other }, 'linux')).secret?.reveal()).toBe('from-env');
    expect((await lookupPgpassPassword(target, { HOME: home }, 'linux')).secret?.reveal()).toBe('from-home');
    expect((await lookupPgpassPassword(target, { HOME: home, PGPASSFILE: '' }, 'linux')).file).toBe(join(home, '.pgpass'));
  });

  it('reports no file when none exists, and no password when no line matches', async () => {
    expect(await lookupPgpassPassword(target, { PGPASSFILE: join(dir, 'missing') }, 'linux')).toEqual({ secret: null, file: null });
    const file = await write('nomatch', 'elsewhere:5432:*:*:pw\n', 0o600);
    expect(await lookupPgpassPassword(target, { PGPASSFILE: file }, 'linux')).toEqual({ secret: null, file });
  });

  it('answers lookups made at the same time from one read, each for its own server, and reads a changed file afresh later', async () => {
    const lines = Array.from({ length: 50 }, (_, i) => `db${i}.example.org:5432:*:*:pw${i}`).join('\n');
    const file = await write('many', `${lines}\n`, 0o600);
    const found = await Promise.all(
      Array.from({ length: 50 }, (_, i) => lookupPgpassPassword({ ...target, host: `db${i}.example.org` }, { PGPASSFILE: file }, 'linux')),
    );
    expect(found.map((f) => f.secret?.reveal())).toEqual(Array.from({ length: 50 }, (_, i) => `pw${i}`));
    await write('many', 'db0.example.org:5432:*:*:changed\n', 0o600);
    expect((await lookupPgpassPassword({ ...target, host: 'db0.example.org' }, { PGPASSFILE: file }, 'linux')).secret?.reveal()).toBe('changed');
  });

  it('names the Windows location under %APPDATA%', () => {
    expect(pgpassFilePath({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32')).toBe('C:\\Users\\a\\AppData\\Roaming\\postgresql\\pgpass.conf');
    expect(pgpassFilePath({ HOME: '/home/a' }, 'linux')).toBe('/home/a/.pgpass');
  });
});
