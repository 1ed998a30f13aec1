import { describe, expect, it } from 'vitest';
import { countOutcomes, filterChoices, filterRuns, hasFilters, NO_FILTERS } from '../../../src/renderer/src/history/runFilters';
import { replicaNames, summarizeRun } from '../../../src/renderer/src/history/runSummary';
import { localDateKey } from '../../../src/renderer/src/history/timeFormat';
import { runRecord, step } from './runRecordFixture';

// Local noon, so the local calendar day is the same whatever the machine's time zone.
const at = (y: number, m: number, d: number) => new Date(y, m - 1, d, 12, 0).toISOString();
const rls = (installation: string, ...names: string[]) => names.map((n) => ({ replica: `${installation}/${n}`, status: 'succeeded', message: null, changelog: null, verification: null, downtimeMs: null, keptSchema: null, kept: null, rolledBack: null, steps: [] }));

const runs = [
  runRecord({ runId: 'r-ok-eu', installation: 'prod-eu', createdAt: at(2026, 1, 5), finishedAt: new Date(Date.parse(at(2026, 1, 5)) + 600_000).toISOString(), replicas: rls('prod-eu', 'rls1', 'rls2') }),
  runRecord({
    runId: 'r-fail-eu',
    installation: 'prod-eu',
    status: 'failed',
    resumable: true,
    createdAt: at(2026, 2, 1),
    message: 'Replica still connected: 2 sessions of cm_rls2',
    replicas: rls('prod-eu', 'rls2'),
  }),
  runRecord({
    runId: 'r-cancel-us',
    installation: 'prod-us',
    status: 'cancelled',
    createdAt: at(2026, 2, 20),
    finishedAt: null,
    replicas: rls('prod-us', 'rls1'),
    steps: [step(3, 'prod-us/rls1', 'cancelled', at(2026, 2, 20), at(2026, 2, 20), { message: 'pg_restore stopped by the admin' })],
  }),
  runRecord({ runId: 'r-interrupted-us', installation: 'prod-us', status: 'running', interrupted: true, resumable: true, createdAt: at(2026, 3, 1), finishedAt: null, replicas: rls('prod-us', 'rls1') }),
].map(summarizeRun);

const ids = (filters: Partial<typeof NO_FILTERS>) => filterRuns(runs, { ...NO_FILTERS, ...filters }).map((r) => r.runId);

describe('run summaries', () => {
  it('turns a run record into what a list row shows', () => {
    const [ok, failed, cancelled, interrupted] = runs;
    expect(ok).toMatchObject({ outcome: 'succeeded', durationMs: 600_000, day: '2026-01-05', replicas: ['prod-eu/rls1', 'prod-eu/rls2'] });
    expect(replicaNames(ok!)).toBe('rls1, rls2');
    expect(failed).toMatchObject({ outcome: 'failed', resumable: true, message: 'Replica still connected: 2 sessions of cm_rls2' });
    // Without a run message, the step that stopped it speaks.
    expect(cancelled).toMatchObject({ outcome: 'cancelled', durationMs: null, message: 'pg_restore stopped by the admin' });
    expect(interrupted!.outcome).toBe('interrupted');
  });
});

describe('run filters', () => {
  it('keeps everything without filters', () => {
    expect(ids({})).toEqual(['r-ok-eu', 'r-fail-eu', 'r-cancel-us', 'r-interrupted-us']);
    expect(hasFilters(NO_FILTERS)).toBe(false);
    expect(hasFilters({ ...NO_FILTERS, text: ' x ' })).toBe(true);
  });

  it('filters by installation, replica and outcome, ignoring case', () => {
    expect(ids({ installation: 'PROD-US' })).toEqual(['r-cancel-us', 'r-interrupted-us']);
    expect(ids({ replica: 'prod-eu/rls2' })).toEqual(['r-ok-eu', 'r-fail-eu']);
    expect(ids({ replica: 'prod-eu/rls1', outcome: 'failed' })).toEqual([]);
    expect(ids({ outcome: 'interrupted' })).toEqual(['r-interrupted-us']);
  });

  it('filters by local day, both bounds inclusive, a reversed range read the right way round', () => {
    expect(ids({ from: '2026-02-01' })).toEqual(['r-fail-eu', 'r-cancel-us', 'r-interrupted-us']);
    expect(ids({ to: '2026-02-01' })).toEqual(['r-ok-eu', 'r-fail-eu']);
    expect(ids({ from: '2026-02-01', to: '2026-02-20' })).toEqual(['r-fail-eu', 'r-cancel-us']);
    expect(ids({ from: '2026-02-20', to: '2026-02-01' })).toEqual(['r-fail-eu', 'r-cancel-us']);
  });

  it('searches run ids, installations, replicas and messages; every word must match', () => {
    expect(ids({ text: 'r-cancel' })).toEqual(['r-cancel-us']);
    expect(ids({ text: 'SESSIONS' })).toEqual(['r-fail-eu']);
    expect(ids({ text: 'pg_restore' })).toEqual(['r-cancel-us']);
    expect(ids({ text: 'prod-us/rls1' })).toEqual(['r-cancel-us', 'r-interrupted-us']);
    expect(ids({ text: 'prod-eu connected' })).toEqual(['r-fail-eu']);
    expect(ids({ text: 'prod-eu nothing-like-this' })).toEqual([]);
  });

  it('offers the installations and replicas the history has, narrowed to the chosen installation', () => {
    expect(filterChoices(runs, '', ['staging'])).toEqual({ installations: ['prod-eu', 'prod-us', 'staging'], replicas: ['prod-eu/rls1', 'prod-eu/rls2', 'prod-us/rls1'] });
    expect(filterChoices(runs, 'prod-us').replicas).toEqual(['prod-us/rls1']);
  });

  it('counts outcomes', () => {
    expect(countOutcomes(runs)).toEqual({ succeeded: 1, failed: 1, cancelled: 1, running: 0, interrupted: 1 });
  });

  it('combines filters and search over 10,000 runs', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => ({ ...runs[i % runs.length]!, runId: `run-${i}`, searchText: `run-${i}\n${runs[i % runs.length]!.searchText}` }));
    const found = filterRuns(many, { ...NO_FILTERS, installation: 'prod-eu', text: 'run-99' });
    const expected = many.filter((r) => r.installation === 'prod-eu' && r.runId.includes('run-99'));
    expect(found.map((r) => r.runId)).toEqual(expected.map((r) => r.runId));
    // Every fourth run from 0 and 1 is prod-eu: 992, 993, 996, 997 and half of 9900…9999.
    expect(found.length).toBe(54);
  });
});

describe('local days', () => {
  it('formats the calendar day as <input type="date"> does', () => {
    expect(localDateKey(new Date(2026, 0, 5, 23, 59))).toBe('2026-01-05');
  });
});
