// The pure parts of the run's guards: what a status command's outcome means, and how a run
// lock names its holder within PostgreSQL's 63-byte application_name.
import { describe, expect, it } from 'vitest';
import { advisoryLockKey, lockKeyParts } from '../../../src/main/core/postgres/advisoryLock';
import { ConnectionLostError, isConnectionLoss } from '../../../src/main/core/postgres/connectionErrors';
import { classifyStatus } from '../../../src/main/core/restore/steps/serverControl';
import { describeHolder, holderTag, runLockKey } from '../../../src/main/core/restore/runLocks';

describe('a status command outcome', () => {
  it('is running on 0 and stopped on an ordinary non-zero exit', () => {
    expect(classifyStatus({ exitCode: 0, signal: null }).state).toBe('running');
    expect(classifyStatus({ exitCode: 1, signal: null }).state).toBe('stopped');
    expect(classifyStatus({ exitCode: 3, signal: null }).state).toBe('stopped'); // systemctl is-active: inactive
  });

  it('is unknown, never stopped, when the command could not run or was killed', () => {
    for (const [exitCode, signal, why] of [
      [126, null, /not executable/],
      [127, null, /not found/],
      [null, 'SIGKILL', /SIGKILL/],
      [137, null, /signal/],
      [255, null, /signal|connection/],
    ] as const) {
      const status = classifyStatus({ exitCode, signal });
      expect(status.state).toBe('unknown');
      expect(status.state === 'unknown' && status.why).toMatch(why);
    }
  });
});

describe('run locks', () => {
  it('key a schema by cluster, database and schema', () => {
    const a = runLockKey({ systemIdentifier: '7301', database: 'coremedia', schema: 'cm_rls1' });
    expect(a).toBe(runLockKey({ systemIdentifier: '7301', database: 'coremedia', schema: 'cm_rls1' }));
    expect(a).not.toBe(runLockKey({ systemIdentifier: '7302', database: 'coremedia', schema: 'cm_rls1' }));
    expect(a).not.toBe(runLockKey({ systemIdentifier: '7301', database: 'cm', schema: 'cm_rls1' }));
    expect(a).not.toBe(runLockKey({ systemIdentifier: '7301', database: 'coremedia', schema: 'cm_rls2' }));
  });

  it('split a bigint key into the classid and objid that pg_locks shows', () => {
    expect(lockKeyParts('-1')).toEqual({ classid: '4294967295', objid: '4294967295' });
    expect(lockKeyParts(String((5n << 32n) + 7n))).toEqual({ classid: '5', objid: '7' });
    const key = advisoryLockKey('x');
    const { classid, objid } = lockKeyParts(key);
    expect(BigInt.asIntN(64, (BigInt(classid) << 32n) | BigInt(objid)).toString()).toBe(key);
  });

  it('name the holder in at most 63 bytes, and read the name back', () => {
    const tag = holderTag('20261201-214500-a1b2c3', 'admin', 'ws-17.example.org');
    expect(tag).toBe('rd-run 20261201-214500-a1b2c3 admin@ws-17.example.org');
    const long = holderTag('20261201-214500-a1b2c3', 'ädmin', 'a-very-long-workstation-name.with.a.long.domain.example.org');
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(63);
    expect(describeHolder({ pid: 42, applicationName: tag, sessionStart: '2026-12-01T21:45:00.000Z', clientAddr: '10.0.0.5' })).toEqual({
      runId: '20261201-214500-a1b2c3',
      osUser: 'admin',
      workstation: 'ws-17.example.org',
      since: '2026-12-01T21:45:00.000Z',
      pid: 42,
    });
    expect(describeHolder({ pid: 9, applicationName: 'psql', sessionStart: null, clientAddr: '10.0.0.9' }).runId).toBeNull();
  });
});

describe('a connection that went away mid-step', () => {
  it('is told from other unexpected errors by pg\'s words and SQLSTATE', () => {
    expect(isConnectionLoss(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isConnectionLoss(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isConnectionLoss(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isConnectionLoss(new Error('Client has encountered a connection error and is not queryable'))).toBe(true);
    expect(isConnectionLoss(Object.assign(new Error('relation "x" does not exist'), { code: '42P01' }))).toBe(false);
    expect(isConnectionLoss(new TypeError('cannot read properties of undefined'))).toBe(false);
  });

  it('names the server and the step, and says to resume', () => {
    const error = new ConnectionLostError({ host: 'db1', port: 5432, database: 'cm', user: 'cm_rls1' }, 'Restore the backup', 'Connection terminated unexpectedly');
    expect(error.code).toBe('connection-lost');
    expect(error.message).toBe('Lost the connection to db1:5432/cm as user "cm_rls1" during "Restore the backup": Connection terminated unexpectedly');
    expect(error.hint).toMatch(/runs resume/);
  });
});
