// The report after a restore: is this replica what the procedure promises, and did the
// master come through untouched? Each check reads the databases afresh; a check that
// cannot run fails with the reason instead of aborting the others.
import type { ClientBase } from 'pg';
import { compareCounts, countRows, describeMismatches } from '../postgres/tableCounts';
import { compareSequenceNumbers, readChangelogHead, type ChangelogPosition } from './changelog';
import { resolveRepositoryTables, type RepositoryTables } from './repositoryTables';
import { readReplicaState, type ReplicaState } from './serverType';

export interface VerificationCheck {
  id: 'replicator-settings' | 'server-type' | 'licenses-empty' | 'table-counts' | 'master-head';
  title: string;
  ok: boolean;
  detail: string;
}

export interface VerifyReplicaInput {
  replicaClient: ClientBase;
  replicaSchema: string;
  masterClient: ClientBase;
  masterSchema: string;
  /** The head the fix-ups positioned the replicator at; when given, the replica's head must still be it. */
  expectedHead?: ChangelogPosition | null;
  /** The master's changelog head when the backup was taken; null if it was empty. */
  masterHeadBefore: ChangelogPosition | null;
  /** countRows() of the master schema taken with the backup; without it, today's counts. */
  masterCountsAtDump?: Record<string, string>;
  signal?: AbortSignal;
}

export interface ReplicaVerification {
  ok: boolean;
  checks: VerificationCheck[];
}

const show = (p: ChangelogPosition): string => `${p.sequenceNo} (idtag ${p.idTag})`;
const rows = (values: string[]): string => (values.length === 0 ? 'no row' : values.map((v) => `'${v}'`).join(', '));

async function replicatorCheck(input: VerifyReplicaInput, tables: RepositoryTables, state: ReplicaState): Promise<string | null> {
  const head = await readChangelogHead(input.replicaClient, input.replicaSchema, tables);
  if (!head) return 'the replica changelog is empty';
  const problems: string[] = [];
  const expected = input.expectedHead;
  if (expected && (head.sequenceNo !== expected.sequenceNo || head.idTag !== expected.idTag)) {
    problems.push(`the changelog head is ${show(head)}, not ${show(expected)} as at the fix-ups`);
  }
  const expect: [string, string[], string][] = [
    ['replicator_remote', state.replicator.remote, head.sequenceNo],
    ['replicator_local', state.replicator.local, head.sequenceNo],
    ['replicator_tag', state.replicator.tag, head.idTag],
  ];
  for (const [property, values, wanted] of expect) {
    if (values.length !== 1 || values[0] !== wanted) problems.push(`${property} is ${rows(values)}, expected exactly one row '${wanted}'`);
  }
  return problems.length ? problems.join('; ') : null;
}

async function masterHeadDetail(input: VerifyReplicaInput, masterTables: RepositoryTables): Promise<{ ok: boolean; detail: string }> {
  const now = await readChangelogHead(input.masterClient, input.masterSchema, masterTables);
  const before = input.masterHeadBefore;
  if (!before) return { ok: true, detail: now ? `was empty at the backup; now ${show(now)}` : 'empty, as at the backup' };
  if (!now) return { ok: false, detail: `was ${show(before)} at the backup, and is now empty` };
  const order = compareSequenceNumbers(now.sequenceNo, before.sequenceNo);
  if (order < 0) return { ok: false, detail: `went back from ${show(before)} to ${show(now)}: the master was restored or replaced meanwhile` };
  if (order === 0 && now.idTag !== before.idTag) {
    return { ok: false, detail: `sequence number ${now.sequenceNo} now has idtag ${now.idTag}, was ${before.idTag}: the master was restored or replaced meanwhile` };
  }
  if (order === 0) return { ok: true, detail: `unchanged at ${show(now)}` };
  const grown = BigInt(now.sequenceNo) - BigInt(before.sequenceNo);
  return { ok: true, detail: `grew from ${before.sequenceNo} to ${now.sequenceNo} (+${grown}); the replica catches up once it runs` };
}

async function tableCountsDetail(input: VerifyReplicaInput, tables: RepositoryTables): Promise<{ ok: boolean; detail: string }> {
  const atDump = input.masterCountsAtDump;
  const master = atDump ?? (await countRows(input.masterClient, input.masterSchema, { signal: input.signal }));
  const replica = await countRows(input.replicaClient, input.replicaSchema, { signal: input.signal });
  // The fix-ups rewrite these two on purpose; their own checks cover them.
  const changed = new Set([tables.system.table, tables.cmlicenses.table]);
  const keep = (counts: Record<string, string>) => Object.fromEntries(Object.entries(counts).filter(([t]) => !changed.has(t)));
  const { matches, mismatches } = compareCounts(keep(master), keep(replica));
  const compared = Object.keys(keep(replica)).length;
  const against = atDump ? 'the master at the backup' : "the master's current counts";
  const skipped = `${tables.system.table} and ${tables.cmlicenses.table} are changed by the fix-ups and checked separately`;
  if (matches) return { ok: true, detail: `${compared} tables match ${against} (${skipped})` };
  const growth = atDump
    ? ''
    : ' The master may have grown since the backup was taken; counts recorded with the backup would tell for sure.';
  return { ok: false, detail: `${mismatches.length} tables differ from ${against}: ${describeMismatches(mismatches)}.${growth}` };
}

async function runCheck(
  id: VerificationCheck['id'],
  title: string,
  body: () => Promise<{ ok: boolean; detail: string }>,
  signal?: AbortSignal,
): Promise<VerificationCheck> {
  try {
    return { id, title, ...(await body()) };
  } catch (error) {
    if (signal?.aborted) throw error;
    return { id, title, ok: false, detail: `could not check: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/**
 * After a rollback the replica runs on the schema it had before the rolled-back run, which
 * matches no snapshot of ours: it must be a replica's repository (server type live) with its
 * replicator position present. Row counts and the changelog head are not compared.
 */
export async function verifyRolledBackReplica(client: ClientBase, schema: string, signal?: AbortSignal): Promise<ReplicaVerification> {
  signal?.throwIfAborted();
  const state = async () => readReplicaState(client, schema, await resolveRepositoryTables(client, schema));
  const checks = [
    await runCheck('server-type', 'Server type is live', async () => {
      const rowsOf = (await state()).serverTypeRows;
      const ok = rowsOf.length === 1 && rowsOf[0] === 'live';
      return { ok, detail: ok ? "repository_server_type is 'live'" : `repository_server_type is ${rows(rowsOf)}, expected exactly one row 'live'` };
    }, signal),
    await runCheck('replicator-settings', 'Replicator settings are present', async () => {
      const { replicator } = await state();
      const problems = (Object.entries(replicator) as Array<[string, string[]]>).filter(([, v]) => v.length !== 1).map(([k, v]) => `replicator_${k} is ${rows(v)}, expected exactly one row`);
      return problems.length ? { ok: false, detail: problems.join('; ') } : { ok: true, detail: `remote ${replicator.remote[0]}, local ${replicator.local[0]}, tag ${replicator.tag[0]}` };
    }, signal),
  ];
  return { ok: checks.every((c) => c.ok), checks };
}

export async function verifyReplica(input: VerifyReplicaInput): Promise<ReplicaVerification> {
  input.signal?.throwIfAborted();
  const checks: VerificationCheck[] = [];
  let replica: { tables: RepositoryTables; state: ReplicaState } | null = null;
  let replicaError = '';
  try {
    const tables = await resolveRepositoryTables(input.replicaClient, input.replicaSchema);
    replica = { tables, state: await readReplicaState(input.replicaClient, input.replicaSchema, tables) };
  } catch (error) {
    replicaError = `could not read the replica: ${error instanceof Error ? error.message : String(error)}`;
  }
  const withReplica = (f: (r: { tables: RepositoryTables; state: ReplicaState }) => Promise<{ ok: boolean; detail: string }>) => () =>
    replica ? f(replica) : Promise.resolve({ ok: false, detail: replicaError });

  checks.push(
    await runCheck('replicator-settings', 'Replicator settings match the changelog head', withReplica(async (r) => {
      const problem = await replicatorCheck(input, r.tables, r.state);
      return problem ? { ok: false, detail: problem } : { ok: true, detail: `remote = local = ${r.state.replicator.remote[0]}, tag = ${r.state.replicator.tag[0]}` };
    }), input.signal),
    await runCheck('server-type', 'Server type is live', withReplica(async (r) => {
      const ok = r.state.serverTypeRows.length === 1 && r.state.serverTypeRows[0] === 'live';
      return { ok, detail: ok ? "repository_server_type is 'live'" : `repository_server_type is ${rows(r.state.serverTypeRows)}, expected exactly one row 'live'` };
    })),
    await runCheck('licenses-empty', 'Licenses are empty', withReplica(async (r) => ({
      ok: r.state.licenses === 0,
      detail: r.state.licenses === 0 ? `${r.tables.cmlicenses.table} is empty` : `${r.tables.cmlicenses.table} still has ${r.state.licenses} rows`,
    }))),
    await runCheck('table-counts', 'Table row counts match the master', withReplica((r) => tableCountsDetail(input, r.tables)), input.signal),
    await runCheck('master-head', "The master's changelog head is unchanged or has grown", async () =>
      masterHeadDetail(input, await resolveRepositoryTables(input.masterClient, input.masterSchema)),
    input.signal),
  );
  return { ok: checks.every((c) => c.ok), checks };
}
