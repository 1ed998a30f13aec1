// The fix-ups never wait forever: a replica server (or a DBA's transaction) that holds a lock
// on the replica's system table makes them give up after their lock_timeout with a typed
// error naming the holder, and a statement that runs too long is cancelled by their
// statement_timeout. Either way everything is rolled back, and the timeouts end with the
// fix-ups' transaction.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_FIXUP_LOCK_TIMEOUT_MS,
  DEFAULT_FIXUP_STATEMENT_TIMEOUT_MS,
  FixupTimeoutError,
  applyReplicaFixups,
} from '../../../src/main/core/coremedia/replicaFixups';
import { qualified } from '../../../src/main/core/postgres/catalog';
import { DB, useReplicaFixture } from './replicaFixture';

const f = useReplicaFixture();

describe('applyReplicaFixups timeouts', () => {
  it('gives up after lock_timeout while another session locks the system table, names it, and changes nothing', async () => {
    const { db, client } = await f.restoredReplica('cm_locked');
    const system = qualified(db.schema, db.tableNames.system ?? 'system');
    const before = await f.systemRows(db);
    const holder = await f.cluster.connect({ database: DB });
    try {
      await holder.query(`SET application_name = 'stand-in replica server'`);
      await holder.query(`BEGIN; LOCK TABLE ${system} IN SHARE MODE`);
      const started = Date.now();
      const error = await applyReplicaFixups(client, db.schema, { lockTimeoutMs: 1_000 }).catch((e: unknown) => e);
      const waited = Date.now() - started;

      expect(error).toBeInstanceOf(FixupTimeoutError);
      expect(error).toMatchObject({ code: 'fixup-lock-timeout', kind: 'lock', schema: 'cm_locked' });
      expect((error as Error).message).toContain('waited 1 s for a lock');
      expect((error as Error).message).toContain('stand-in replica server');
      expect((error as FixupTimeoutError).hint).toContain('replica-desk runs resume');
      expect(waited).toBeGreaterThanOrEqual(1_000);
      expect(waited).toBeLessThan(1_000 + 2_000);
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }
    expect(await f.systemRows(db)).toEqual(before);
    expect(await f.licenseCount(db)).toBe(3);
    // The timeouts were the transaction's own (SET LOCAL): the session is as it was.
    expect((await client.query<{ l: string; s: string }>(`SELECT current_setting('lock_timeout') AS l, current_setting('statement_timeout') AS s`)).rows[0]).toEqual({ l: '0', s: '0' });
    // And once the lock is gone the fix-ups go through on the same client.
    await applyReplicaFixups(client, db.schema, { lockTimeoutMs: 1_000 });
    expect(await f.systemRows(db)).toContainEqual(['repository_server_type', 'live']);
  });

  it('cancels a statement that runs longer than statement_timeout, and changes nothing', async () => {
    const { db, client } = await f.restoredReplica('cm_slow');
    const licenses = qualified(db.schema, db.tableNames.cmlicenses ?? 'cmlicenses');
    await f.cluster.query(
      `CREATE FUNCTION cm_slow.slowly() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(2); RETURN OLD; END $$;
       CREATE TRIGGER slowly BEFORE DELETE ON ${licenses} FOR EACH ROW EXECUTE FUNCTION cm_slow.slowly();`,
      undefined,
      DB,
    );
    const before = await f.systemRows(db);
    const started = Date.now();
    const error = await applyReplicaFixups(client, db.schema, { statementTimeoutMs: 500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FixupTimeoutError);
    expect(error).toMatchObject({ code: 'fixup-statement-timeout', kind: 'statement' });
    expect((error as Error).message).toContain('longer than 0.5 s');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await f.systemRows(db)).toEqual(before);
    expect(await f.licenseCount(db)).toBe(3);
  });

  it('has sane defaults', () => {
    expect(DEFAULT_FIXUP_LOCK_TIMEOUT_MS).toBe(30_000);
    expect(DEFAULT_FIXUP_STATEMENT_TIMEOUT_MS).toBe(5 * 60_000);
  });
});
