// Migration 9 and the run list's queries: the index on the start time exists after an upgrade
// from version 8 (runs kept), and SQLite answers the list and its count from it — one pass
// over the run table in order, no sort, and a count that reads no table row at all.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listParams, runCountSql, runListSql, RunStore } from '../../../src/main/core/history/runStore';
import { planRestore } from '../../../src/main/core/restore/planRestore';
import { openStore, schemaVersion } from '../../../src/main/core/store/database';
import { LATEST_SCHEMA_VERSION, migrations } from '../../../src/main/core/store/migrations';
import { InstallationSchema } from '../../../src/shared/profiles';

const plan = planRestore(
  InstallationSchema.parse({
    name: 'prod',
    servers: [
      { name: 'mls', role: 'master', db: { host: 'h', database: 'd', user: 'cm_master' } },
      { name: 'rls1', role: 'replica', db: { host: 'h', database: 'd', user: 'cm_rls1' } },
    ],
  }),
  { replicas: [], backupDir: '/b' },
);

const dirs: string[] = [];
const tempFile = () => {
  const dir = mkdtempSync(join(tmpdir(), 'rd-run-list-'));
  dirs.push(dir);
  return join(dir, 'replica-desk.sqlite');
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('migration 9: runs by start time', () => {
  it('adds the index to a version-8 store and keeps its runs', () => {
    const file = tempFile();
    const old = openStore(file, { migrations: migrations.filter((m) => m.version <= 8) });
    const runId = new RunStore(old.db).create(plan);
    old.close();

    const store = openStore(file);
    expect(LATEST_SCHEMA_VERSION).toBe(9);
    expect(schemaVersion(store.db)).toBe(9);
    const columns = store.db.prepare("SELECT name FROM pragma_index_info('runs_by_created_at') ORDER BY seqno").pluck().all();
    expect(columns).toEqual(['created_at', 'id']);
    expect(new RunStore(store.db).list().map((r) => r.runId)).toEqual([runId]);
    store.close();
  });
});

describe('the run list queries', () => {
  const plan_ = (sql: string, filter: Parameters<typeof runListSql>[0]) => {
    const store = openStore(tempFile());
    const details = store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(listParams(filter)) as Array<{ detail: string }>;
    store.close();
    return details.map((d) => d.detail);
  };

  it('reads the runs newest first straight from the index, without sorting', () => {
    const steps = plan_(runListSql({ limit: 100, offset: 200 }), { limit: 100, offset: 200 });
    expect(steps).toEqual(['SCAN runs USING INDEX runs_by_created_at']);
  });

  it('counts all runs from the index alone, and one installation’s from its own index', () => {
    expect(plan_(runCountSql({}), {})).toEqual([expect.stringMatching(/^SCAN runs USING COVERING INDEX /)]);
    expect(plan_(runCountSql({ installation: 'prod' }), { installation: 'prod' })).toEqual([
      'SEARCH runs USING COVERING INDEX runs_by_installation (installation=?)',
    ]);
  });

  it('finds one installation’s runs by its index', () => {
    const steps = plan_(runListSql({ installation: 'prod' }), { installation: 'prod' });
    expect(steps[0]).toBe('SEARCH runs USING INDEX runs_by_installation (installation=?)');
  });
});
