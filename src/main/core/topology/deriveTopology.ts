// From what each server said to what the admin must see: every replica's position and lag
// against the master's changelog head, its last restore, and the inconsistencies that make
// a replica unsafe to trust. Pure: no I/O, so every rule is tested on plain objects.
import type { LastRestore, LastRollback, ServerProbe, TopologyFlag } from '../../../shared/topology';
import { sameSchema, type SchemaIdentity } from '../postgres/clusterIdentity';

const INTEGER = /^-?\d+$/;

/** `replicator_remote` when its rows agree on one integer; null when missing, conflicting or not a number. */
export function replicaPosition(probe: Pick<ServerProbe, 'role' | 'database'>): string | null {
  if (probe.role !== 'replica') return null;
  const values = [...new Set((probe.database.replicator?.remote ?? []).map((v) => v.trim()))];
  return values.length === 1 && INTEGER.test(values[0]!) ? BigInt(values[0]!).toString() : null;
}

/** head − position as decimal text; negative when the replica is ahead; null when either is unknown. */
export function lagOf(masterHead: string | null | undefined, position: string | null): string | null {
  if (!masterHead || !INTEGER.test(masterHead) || position === null || !INTEGER.test(position)) return null;
  return (BigInt(masterHead) - BigInt(position)).toString();
}

/** The run fields the last-restore lookup reads; a RunStore RunRow has them. */
export interface RestoreHistoryEntry {
  runId: string;
  createdAt: string;
  finishedAt: string | null;
  interrupted: boolean;
  /** A rollback run (`kind: 'rollback'`) is shown as such, never as a restore. */
  planSummary?: { kind?: 'restore' | 'rollback'; rollbackOf?: string };
  replicas: Array<{ replica: string; status: LastRestore['status']; message: string | null }>;
  steps: Array<{ replica: string | null; finishedAt: string | null }>;
}

/**
 * Each replica's newest restore attempt, keyed by lower-case server name, with its newest
 * rollback attempt since (if any). `runs` may come in any order.
 */
export function lastRestoreByReplica(runs: readonly RestoreHistoryEntry[]): Map<string, LastRestore> {
  const newestFirst = [...runs].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  const found = new Map<string, LastRestore>();
  const rollbacks = new Map<string, LastRollback>();
  for (const run of newestFirst) {
    const isRollback = run.planSummary?.kind === 'rollback';
    for (const r of run.replicas) {
      const key = r.replica.toLowerCase();
      if (found.has(key)) continue;
      const attempt = attemptOf(run, r, key);
      if (!isRollback) found.set(key, { ...attempt, rollback: rollbacks.get(key) ?? null });
      else if (!rollbacks.has(key)) rollbacks.set(key, { ...attempt, rollbackOf: run.planSummary?.rollbackOf ?? null });
    }
  }
  return found;
}

function attemptOf(run: RestoreHistoryEntry, r: RestoreHistoryEntry['replicas'][number], key: string): Omit<LastRestore, 'rollback'> {
  // A run that went on to other replicas finished later than this replica did.
  const replicaFinished = run.steps
    .filter((s) => s.replica !== null && s.replica.toLowerCase() === key && s.finishedAt)
    .map((s) => s.finishedAt as string)
    .sort()
    .at(-1);
  const settled = r.status !== 'pending' && r.status !== 'running';
  return {
    runId: run.runId,
    status: run.interrupted && r.status === 'running' ? 'interrupted' : r.status,
    startedAt: run.createdAt,
    finishedAt: settled ? (replicaFinished ?? run.finishedAt) : null,
    message: r.message,
  };
}

const quoteList = (values: string[]): string => values.map((v) => `'${v}'`).join(', ');

function reachabilityFlags(s: ServerProbe): TopologyFlag[] {
  const error = s.database.error;
  if (!s.database.reachable) {
    return [
      {
        code: 'unreachable',
        severity: 'error',
        servers: [s.name],
        message: `${s.ref}: ${error?.message ?? 'the database could not be reached.'}`,
        hint: error?.hint ?? 'Check the connection settings in the profile and that PostgreSQL runs there.',
      },
    ];
  }
  if (!error) return [];
  return [{ code: 'probe-failed', severity: 'error', servers: [s.name], message: `${s.ref}: ${error.message}`, hint: error.hint }];
}

function serverTypeFlags(s: ServerProbe): TopologyFlag[] {
  // replicator is set once the system table was read; before that nothing is known.
  if (!s.database.replicator) return [];
  const rows = s.database.serverTypeRows;
  const flags: TopologyFlag[] = [];
  if (s.role === 'master' && (rows.length === 0 || rows.some((r) => r !== 'publication'))) {
    const found = rows.length === 0 ? 'has no repository_server_type row' : `has repository_server_type ${quoteList(rows)}`;
    flags.push({
      code: 'master-not-publication',
      severity: 'error',
      servers: [s.name],
      message: `The master ${s.ref} ${found}; a Master Live Server's is 'publication'.`,
      hint: "Check the master's db settings in the profile: they may point at a replica's schema. A replica restored from this schema would inherit the wrong state.",
    });
  }
  if (s.role === 'replica' && rows.includes('publication')) {
    flags.push({
      code: 'replica-is-publication',
      severity: 'error',
      servers: [s.name],
      message: `The replica ${s.ref} has repository_server_type 'publication', as only a Master Live Server has.`,
      hint:
        "A restore from a master backup that skipped step 11 leaves this. Restore the replica again with `replica-desk restore INSTALLATION --replica NAME`, or, with the replica stopped, run UPDATE system SET content='live' WHERE property='repository_server_type' AND content='publication'. If the server really is a master, fix its role in the profile.",
    });
  }
  if (rows.length > 1) {
    const disagree = new Set(rows).size > 1;
    flags.push({
      code: 'duplicate-server-type-rows',
      severity: disagree ? 'error' : 'warning',
      servers: [s.name],
      message: `${s.ref} has ${rows.length} repository_server_type rows: ${quoteList(rows)}.`,
      hint: 'A content server has exactly one repository_server_type row. With the server stopped, keep the right one and delete the others.',
    });
  }
  return flags;
}

function replicatorFlags(s: ServerProbe, masterHead: string | null): TopologyFlag[] {
  const replicator = s.database.replicator;
  if (!replicator) return [];
  const flags: TopologyFlag[] = [];
  const repeated = (['remote', 'local', 'tag'] as const).filter((p) => replicator[p].length > 1);
  if (repeated.length > 0) {
    flags.push({
      code: 'duplicate-replicator-rows',
      severity: 'error',
      servers: [s.name],
      message: `${s.ref} has duplicate replicator rows: ${repeated.map((p) => `replicator_${p} ×${replicator[p].length} (${quoteList(replicator[p])})`).join(', ')}.`,
      hint: 'The replicator reads one row per property, so its position is ambiguous. Restore the replica again (the restore upserts these rows and checks that one of each remains), or, with it stopped, keep one row per property and delete the rest.',
    });
  }
  if (s.role !== 'replica') return flags;
  if (replicator.remote.length === 0) {
    flags.push({
      code: 'no-replicator-position',
      severity: 'warning',
      servers: [s.name],
      message: `The replica ${s.ref} has no replicator_remote row, so its position and lag are unknown.`,
      hint: 'A replica restored from a master backup gets replicator_remote, replicator_local and replicator_tag (steps 8–9). Restore it with `replica-desk restore INSTALLATION --replica NAME` if it does not replicate.',
    });
  }
  const lag = lagOf(masterHead, s.position);
  if (lag !== null && BigInt(lag) < 0n) {
    flags.push({
      code: 'replica-ahead-of-master',
      severity: 'error',
      servers: [s.name],
      message: `The replica ${s.ref} is at ${s.position}, ${(-BigInt(lag)).toString()} events beyond the master's changelog head ${masterHead}.`,
      hint: 'The replica has seen events the master does not have: the master was recovered from an older backup, or the replica was restored from another master. Restore the replica from a current backup of its master.',
    });
  }
  return flags;
}

function schemaIdentityOf(s: ServerProbe): SchemaIdentity | null {
  const cluster = s.database.cluster;
  return cluster ? { systemIdentifier: cluster.systemIdentifier, database: cluster.database, schema: s.connection.schema } : null;
}

/** Groups of two or more servers (the master included) that reach one schema. */
function sharedSchemaFlags(servers: readonly ServerProbe[]): TopologyFlag[] {
  const groups: Array<{ identity: SchemaIdentity; members: ServerProbe[] }> = [];
  for (const s of servers) {
    const identity = schemaIdentityOf(s);
    if (!identity) continue;
    const group = groups.find((g) => sameSchema(g.identity, identity));
    if (group) group.members.push(s);
    else groups.push({ identity, members: [s] });
  }
  return groups
    .filter((g) => g.members.length > 1)
    .map(({ identity, members }) => {
      const withMaster = members.some((m) => m.role === 'master');
      const names = members.map((m) => m.ref).join(' and ');
      return {
        code: 'shared-schema' as const,
        severity: 'error' as const,
        servers: members.map((m) => m.name),
        message:
          `${names} reach the same schema "${identity.schema}" in database "${identity.database}" of one PostgreSQL cluster (system identifier ${identity.systemIdentifier})` +
          (withMaster ? ', the master\'s own.' : '.'),
        hint: withMaster
          ? "A restore of that replica would drop the master's schema. Correct the replica's db.host, db.port, db.database or db.schema in the profile."
          : 'Each content server needs its own schema; restoring one would overwrite the other. Correct db.host, db.port, db.database or db.schema in the profile.',
      };
    });
}

/** Every flag for an installation's probes; `servers` holds the master first. */
export function deriveFlags(servers: readonly ServerProbe[]): TopologyFlag[] {
  const master = servers.find((s) => s.role === 'master');
  const masterHead = master?.database.changelogHead?.sequenceNo ?? null;
  return [
    ...servers.flatMap(reachabilityFlags),
    ...servers.flatMap(serverTypeFlags),
    ...servers.flatMap((s) => replicatorFlags(s, masterHead)),
    ...sharedSchemaFlags(servers),
  ];
}

/** Fills in each replica's position, lag and last restore from the master's head and the history. */
export function withDerivedFields(servers: readonly ServerProbe[], lastRestores: ReadonlyMap<string, LastRestore>): ServerProbe[] {
  const masterHead = servers.find((s) => s.role === 'master')?.database.changelogHead?.sequenceNo ?? null;
  return servers.map((s) => {
    if (s.role !== 'replica') return { ...s, position: null, lag: null, lastRestore: null };
    const position = replicaPosition(s);
    return { ...s, position, lag: lagOf(masterHead, position), lastRestore: lastRestores.get(s.name.toLowerCase()) ?? null };
  });
}
