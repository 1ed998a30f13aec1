// How the tools' own words become typed errors. Wrong passwords, cancels and unsafe dumps
// run for real in tests/integration/postgres/dumpRestore.test.ts; a full disk, a newer
// server and a closed port are quoted here as PostgreSQL 15's pg_dump and psql print them.
import { describe, expect, it } from 'vitest';
import { ReplicaDeskError } from '../../../src/main/core/errors';
import { DiskFullError, classifyToolFailure } from '../../../src/main/core/postgres/pgToolErrors';
import { PgToolTooOldError } from '../../../src/main/core/postgres/pgTools';
import { Secret } from '../../../src/main/core/secrets/secret';

const db = { host: '127.0.0.1', port: 5432, database: 'coremedia', user: 'cm_master' };
const fallback = (detail: string): ReplicaDeskError => new ReplicaDeskError('dump-failed', detail, 'hint');
const classify = (stderr: string, where: 'local' | 'server' = 'local'): ReplicaDeskError =>
  classifyToolFailure(stderr, { db, connectTimeoutMs: 10_000, schema: 'cm_master', where }, fallback);

describe('classifyToolFailure', () => {
  it('recognises a full disk on either side', () => {
    const local = classify('pg_dump: error: could not write to output file: No space left on device');
    expect(local).toBeInstanceOf(DiskFullError);
    expect(local.hint).toMatch(/backups directory/);
    const server = classify('psql:<stdin>:812: ERROR:  could not extend file "base/16384/16501": No space left on device\nHINT:  Check free disk space.', 'server');
    expect(server.code).toBe('disk-full');
    expect(server.hint).toMatch(/database server/);
  });

  it('turns a server version mismatch into pg-tool-too-old with the server major', () => {
    const error = classify('pg_dump: error: server version: 16.4; pg_dump version: 15.18\npg_dump: error: aborting because of server version mismatch');
    expect(error).toBeInstanceOf(PgToolTooOldError);
    expect((error as PgToolTooOldError).serverMajor).toBe(16);
  });

  it('maps connection failures to the connection error codes', () => {
    expect(classify('pg_dump: error: connection to server at "127.0.0.1", port 5432 failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?').code).toBe('unreachable-host');
    expect(classify('pg_dump: error: connection to server at "127.0.0.1", port 5432 failed: fe_sendauth: no password supplied').code).toBe('missing-password');
    expect(classify('psql: error: connection to server at "127.0.0.1", port 5432 failed: FATAL:  database "coremedia" does not exist').code).toBe('unknown-database');
    expect(classify('pg_dump: error: could not translate host name "mls.example" to address: Name or service not known').code).toBe('unreachable-host');
  });

  it('keeps anything else in the fallback, masked', () => {
    const secret = new Secret('s3cret-in-stderr');
    const error = classify(`pg_dump: error: query failed: ERROR:  permission denied for table article ${secret.reveal()}`);
    expect(error.code).toBe('dump-failed');
    expect(error.message).toContain('permission denied for table article');
    expect(error.message).not.toContain(secret.reveal());
  });
});
