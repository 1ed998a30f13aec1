// The pure half of the topology: lag with 64-bit sequence numbers, each replica's last
// restore, and every flag, on plain probe objects.
import { describe, expect, it } from 'vitest';
import {
  deriveFlags,
  lagOf,
  lastRestoreByReplica,
  replicaPosition,
  withDerivedFields,
  type RestoreHistoryEntry,
} from '../../../src/main/core/topology/deriveTopology';
import type { DatabaseProbe, ServerProbe, TopologyFlag } from '../../../src/shared/topology';

const CLUSTER_A = { systemIdentifier: '7301234567890123456', database: 'coremedia' };
const CLUSTER_B = { systemIdentifier: '7309876543210987654', database: 'coremedia' };

function probe(name: string, role: 'master' | 'replica', db: Partial<DatabaseProbe> = {}, schema = `cm_${name}`): ServerProbe {
  return {
    name,
    ref: `prod/${name}`,
    role,
    connection: { host: '127.0.0.1', port: 5432, database: 'coremedia', user: schema, schema, sslmode: 'disable' },
    database: {
      reachable: true,
      error: null,
      serverVersion: '15.4',
      serverVersionNum: 150004,
      cluster: CLUSTER_A,
      serverType: role === 'master' ? 'publication' : 'live',
      serverTypeRows: [role === 'master' ? 'publication' : 'live'],
      replicator: { remote: [], local: [], tag: [] },
      changelogHead: null,
      elapsedMs: 3,
      ...db,
    },
    process: { state: 'not-configured', exitCode: null, error: null, elapsedMs: null },
    position: null,
    lag: null,
    lastRestore: null,
    elapsedMs: 3,
  };
}

const head = (sequenceNo: string) => ({ sequenceNo, idTag: 'tag-head', lastNonLocal: { sequenceNo, idTag: 'tag-head' }, newestIsLocal: false });
const at = (seq: string, count = 1) => ({ remote: Array(count).fill(seq), local: Array(count).fill(seq), tag: Array(count).fill('tag') });
const master = (sequenceNo = '9007199254740999', db: Partial<DatabaseProbe> = {}) =>
  probe('mls', 'master', { changelogHead: head(sequenceNo), ...db });

/** Probes as probeTopology hands them to deriveFlags: position and lag filled in. */
const derive = (servers: ServerProbe[]): { servers: ServerProbe[]; flags: TopologyFlag[] } => {
  const derived = withDerivedFields(servers, new Map());
  return { servers: derived, flags: deriveFlags(derived) };
};
const codes = (flags: TopologyFlag[]) => flags.map((f) => f.code);

describe('lag', () => {
  it('subtracts 64-bit sequence numbers exactly, as decimal text', () => {
    // 2^53 + 1 and 2^53: equal as JavaScript numbers.
    expect(lagOf('9007199254740993', '9007199254740992')).toBe('1');
    expect(lagOf('9223372036854775807', '9223372036854775000')).toBe('807');
    expect(lagOf('9223372036854775807', '1')).toBe('9223372036854775806');
    expect(lagOf('100', '100')).toBe('0');
    expect(lagOf('100', '103')).toBe('-3');
  });

  it('is unknown without a head or a numeric position', () => {
    expect(lagOf(null, '5')).toBeNull();
    expect(lagOf('10', null)).toBeNull();
    expect(lagOf('10', 'abc')).toBeNull();
    expect(lagOf('ten', '5')).toBeNull();
  });

  it('takes the position from replicator_remote when its rows agree on one number', () => {
    expect(replicaPosition(probe('r', 'replica', { replicator: at(' 0009007199254740993 ') }))).toBe('9007199254740993');
    expect(replicaPosition(probe('r', 'replica', { replicator: at('42', 2) }))).toBe('42');
    expect(replicaPosition(probe('r', 'replica', { replicator: { remote: ['41', '42'], local: [], tag: [] } }))).toBeNull();
    expect(replicaPosition(probe('r', 'replica', { replicator: at('not-a-number') }))).toBeNull();
    expect(replicaPosition(probe('r', 'replica', { replicator: null }))).toBeNull();
    expect(replicaPosition(probe('m', 'master', { replicator: at('42') }))).toBeNull();
  });

  it('fills each replica with its position and lag behind the master head', () => {
    const { servers, flags } = derive([
      master('9007199254740999'),
      probe('behind', 'replica', { replicator: at('9007199254740993') }),
      probe('level', 'replica', { replicator: at('9007199254740999') }),
    ]);
    expect(servers.map((s) => [s.name, s.position, s.lag])).toEqual([
      ['mls', null, null],
      ['behind', '9007199254740993', '6'],
      ['level', '9007199254740999', '0'],
    ]);
    expect(flags).toEqual([]);
  });

  it('leaves the lag unknown when the master could not be reached', () => {
    const { servers } = derive([
      master('1', { reachable: false, changelogHead: null, error: { code: 'unreachable-host', message: 'down', hint: 'h' } }),
      probe('r', 'replica', { replicator: at('5') }),
    ]);
    expect(servers[1]).toMatchObject({ position: '5', lag: null });
  });
});

describe('flags', () => {
  it('flags an unreachable server with the classified error as message and hint', () => {
    const down = probe('rls1', 'replica', {
      reachable: false,
      replicator: null,
      serverTypeRows: [],
      cluster: null,
      error: { code: 'unreachable-host', message: 'Cannot reach PostgreSQL at 127.0.0.1:1/x: refused.', hint: 'Check db.host and db.port.' },
    });
    const { flags } = derive([master(), down]);
    expect(flags).toEqual([
      { code: 'unreachable', severity: 'error', servers: ['rls1'], message: 'prod/rls1: Cannot reach PostgreSQL at 127.0.0.1:1/x: refused.', hint: 'Check db.host and db.port.' },
    ]);
  });

  it('flags a reachable server whose repository could not be read', () => {
    const foreign = probe('rls1', 'replica', { replicator: null, serverTypeRows: [], error: { code: 'not-a-content-server', message: 'no system table', hint: 'Check the schema.' } });
    expect(derive([master(), foreign]).flags).toMatchObject([{ code: 'probe-failed', servers: ['rls1'], hint: 'Check the schema.' }]);
  });

  it('flags a master that is not publication, also when the row is missing', () => {
    const live = derive([master('10', { serverType: 'live', serverTypeRows: ['live'] })]).flags;
    expect(live).toMatchObject([{ code: 'master-not-publication', severity: 'error', servers: ['mls'] }]);
    expect(live[0]!.message).toContain("'live'");
    const missing = derive([master('10', { serverType: null, serverTypeRows: [] })]).flags;
    expect(missing).toMatchObject([{ code: 'master-not-publication' }]);
    expect(missing[0]!.message).toContain('no repository_server_type row');
  });

  it('flags a replica whose type is publication', () => {
    const flags = derive([master(), probe('rls1', 'replica', { serverType: 'publication', serverTypeRows: ['publication'], replicator: at('5') })]).flags;
    expect(flags).toMatchObject([{ code: 'replica-is-publication', severity: 'error', servers: ['rls1'] }]);
    expect(flags[0]!.hint).toContain("content='live'");
  });

  it('flags duplicate replicator rows, naming each repeated property', () => {
    const flags = derive([master('100'), probe('rls3', 'replica', { replicator: { remote: ['90', '95'], local: ['90'], tag: ['a', 'a'] } })]).flags;
    expect(codes(flags)).toEqual(['duplicate-replicator-rows']);
    expect(flags[0]!.message).toContain("replicator_remote ×2 ('90', '95')");
    expect(flags[0]!.message).toContain('replicator_tag ×2');
    expect(flags[0]!.message).not.toContain('replicator_local');
  });

  it('flags repeated repository_server_type rows: a warning when they agree, an error when not', () => {
    const agree = derive([master('1', { serverTypeRows: ['publication', 'publication'] })]).flags;
    expect(agree).toMatchObject([{ code: 'duplicate-server-type-rows', severity: 'warning' }]);
    const disagree = derive([master(), probe('r', 'replica', { serverType: null, serverTypeRows: ['live', 'publication'], replicator: at('1') })]).flags;
    expect(codes(disagree)).toEqual(['replica-is-publication', 'duplicate-server-type-rows']);
    expect(disagree[1]!.severity).toBe('error');
  });

  it('flags a replica ahead of its master, with 64-bit values', () => {
    const flags = derive([master('9007199254740993'), probe('rls2', 'replica', { replicator: at('9007199254740996') })]).flags;
    expect(flags).toMatchObject([{ code: 'replica-ahead-of-master', severity: 'error', servers: ['rls2'] }]);
    expect(flags[0]!.message).toContain('3 events beyond');
  });

  it('warns about a replica without replicator_remote', () => {
    expect(derive([master(), probe('r', 'replica')]).flags).toMatchObject([{ code: 'no-replicator-position', severity: 'warning' }]);
  });

  it('flags two replicas that reach one schema by cluster identity, whatever their host names', () => {
    const a = probe('rls1', 'replica', { replicator: at('5') }, 'cm_shared');
    const b = { ...probe('rls2', 'replica', { replicator: at('5') }, 'cm_shared') };
    b.connection = { ...b.connection, host: 'localhost' };
    const flags = derive([master(), a, b]).flags;
    expect(flags).toMatchObject([{ code: 'shared-schema', severity: 'error', servers: ['rls1', 'rls2'] }]);
    expect(flags[0]!.message).toContain('"cm_shared"');
  });

  it("flags a replica that reaches the master's own schema", () => {
    const flags = derive([master(), probe('rls1', 'replica', { replicator: at('5') }, 'cm_mls')]).flags;
    expect(flags).toMatchObject([{ code: 'shared-schema', servers: ['mls', 'rls1'] }]);
    expect(flags[0]!.hint).toContain("drop the master's schema");
  });

  it('does not flag one schema name in different clusters, databases or schemas', () => {
    const other = probe('rls1', 'replica', { replicator: at('5'), cluster: CLUSTER_B }, 'cm_shared');
    const otherDb = probe('rls2', 'replica', { replicator: at('5'), cluster: { ...CLUSTER_A, database: 'cm_rls2' } }, 'cm_shared');
    const same = probe('rls3', 'replica', { replicator: at('5') }, 'cm_shared');
    const unknown = probe('rls4', 'replica', { replicator: at('5'), cluster: null }, 'cm_shared');
    expect(derive([master(), other, otherDb, same, unknown]).flags).toEqual([]);
  });
});

describe('last restore', () => {
  const run = (runId: string, createdAt: string, replicas: RestoreHistoryEntry['replicas'], extra: Partial<RestoreHistoryEntry> = {}): RestoreHistoryEntry => ({
    runId,
    createdAt,
    finishedAt: `${createdAt.slice(0, 11)}23:59:59.000Z`,
    interrupted: false,
    replicas,
    steps: [],
    ...extra,
  });

  it("takes each replica's newest attempt, with its own outcome and finish time", () => {
    const runs = [
      run('old', '2026-01-01T10:00:00.000Z', [{ replica: 'rls1', status: 'succeeded', message: null }, { replica: 'rls2', status: 'succeeded', message: null }]),
      run('new', '2026-02-01T10:00:00.000Z', [{ replica: 'rls1', status: 'failed', message: 'restore failed' }], {
        steps: [
          { replica: 'rls1', finishedAt: '2026-02-01T10:05:00.000Z' },
          { replica: 'rls1', finishedAt: '2026-02-01T10:07:00.000Z' },
          { replica: null, finishedAt: '2026-02-01T10:09:00.000Z' },
        ],
      }),
    ];
    const found = lastRestoreByReplica(runs);
    expect(found.get('rls1')).toEqual({ runId: 'new', status: 'failed', startedAt: '2026-02-01T10:00:00.000Z', finishedAt: '2026-02-01T10:07:00.000Z', message: 'restore failed', rollback: null });
    expect(found.get('rls2')).toMatchObject({ runId: 'old', status: 'succeeded', finishedAt: '2026-01-01T23:59:59.000Z' });
  });

  it('never takes a rollback run for a restore: the newest restore, with the newest rollback since', () => {
    const rollback = (id: string, at: string, of: string, status: 'succeeded' | 'failed') => ({ ...run(id, at, [{ replica: 'rls1', status, message: null }]), planSummary: { kind: 'rollback' as const, rollbackOf: of } });
    const runs = [
      run('r1', '2026-01-01T10:00:00.000Z', [{ replica: 'rls1', status: 'succeeded', message: null }, { replica: 'rls2', status: 'succeeded', message: null }]),
      rollback('b1', '2026-01-02T10:00:00.000Z', 'r1', 'failed'),
      rollback('b2', '2026-01-03T10:00:00.000Z', 'r1', 'succeeded'),
    ];
    const found = lastRestoreByReplica(runs);
    expect(found.get('rls1')).toMatchObject({ runId: 'r1', status: 'succeeded', rollback: { runId: 'b2', rollbackOf: 'r1', status: 'succeeded', startedAt: '2026-01-03T10:00:00.000Z' } });
    expect(found.get('rls2')).toMatchObject({ runId: 'r1', rollback: null });
    // A restore after the rollback is the last restore again, with no rollback since.
    const later = lastRestoreByReplica([...runs, run('r2', '2026-01-04T10:00:00.000Z', [{ replica: 'rls1', status: 'succeeded', message: null }])]);
    expect(later.get('rls1')).toMatchObject({ runId: 'r2', rollback: null });
    // Only rollbacks in the history (the restore is older than it reaches): no last restore.
    expect(lastRestoreByReplica([rollback('b3', '2026-01-05T10:00:00.000Z', 'r0', 'succeeded')]).get('rls1')).toBeUndefined();
  });

  it('shows a run whose process is gone as interrupted, unfinished', () => {
    const found = lastRestoreByReplica([run('r', '2026-03-01T10:00:00.000Z', [{ replica: 'RLS1', status: 'running', message: null }], { interrupted: true, finishedAt: null })]);
    expect(found.get('rls1')).toMatchObject({ status: 'interrupted', finishedAt: null });
  });

  it('attaches it to the replica by name, ignoring case, and never to the master', () => {
    const lastRestores = lastRestoreByReplica([run('r1', '2026-03-01T10:00:00.000Z', [{ replica: 'RLS1', status: 'succeeded', message: null }])]);
    const servers = withDerivedFields([master(), probe('rls1', 'replica', { replicator: at('5') })], lastRestores);
    expect(servers[0]!.lastRestore).toBeNull();
    expect(servers[1]!.lastRestore).toMatchObject({ runId: 'r1', status: 'succeeded' });
  });
});
