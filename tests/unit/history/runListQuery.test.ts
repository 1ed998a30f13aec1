// The targeted run queries on real SQLite: the runs of an installation since a time (what a
// rollback or a discard checks instead of the whole history), the run a kept schema's tag
// names, and that both read by the runs_by_installation index.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listParams, runListSql } from '../../../src/main/core/history/runListQuery';
import { RunStore } from '../../../src/main/core/history/runStore';
import { planRestore } from '../../../src/main/core/restore/planRestore';
import { runTag } from '../../../src/main/core/restore/sideBySideNames';
import { openStore, type Store } from '../../../src/main/core/store/database';
import { InstallationSchema } from '../../../src/shared/profiles';

let dir: string;
let store: Store;
let runs: RunStore;
const planOf = (name: string) =>
  planRestore(
    InstallationSchema.parse({
      name,
      servers: [
        { name: 'mls', role: 'master', db: { host: 'h', database: 'd', user: 'cm_master' } },
        { name: 'rls1', role: 'replica', db: { host: 'h', database: 'd', user: 'cm_rls1' } },
      ],
    }),
    { replicas: [], backupDir: '/b' },
  );

/** A finished run of the installation, started at `at`. */
function runAt(installation: string, at: string): string {
  const runId = runs.create(planOf(installation));
  runs.finish(runId, 'succeeded', null);
  store.db.prepare('UPDATE runs SET created_at = ? WHERE id = ?').run(at, runId);
  return runId;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rd-run-query-'));
  store = openStore(join(dir, 'db.sqlite'));
  runs = new RunStore(store.db);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('RunListQuery', () => {
  it('lists the runs of an installation started at or after a time, newest first, by its index', () => {
    const a1 = runAt('prod', '2026-01-01T00:00:00.000Z');
    const a2 = runAt('prod', '2026-02-01T00:00:00.000Z');
    const a3 = runAt('prod', '2026-03-01T00:00:00.000Z');
    runAt('test', '2026-04-01T00:00:00.000Z');
    expect(runs.list({ installation: 'prod', since: '2026-02-01T00:00:00.000Z' }).map((r) => r.runId)).toEqual([a3, a2]);
    expect(runs.count({ installation: 'prod', since: '2026-02-01T00:00:00.000Z' })).toBe(2);
    expect(runs.list({ installation: 'prod' }).map((r) => r.runId)).toEqual([a3, a2, a1]);
    const filter = { installation: 'prod', since: '2026-02-01T00:00:00.000Z' };
    const plan = store.db.prepare(`EXPLAIN QUERY PLAN ${runListSql(filter)}`).all(listParams(filter)) as Array<{ detail: string }>;
    expect(plan[0]!.detail).toBe('SEARCH runs USING INDEX runs_by_installation (installation=? AND created_at>?)');
  });

  it('finds the run whose tag a kept schema carries, among that installation’s runs only', () => {
    const older = runAt('prod', '2026-01-01T00:00:00.000Z');
    const newer = runAt('prod', '2026-02-01T00:00:00.000Z');
    const other = runAt('test', '2026-03-01T00:00:00.000Z');
    expect(runs.query.runIdByTag('prod', runTag(older), runTag)).toBe(older);
    expect(runs.query.runIdByTag('prod', runTag(newer), runTag)).toBe(newer);
    expect(runs.query.runIdByTag('prod', runTag(other), runTag)).toBeUndefined();
    expect(runs.query.runIdByTag('prod', 'deadbeef', runTag)).toBeUndefined();
  });

  it('leaves the steps out when asked, and keeps them otherwise', () => {
    const runId = runAt('prod', '2026-01-01T00:00:00.000Z');
    expect(runs.list({}, { steps: false })[0]!.steps).toEqual([]);
    expect(runs.list()[0]!.steps.map((s) => s.seq)).toEqual(runs.get(runId)!.steps.map((s) => s.seq));
    expect(runs.list()[0]!.steps.length).toBeGreaterThan(0);
  });
});
