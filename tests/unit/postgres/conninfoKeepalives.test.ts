// The libpq connection string every pg_dump, pg_restore and psql gets: TCP keepalives and
// tcp_user_timeout over TCP, so a dead peer is noticed; nothing of that on a Unix socket,
// and no tcp_user_timeout for a libpq older than 12, which would reject the keyword.
// That libpq accepts it all (and applies it) runs in tests/integration/postgres/noHang.test.ts.
import { describe, expect, it } from 'vitest';
import { LIBPQ_TCP_USER_TIMEOUT_MS, conninfoFor, isUnixSocketHost } from '../../../src/main/core/postgres/pgToolProcess';

const db = { host: 'db.example', port: 5432, database: 'cm', user: 'cm_replication', sslmode: 'require' as const };

const fields = (conninfo: string): Record<string, string> =>
  Object.fromEntries([...conninfo.matchAll(/(\w+)='((?:[^'\\]|\\.)*)'/g)].map((m) => [m[1]!, m[2]!.replace(/\\(.)/g, '$1')]));

describe('conninfoFor', () => {
  it('asks libpq to notice a dead peer over TCP', () => {
    const f = fields(conninfoFor(db, { application_name: 'x' }));
    expect(f).toMatchObject({ host: 'db.example', port: '5432', dbname: 'cm', user: 'cm_replication', sslmode: 'require', connect_timeout: '10', application_name: 'x' });
    expect(f).toMatchObject({ keepalives: '1', keepalives_idle: '10', keepalives_interval: '10', keepalives_count: '6', tcp_user_timeout: String(LIBPQ_TCP_USER_TIMEOUT_MS) });
    expect(f).not.toHaveProperty('password');
  });

  it('leaves tcp_user_timeout out for a libpq older than 12', () => {
    const f = fields(conninfoFor(db, {}, { libpqMajor: 11 }));
    expect(f.keepalives).toBe('1');
    expect(f).not.toHaveProperty('tcp_user_timeout');
    expect(fields(conninfoFor(db, {}, { libpqMajor: 15 }))).toHaveProperty('tcp_user_timeout');
  });

  it('adds no TCP settings for a Unix socket', () => {
    const f = fields(conninfoFor({ ...db, host: '/var/run/postgresql' }));
    expect(f.host).toBe('/var/run/postgresql');
    expect(Object.keys(f).filter((k) => k.startsWith('keepalives') || k === 'tcp_user_timeout')).toEqual([]);
    expect(isUnixSocketHost('@abstract')).toBe(true);
    expect(isUnixSocketHost('localhost')).toBe(false);
  });
});
