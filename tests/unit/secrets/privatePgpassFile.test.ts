import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePgpass } from '../../../src/main/core/secrets/pgpass';
import { escapePgpassField, formatPgpassLine, withPrivatePgpassFile } from '../../../src/main/core/secrets/privatePgpassFile';
import { Secret } from '../../../src/main/core/secrets/secret';

const entry = { host: '127.0.0.1', port: 5432, database: 'cm_replication', user: 'cm_replication' };

describe('formatPgpassLine', () => {
  it('escapes fields so libpq reads back exactly what was written', () => {
    const line = formatPgpassLine({ host: '*', port: 5432, database: 'd:b', user: 'u\\', password: new Secret('p:a\\s*s:') });
    expect(parsePgpass(line)).toEqual([{ host: '*', port: '5432', database: 'd:b', user: 'u\\', password: 'p:a\\s*s:' }]);
    expect(escapePgpassField('*')).toBe('\\*');
    expect(escapePgpassField('a*')).toBe('a*');
  });

  it('refuses a line break, which a pgpass file cannot hold', () => {
    expect(() => formatPgpassLine({ ...entry, password: new Secret('a\nb') })).toThrow(/line break/);
  });
});

describe('withPrivatePgpassFile', () => {
  it('writes a 0600 file in a fresh 0700 directory for the duration of fn, then removes both', async () => {
    let seen = '';
    const result = await withPrivatePgpassFile(
      [
        { ...entry, password: new Secret('first:pw') },
        { ...entry, host: 'other', password: new Secret('second-pw') },
      ],
      async (file) => {
        seen = file;
        if (process.platform !== 'win32') {
          expect(statSync(file).mode & 0o777).toBe(0o600);
          expect(statSync(dirname(file)).mode & 0o777).toBe(0o700);
        }
        const entries = parsePgpass(readFileSync(file, 'utf8'));
        return entries.map((e) => [e.host, e.password]);
      },
    );
    expect(result).toEqual([
      ['127.0.0.1', 'first:pw'],
      ['other', 'second-pw'],
    ]);
    expect(existsSync(seen)).toBe(false);
    expect(existsSync(dirname(seen))).toBe(false);
  });

  it('removes the file when fn throws, and passes the error on', async () => {
    let seen = '';
    const run = withPrivatePgpassFile([{ ...entry, password: new Secret('thrown-pw') }], async (file) => {
      seen = file;
      throw new Error('pg_dump failed');
    });
    await expect(run).rejects.toThrow('pg_dump failed');
    expect(seen).not.toBe('');
    expect(existsSync(dirname(seen))).toBe(false);
  });
});

describe('sweepStalePgpassFiles', () => {
  it('removes what a killed process left behind and keeps live ones', async () => {
    const { mkdtempSync, mkdirSync, writeFileSync, existsSync } = await import('node:fs');
    const { spawnSync } = await import('node:child_process');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { sweepStalePgpassFiles } = await import('../../../src/main/core/secrets/privatePgpassFile');
    const root = mkdtempSync(join(tmpdir(), 'rd-sweep-'));
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const stale = join(root, `replica-desk-pgpass-${dead}-abc`);
    const live = join(root, `replica-desk-pgpass-${process.pid}-def`);
    for (const d of [stale, live]) {
      mkdirSync(d);
      writeFileSync(join(d, 'pgpass'), 'h:1:d:u:pw\n');
    }
    expect(await sweepStalePgpassFiles(root)).toEqual([`replica-desk-pgpass-${dead}-abc`]);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(live)).toBe(true);
  });
});
