// The Markdown report of a run says, per database, whether its connection was encrypted.
import { describe, expect, it } from 'vitest';
import { formatRunReport } from '../../../src/main/core/history/runReport';
import type { RunRecord } from '../../../src/shared/runRecord';

const run = (over: Partial<RunRecord>): RunRecord => ({
  runId: 'r1',
  installation: 'prod-eu',
  sandbox: false,
  status: 'succeeded',
  interrupted: false,
  resumable: false,
  createdAt: '2026-03-10T12:00:00.000Z',
  finishedAt: '2026-03-10T12:10:00.000Z',
  message: null,
  backup: null,
  mode: 'in-place',
  kind: 'restore',
  rollbackOf: null,
  changelog: null,
  replicas: [],
  steps: [],
  compensation: [],
  preflight: null,
  dump: null,
  ...over,
});

describe('formatRunReport', () => {
  it('lists each database connection as TLS or not encrypted', () => {
    const { text } = formatRunReport(run({ connections: { 'prod-eu/mls': { tls: false }, 'prod-eu/rls1': { tls: true, protocol: 'TLSv1.3' } } }), 'markdown');
    expect(text).toContain('## Database connections\n\n- prod-eu/mls: not encrypted\n- prod-eu/rls1: TLS (TLSv1.3)\n');
    expect(formatRunReport(run({}), 'markdown').text).not.toContain('## Database connections');
  });
});
