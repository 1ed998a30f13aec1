// Steps 8–11 on a real PostgreSQL 15 cluster, against replicas shaped like a restored
// master dump (see replicaFixture.ts); results are read back with plain SQL.
import { describe, expect, it } from 'vitest';
import { readChangelogHead } from '../../../src/main/core/coremedia/changelog';
import {
  EmptyChangelogError,
  ServerTypeUpdateError,
  applyReplicaFixups,
  fixupStatements,
  replicaFixupsApplied,
} from '../../../src/main/core/coremedia/replicaFixups';
import { MissingRepositoryTableError, defaultRepositoryTables, resolveRepositoryTables } from '../../../src/main/core/coremedia/repositoryTables';
import { ConflictingServerTypeError, readReplicaState, readServerType } from '../../../src/main/core/coremedia/serverType';
import type { ContentServerDatabase } from '../../harness/coremedia/contentServerDatabase';
import { DB, expectedReplicator, useReplicaFixture } from './replicaFixture';

const f = useReplicaFixture();
const { restoredReplica, systemRows, replicatorRows, licenseCount } = f;

describe('applyReplicaFixups', () => {
  it('positions the replicator at the head, empties the licenses and makes the server live', async () => {
    const { db, client } = await restoredReplica('cm_plain');
    expect(await replicaFixupsApplied(client, db.schema)).toBe(false);

    const result = await applyReplicaFixups(client, db.schema);

    expect(result).toEqual({
      changelog: { ...db.changelogHead, lastNonLocal: db.lastNonLocalEvent, newestIsLocal: false },
      replicatorRowsBefore: 0,
      licensesDeleted: 3,
    });
    expect(await replicatorRows(db)).toEqual(expectedReplicator(db.changelogHead));
    expect(await licenseCount(db)).toBe(0);
    expect(await systemRows(db)).toContainEqual(['repository_server_type', 'live']);
    expect(await replicaFixupsApplied(client, db.schema)).toBe(true);

    // Run again, as a careless resume would: nothing says 'publication' any more.
    const again = await applyReplicaFixups(client, db.schema).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ServerTypeUpdateError);
    expect(again).toMatchObject({ code: 'server-type-update', count: 0, serverTypeRows: ['live'] });
    expect((again as Error).message).toContain('changed 0 rows');
  });

  it('replaces replicator rows that the dump already holds with exactly one row each', async () => {
    const { db, client } = await restoredReplica('cm_had_rows', { withReplicatorRows: true });
    const before = await replicatorRows(db);
    expect(before).toHaveLength(3);
    expect(before.find(([p]) => p === 'replicator_remote')?.[1]).not.toBe(db.changelogHead.sequenceNo);

    const result = await applyReplicaFixups(client, db.schema);

    expect(result.replicatorRowsBefore).toBe(3);
    expect(await replicatorRows(db)).toEqual(expectedReplicator(db.changelogHead));
  });

  it('replaces duplicated replicator rows in a system table without a primary key', async () => {
    const { db, client } = await restoredReplica('cm_dupes', { withReplicatorRows: true, systemPrimaryKey: false });
    await f.cluster.query(
      `INSERT INTO cm_dupes.system (property, content) VALUES ('replicator_remote', '1'), ('replicator_tag', 'stale'), ('replicator_tag', 'staler')`,
      undefined,
      DB,
    );
    expect(await replicatorRows(db)).toHaveLength(6);

    const result = await applyReplicaFixups(client, db.schema);

    expect(result.replicatorRowsBefore).toBe(6);
    expect(await replicatorRows(db)).toEqual(expectedReplicator(db.changelogHead));
  });

  it('works with mixed-case table and column names', async () => {
    const { db, client } = await restoredReplica('cm_mixed', { mixedCaseTables: true });
    const columns = { property: 'Property', content: 'Content' };
    await f.cluster.query(
      `ALTER TABLE cm_mixed."System" RENAME COLUMN property TO "Property";
       ALTER TABLE cm_mixed."System" RENAME COLUMN content TO "Content";
       ALTER TABLE cm_mixed."ChangeLog" RENAME COLUMN sequenceno TO "SequenceNo";
       ALTER TABLE cm_mixed."ChangeLog" RENAME COLUMN idtag TO "IdTag";
       ALTER TABLE cm_mixed."ChangeLog" RENAME COLUMN code TO "Code";`,
      undefined,
      DB,
    );
    expect(await resolveRepositoryTables(client, db.schema)).toEqual({
      schema: 'cm_mixed',
      system: { table: 'System', property: 'Property', content: 'Content' },
      changelog: { table: 'ChangeLog', sequenceNo: 'SequenceNo', idTag: 'IdTag', code: 'Code' },
      cmlicenses: { table: 'CmLicenses' },
    });

    const result = await applyReplicaFixups(client, db.schema);

    expect(result.changelog.sequenceNo).toBe(db.changelogHead.sequenceNo);
    expect(await replicatorRows(db, columns)).toEqual(expectedReplicator(db.changelogHead));
    expect(await systemRows(db, columns)).toContainEqual(['repository_server_type', 'live']);
    expect(await licenseCount(db)).toBe(0);
  });

  it('keeps 64-bit sequence numbers exact', async () => {
    const { db, client } = await restoredReplica('cm_large', { largeSequenceNumbers: true, changelogEntries: 11 });
    const head = (2n ** 53n + 1n + 10n).toString();
    expect(db.changelogHead.sequenceNo).toBe(head);
    expect(String(Number(head))).not.toBe(head);

    const result = await applyReplicaFixups(client, db.schema);

    expect(result.changelog.sequenceNo).toBe(head);
    expect(await replicatorRows(db)).toEqual(expectedReplicator({ sequenceNo: head, idTag: db.changelogHead.idTag }));
  });

  it('reports both the head and the last non-local event when the newest event is local', async () => {
    const { db, client } = await restoredReplica('cm_local_head', { localEventAtHead: true });
    expect(db.lastNonLocalEvent).not.toEqual(db.changelogHead);

    const result = await applyReplicaFixups(client, db.schema);

    expect(result.changelog).toEqual({ ...db.changelogHead, lastNonLocal: db.lastNonLocalEvent, newestIsLocal: true });
    // The procedure positions the replicator at the newest event of all, local or not.
    expect(await replicatorRows(db)).toEqual(expectedReplicator(db.changelogHead));
  });

  it('rolls everything back when the restored server type is not publication', async () => {
    const { db, client } = await restoredReplica('cm_was_live', { serverType: 'live', withReplicatorRows: true });
    const before = await systemRows(db);

    const error = await applyReplicaFixups(client, db.schema).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ServerTypeUpdateError);
    expect(error).toMatchObject({ code: 'server-type-update', count: 0 });
    expect((error as ServerTypeUpdateError).hint).toMatch(/not taken from a Master Live Server/);
    expect(await systemRows(db)).toEqual(before);
    expect(await licenseCount(db)).toBe(3);
  });

  it('rolls back when the server-type UPDATE would change two rows', async () => {
    const { db, client } = await restoredReplica('cm_two_types', { systemPrimaryKey: false });
    await f.cluster.query(`INSERT INTO cm_two_types.system VALUES ('repository_server_type', 'publication')`, undefined, DB);
    const before = await systemRows(db);

    const error = await applyReplicaFixups(client, db.schema).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'server-type-update', count: 2 });
    expect((error as Error).message).toContain('changed 2 rows instead of exactly 1');
    expect((error as ServerTypeUpdateError).hint).toMatch(/duplicated/);
    expect(await systemRows(db)).toEqual(before);
    expect(await licenseCount(db)).toBe(3);
  });

  it('refuses an empty changelog and a schema that is not a content server', async () => {
    const { db, client } = await restoredReplica('cm_empty_log', { changelogEntries: 0 });
    expect(await readChangelogHead(client, db.schema)).toBeNull();
    const empty = await applyReplicaFixups(client, db.schema).catch((e: unknown) => e);
    expect(empty).toBeInstanceOf(EmptyChangelogError);
    expect(await licenseCount(db)).toBe(3);

    for (const schema of ['public', 'no_such_schema']) {
      const missing = await applyReplicaFixups(client, schema).catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(MissingRepositoryTableError);
      expect(missing).toMatchObject({ code: 'not-a-content-server' });
    }
  });

  it('shows in the plan the same SQL that it runs', async () => {
    expect(fixupStatements(defaultRepositoryTables('cm_replication')).map((s) => s.sql)).toContain(
      `INSERT INTO "cm_replication"."system" ("property", "content") VALUES ('replicator_remote', <changelog head sequenceno>), ` +
        `('replicator_local', <changelog head sequenceno>), ('replicator_tag', <changelog head idtag>)`,
    );

    // Run the displayed text by hand on one replica and the function on another: same end state.
    const byHand = await restoredReplica('cm_by_hand', { mixedCaseTables: true, withReplicatorRows: true });
    const byCode = await restoredReplica('cm_by_code', { mixedCaseTables: true, withReplicatorRows: true });
    const expectedEnd = async (db: ContentServerDatabase): Promise<[string, string][]> =>
      [
        ...(await systemRows(db)).filter(([p]) => !p.startsWith('replicator_')).map(([p, c]): [string, string] => [p, p === 'repository_server_type' ? 'live' : c]),
        ...expectedReplicator(db.changelogHead),
      ].sort(([a], [b]) => a.localeCompare(b));
    const handExpected = await expectedEnd(byHand.db);
    const codeExpected = await expectedEnd(byCode.db);

    const statements = fixupStatements(await resolveRepositoryTables(byHand.client, 'cm_by_hand'), byHand.db.changelogHead);
    for (const { sql } of statements) await byHand.client.query(sql);
    await applyReplicaFixups(byCode.client, 'cm_by_code');

    expect(await systemRows(byHand.db)).toEqual(handExpected);
    expect(await systemRows(byCode.db)).toEqual(codeExpected);
    expect(await licenseCount(byHand.db)).toBe(0);
    expect(await licenseCount(byCode.db)).toBe(0);
  });
});

describe('readServerType and readReplicaState', () => {
  it('reads the type, and refuses to guess between disagreeing rows', async () => {
    expect(await readServerType(f.masterClient, 'cm_master')).toBe('publication');
    const { db, client } = await restoredReplica('cm_disagree', { systemPrimaryKey: false, withReplicatorRows: true });
    await f.cluster.query(
      `INSERT INTO cm_disagree.system VALUES ('repository_server_type', 'live'), ('replicator_tag', 'second')`,
      undefined,
      DB,
    );
    await expect(readServerType(client, db.schema)).rejects.toBeInstanceOf(ConflictingServerTypeError);
    const state = await readReplicaState(client, db.schema);
    expect(state.serverType).toBeNull();
    expect(state.serverTypeRows).toEqual(['live', 'publication']);
    expect(state.replicator.tag).toHaveLength(2);
    expect(state.replicator.remote).toHaveLength(1);
    expect(state.licenses).toBe(3);
  });
});

