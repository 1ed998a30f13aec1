// A database reached through a local SSH forward: libpq dials the forward (hostaddr and its
// port) while `host` still names the server, for TLS verification and pgpass; the private
// pgpass entry carries the port libpq matches, the forward's.
import { describe, expect, it } from 'vitest';
import { conninfoFor, pgpassEntriesFor } from '../../../src/main/core/postgres/pgToolProcess';
import { dialAddress } from '../../../src/main/core/postgres/connect';
import { Secret } from '../../../src/main/core/secrets/secret';

const db = { host: 'db.internal', port: 5432, database: 'cm', user: 'rls1', sslmode: 'verify-full' as const };
const forwarded = { ...db, connectTo: { host: '127.0.0.1', port: 40123 } };

describe('a database behind a local forward', () => {
  it('dials the forward and keeps the server name for TLS', () => {
    const text = conninfoFor(forwarded);
    expect(text).toContain("host='db.internal'");
    expect(text).toContain("hostaddr='127.0.0.1'");
    expect(text).toContain("port='40123'");
    expect(text).not.toContain("port='5432'");
    expect(text).toContain("sslmode='verify-full'");
  });

  it('dials the server itself without a forward', () => {
    const text = conninfoFor(db);
    expect(text).not.toContain('hostaddr');
    expect(text).toContain("port='5432'");
    expect(dialAddress(db)).toEqual({ host: 'db.internal', port: 5432 });
    expect(dialAddress(forwarded)).toEqual({ host: '127.0.0.1', port: 40123 });
  });

  it('writes the pgpass entry for the port libpq dials', () => {
    const [entry, ...rest] = pgpassEntriesFor(forwarded, new Secret('s3cret'));
    expect(rest).toHaveLength(0);
    expect(entry).toMatchObject({ host: 'db.internal', port: 40123, database: 'cm', user: 'rls1' });
  });
});
