// The verification after a restore, on a real PostgreSQL 15 cluster: it passes when the
// fix-ups are in place, and names what is wrong, check by check, when they are not.
import { describe, expect, it } from 'vitest';
import { readChangelogHead } from '../../../src/main/core/coremedia/changelog';
import { applyReplicaFixups } from '../../../src/main/core/coremedia/replicaFixups';
import { verifyReplica } from '../../../src/main/core/coremedia/verifyReplica';
import { countRows } from '../../../src/main/core/postgres/tableCounts';
import { createContentServer } from '../../harness/coremedia/contentServerDatabase';
import { DB, useReplicaFixture } from './replicaFixture';

const f = useReplicaFixture();

describe('verifyReplica', () => {
  it('passes after the fix-ups', async () => {
    const { db, client } = await f.restoredReplica('cm_verified');
    const headBefore = await readChangelogHead(f.masterClient, 'cm_master');
    const fixed = await applyReplicaFixups(client, db.schema);

    const result = await verifyReplica({
      replicaClient: client, replicaSchema: db.schema, masterClient: f.masterClient, masterSchema: 'cm_master',
      expectedHead: fixed.changelog, masterHeadBefore: headBefore,
    });

    expect(result.checks.map((c) => [c.id, c.ok])).toEqual([
      ['replicator-settings', true], ['server-type', true], ['licenses-empty', true], ['table-counts', true], ['master-head', true],
    ]);
    expect(result.ok).toBe(true);
    expect(result.checks.find((c) => c.id === 'table-counts')?.detail).toMatch(/^8 tables match the master's current counts/);
    expect(result.checks.find((c) => c.id === 'master-head')?.detail).toBe(`unchanged at ${f.master.changelogHead.sequenceNo} (idtag ${f.master.changelogHead.idTag})`);
  });

  it('fails each check with the details when something is off', async () => {
    const { db, client } = await f.restoredReplica('cm_broken');
    const fixed = await applyReplicaFixups(client, db.schema);
    await f.cluster.query(
      `UPDATE cm_broken.system SET content = 'wrong' WHERE property = 'replicator_tag';
       INSERT INTO cm_broken.cmlicenses VALUES (9, 'content-server', 'master license');
       UPDATE cm_broken.system SET content = 'publication' WHERE property = 'repository_server_type';
       DELETE FROM cm_broken.groupmembers WHERE userid = 1;`,
      undefined,
      DB,
    );
    const future = { sequenceNo: (BigInt(f.master.changelogHead.sequenceNo) + 5n).toString(), idTag: 'from-the-future' };

    const result = await verifyReplica({
      replicaClient: client, replicaSchema: db.schema, masterClient: f.masterClient, masterSchema: 'cm_master',
      expectedHead: fixed.changelog, masterHeadBefore: future,
    });

    expect(result.ok).toBe(false);
    const detail = Object.fromEntries(result.checks.map((c) => [c.id, c.ok ? 'ok' : c.detail]));
    expect(detail['replicator-settings']).toBe(`replicator_tag is 'wrong', expected exactly one row '${db.changelogHead.idTag}'`);
    expect(detail['server-type']).toBe(`repository_server_type is 'publication', expected exactly one row 'live'`);
    expect(detail['licenses-empty']).toBe('cmlicenses still has 1 rows');
    expect(detail['table-counts']).toMatch(/^1 tables differ from the master's current counts: groupmembers: master 5, replica 4\. The master may have grown/);
    expect(detail['master-head']).toMatch(/^went back from \d+ \(idtag from-the-future\) to/);
  });

  it('accepts a master that grew since the backup, and names growth as the likely cause of count differences', async () => {
    const grown = await createContentServer(f.cluster, { layout: 'shared-database', database: DB, role: 'cm_growing', password: 'pw-cm_growing', serverType: 'publication' });
    const growingClient = await f.connectAs('cm_growing');
    const headAtDump = await readChangelogHead(growingClient, 'cm_growing');
    const countsAtDump = await countRows(growingClient, 'cm_growing');
    const { db, client } = await f.restoredReplica('cm_after_growth');
    const fixed = await applyReplicaFixups(client, db.schema);
    // Publications go on while the replica is restored.
    await f.cluster.query(
      `INSERT INTO cm_growing.changelog SELECT sequenceno + 2, 'newer', 1, resourceid, version, userid, now() FROM cm_growing.changelog ORDER BY sequenceno DESC LIMIT 2`,
      undefined,
      DB,
    );
    const input = { replicaClient: client, replicaSchema: db.schema, masterClient: growingClient, masterSchema: 'cm_growing', expectedHead: fixed.changelog, masterHeadBefore: headAtDump };

    const withDumpCounts = await verifyReplica({ ...input, masterCountsAtDump: countsAtDump });
    expect(withDumpCounts.ok).toBe(true);
    expect(withDumpCounts.checks.find((c) => c.id === 'master-head')?.detail).toMatch(/^grew from \d+ to \d+ \(\+2\)/);
    expect(withDumpCounts.checks.find((c) => c.id === 'table-counts')?.detail).toMatch(/match the master at the backup/);

    const withCurrentCounts = await verifyReplica(input);
    const counts = withCurrentCounts.checks.find((c) => c.id === 'table-counts');
    expect(counts?.ok).toBe(false);
    expect(counts?.detail).toContain(`changelog: master ${grown.tableRowCounts.changelog! + 2}, replica ${grown.tableRowCounts.changelog}`);
    expect(counts?.detail).toContain('The master may have grown since the backup was taken');
  });
});
