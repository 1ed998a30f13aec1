import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunConflictError, RunStore } from '../../../src/main/core/history/runStore';
import { listParams, runCountSql, runListSql } from '../../../src/main/core/history/runListQuery';
import { toRunRecord } from '../../../src/main/core/history/runRecord';
import { planRestore } from '../../../src/main/core/restore/planRestore';
import { Secret } from '../../../src/main/core/secrets/secret';
import { openStore, schemaVersion, type Store } from '../../../src/main/core/store/database';
import { LATEST_SCHEMA_VERSION, migrations } from '../../../src/main/core/store/migrations';
import { InstallationSchema } from '../../../src/shared/profiles';

let dir: string;
let store: Store;
let runs: RunStore;
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

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rd-runs-'));
  store = openStore(join(dir, 'db.sqlite'));
  runs = new RunStore(store.db);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('RunStore', () => {
  it('records a run with all steps pending, then step transitions with timestamps', () => {
    const runId = runs.create(plan, { note: 1 });
    let run = runs.get(runId)!;
    expect(run.status).toBe('running');
    expect(run.interrupted).toBe(false);
    expect(run.steps.every((s) => s.status === 'pending')).toBe(true);
    runs.setStep(runId, 1, 'running');
    runs.setStep(runId, 1, 'done', { message: 'stopped', captured: { a: 1 } });
    run = runs.get(runId)!;
    expect(run.steps[0]).toMatchObject({ status: 'done', message: 'stopped', captured: { a: 1 } });
    expect(run.steps[0]!.startedAt).not.toBeNull();
    expect(run.steps[0]!.finishedAt).not.toBeNull();
    runs.finish(runId, 'failed', 'boom');
    expect(toRunRecord(runs.get(runId)!)).toMatchObject({ status: 'failed', resumable: true, message: 'boom' });
  });

  it('shows the encryption of each database the run connected to, by installation/server', () => {
    const runId = runs.create(plan);
    expect(toRunRecord(runs.get(runId)!).connections).toEqual({});
    runs.capture(runId, { connections: { mls: { tls: false } } });
    runs.capture(runId, { connections: { rls1: { tls: true, protocol: 'TLSv1.3' } } });
    expect(toRunRecord(runs.get(runId)!).connections).toEqual({ 'prod/mls': { tls: false }, 'prod/rls1': { tls: true, protocol: 'TLSv1.3' } });
  });

  it('shows a run whose process died as interrupted and resumable', () => {
    const runId = runs.create(plan);
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    store.db.prepare('UPDATE runs SET owner_pid = ? WHERE id = ?').run(dead, runId);
    const record = toRunRecord(runs.get(runId)!);
    expect(record).toMatchObject({ status: 'running', interrupted: true, resumable: true });
    runs.claim(runId);
    expect(runs.get(runId)!.interrupted).toBe(false);
  });

  it('masks known secrets in messages and the log', () => {
    const secret = new Secret(`pw-${Math.random().toString(36).slice(2)}`);
    const runId = runs.create(plan);
    runs.log(runId, 'error', `psql: password ${secret.reveal()} rejected`);
    runs.setStep(runId, 1, 'failed', { message: `failed with ${secret.reveal()}` });
    expect(runs.logs(runId)[0]!.message).not.toContain(secret.reveal());
    expect(runs.get(runId)!.steps[0]!.message).not.toContain(secret.reveal());
  });

  it('lists runs newest first, filtered by installation', () => {
    const a = runs.create(plan);
    runs.finish(a, 'succeeded', null);
    const b = runs.create(plan);
    store.db.prepare("UPDATE runs SET created_at = '2000-01-01T00:00:00Z' WHERE id = ?").run(a);
    expect(runs.list().map((r) => r.runId)).toEqual([b, a]);
    expect(runs.list({ installation: 'other' })).toEqual([]);
  });

  it('allows one live run per replica: a second is refused naming the first, until the first has finished', () => {
    const first = runs.create(plan);
    expect(() => runs.create(plan)).toThrow(RunConflictError);
    expect(() => runs.create(plan)).toThrow(new RegExp(`Run ${first} \\(pid ${process.pid} on `));
    runs.finish(first, 'failed', 'boom');
    const second = runs.create(plan);
    // The failed first run cannot be claimed for a resume while the second one is live.
    expect(() => runs.claim(first)).toThrow(RunConflictError);
    runs.finish(second, 'succeeded', null);
    runs.claim(first);
    expect(runs.get(first)!.status).toBe('running');
  });

  it('lets a run of a dead process on this host be replaced or resumed, and a claim refuse through its check', () => {
    const dead = runs.create(plan);
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    store.db.prepare('UPDATE runs SET owner_pid = ? WHERE id = ?').run(Number(gone.stdout), dead);
    expect(runs.activeRunsOn('prod', ['rls1'])).toEqual([]);
    expect(() => runs.claim(dead, () => {
      throw new Error('refused by the check');
    })).toThrow('refused by the check');
    expect(runs.get(dead)!.owner.pid).toBe(Number(gone.stdout));
    runs.claim(dead);
    expect(runs.get(dead)!.owner.pid).toBe(process.pid);
  });
});

// Migration 9 and the run list's queries: the index on the start time exists after an upgrade
// from version 8 (runs kept), and SQLite answers the list and its count from it — one pass
// over the run table in order, no sort, and a count that reads no table row at all.
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
    expect(schemaVersion(store.db)).toBe(LATEST_SCHEMA_VERSION);
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
    expect(steps).toEqual(['SCAN runs USING COVERING INDEX runs_list']);
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
