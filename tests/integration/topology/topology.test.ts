// Topology against real PostgreSQL: a master and replicas in every state an admin must
// see (lagging, ahead, duplicate replicator rows, unreachable, silent, sharing a schema,
// running and stopped processes), probed through the core and through the built CLI,
// and the cached picture still there once the cluster is gone.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReplicaDesk, type ReplicaDesk } from '../../../src/main/core/replicaDesk';
import type { RestorePlan } from '../../../src/shared/restorePlan';
import type { ServerProbe, TopologyDocument, TopologySnapshot } from '../../../src/shared/topology';
import { assertCliBuilt, runCli } from '../../harness/cli';
import { createContentServer, type ContentServerDatabase } from '../../harness/coremedia/contentServerDatabase';
import { startCluster, type PgCluster } from '../../harness/postgresCluster';
import { runShell } from '../../harness/restoreEnvironment';
import { standInControl, standInStopCommand } from '../../harness/standInServer';
import { closedPort } from '../../harness/ports';

const suffix = randomBytes(3).toString('hex');
const INST = `it-topo-${suffix}`;
const WRONG = `it-topo-wrong-${suffix}`;
// Generous for healthy servers on a loaded 2-core CI machine (a CLI start, a keychain read and
// a connect each take their share of a phase's deadline); the silent server still hits it.
const TIMEOUT_MS = 4000;
const password = `Pw-${randomBytes(9).toString('base64url')}`;

let cluster: PgCluster;
let work: string;
let home: string;
let env: NodeJS.ProcessEnv;
let master: ContentServerDatabase;
let silent: NetServer;
const silentSockets = new Set<Socket>();
let core: ReplicaDesk;
let lastSnapshot: TopologySnapshot;

const shift = (seq: string, by: number): string => (BigInt(seq) + BigInt(by)).toString();
const db = (port: number, database: string, user: string, host = '127.0.0.1') => ({ host, port, database, user, sslmode: 'disable' });
const byName = (snapshot: TopologySnapshot, name: string): ServerProbe => snapshot.servers.find((s) => s.name === name)!;
const flagsOf = (snapshot: TopologySnapshot, name: string): string[] => snapshot.flags.filter((f) => f.servers.includes(name)).map((f) => f.code).sort();
const cli = (args: string[]) => runCli(args, { home, env: { PGPASSFILE: env.PGPASSFILE } });

async function setReplicator(database: string, schema: string, rows: Array<[string, string]>): Promise<void> {
  await cluster.query(`DELETE FROM "${schema}".system WHERE property LIKE 'replicator_%'`, [], database);
  for (const [property, content] of rows) {
    await cluster.query(`INSERT INTO "${schema}".system (property, content) VALUES ($1, $2)`, [property, content], database);
  }
}

/** A restore of rls1 in the history, as the runner records one. */
function recordRestore(installation: ReturnType<ReplicaDesk['profiles']['get']>, extra: Partial<RestorePlan> = {}): string {
  const plan: RestorePlan = {
    ...extra,
    installation,
    master: 'mls',
    replicas: ['rls1'],
    backup: { mode: 'dump', dir: work },
    steps: [{ seq: 1, id: 'restore', replica: 'rls1', title: 'Restore rls1', destructive: true, manual: false, actions: [] }],
  };
  const runs = core.restore.runs;
  const runId = runs.create(plan);
  runs.setStep(runId, 1, 'running');
  runs.setStep(runId, 1, 'done');
  runs.setReplica(runId, 'rls1', 'succeeded');
  runs.finish(runId, 'succeeded', null);
  return runId;
}

let restoreRunId: string;
/** A rollback of that restore, recorded after it: shown as a rollback, never as the last restore. */
let rollbackRunId: string;

beforeAll(async () => {
  assertCliBuilt();
  cluster = await startCluster();
  work = mkdtempSync(join(tmpdir(), 'rd-topology-'));
  home = join(work, 'home');
  const pgpassFile = join(work, 'pgpass');
  // Host '*': rls5 reaches the cluster as "localhost".
  writeFileSync(pgpassFile, `*:${cluster.port}:*:*:${password}\n`, { mode: 0o600 });
  env = { ...process.env, PGPASSFILE: pgpassFile };

  const live = { layout: 'shared-database' as const, database: 'coremedia', password, serverType: 'live' as const };
  master = await createContentServer(cluster, { ...live, role: 'cm_master', serverType: 'publication', largeSequenceNumbers: true });
  await createContentServer(cluster, { ...live, role: 'cm_rls1' });
  await createContentServer(cluster, { ...live, role: 'cm_rls2' });
  await createContentServer(cluster, { ...live, role: 'cm_rls3', systemPrimaryKey: false });
  const head = master.changelogHead;
  await setReplicator('coremedia', 'cm_rls1', [['replicator_remote', shift(head.sequenceNo, -7)], ['replicator_local', shift(head.sequenceNo, -7)], ['replicator_tag', 'tag-behind']]);
  await setReplicator('coremedia', 'cm_rls2', [['replicator_remote', shift(head.sequenceNo, 3)], ['replicator_local', shift(head.sequenceNo, 3)], ['replicator_tag', 'tag-ahead']]);
  await setReplicator('coremedia', 'cm_rls3', [
    ['replicator_remote', shift(head.sequenceNo, -2)],
    ['replicator_remote', shift(head.sequenceNo, -1)],
    ['replicator_local', shift(head.sequenceNo, -1)],
    ['replicator_tag', head.idTag],
  ]);
  // The second installation is wired the wrong way round.
  const wrong = { layout: 'shared-database' as const, database: 'wrongway', password };
  await createContentServer(cluster, { ...wrong, role: 'cm_m2', serverType: 'live' });
  await createContentServer(cluster, { ...wrong, role: 'cm_r2', serverType: 'publication' });

  // Accepts connections and never says a word: only a deadline ends a probe of it.
  silent = createServer((socket) => {
    silentSockets.add(socket);
    socket.on('close', () => silentSockets.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const silentPort = (silent.address() as { port: number }).port;

  const standIn = (name: string, user: string) =>
    standInControl({ dir: join(work, `standin-${name}`), db: { host: '127.0.0.1', port: cluster.port, database: 'coremedia', user }, pgpassFile });
  const rls1Control = standIn('rls1', 'cm_rls1');
  const rls2Control = standIn('rls2', 'cm_rls2'); // never started: status says stopped
  if ((await runShell(rls1Control.start)) !== 0) throw new Error('the stand-in for rls1 did not start');

  const profiles = {
    format: 'replica-desk/profiles@1',
    installations: [
      {
        name: INST,
        servers: [
          { name: 'mls', role: 'master', db: db(cluster.port, 'coremedia', 'cm_master') },
          { name: 'rls1', role: 'replica', db: db(cluster.port, 'coremedia', 'cm_rls1'), control: rls1Control },
          { name: 'rls2', role: 'replica', db: db(cluster.port, 'coremedia', 'cm_rls2'), control: rls2Control },
          { name: 'rls3', role: 'replica', db: db(cluster.port, 'coremedia', 'cm_rls3') },
          { name: 'rls4', role: 'replica', db: db(await closedPort(), 'coremedia', 'cm_rls4') },
          { name: 'rls5', role: 'replica', db: { ...db(cluster.port, 'coremedia', 'cm_rls1', 'localhost') } },
          { name: 'rls6', role: 'replica', db: db(silentPort, 'coremedia', 'cm_rls6') },
        ],
      },
      {
        name: WRONG,
        servers: [
          { name: 'm2', role: 'master', db: db(cluster.port, 'wrongway', 'cm_m2') },
          { name: 'r2', role: 'replica', db: db(cluster.port, 'wrongway', 'cm_r2') },
        ],
      },
    ],
  };
  const file = join(work, 'profiles.json');
  writeFileSync(file, JSON.stringify(profiles));
  // The stand-in servers' status commands are the test's own: approve them as a scripted set-up does.
  const imported = await cli(['profiles', 'import', file, '--approve-commands']);
  if (imported.code !== 0) throw new Error(`profiles import failed: ${imported.stderr}`);

  core = openReplicaDesk({ home, env });
  restoreRunId = recordRestore(core.profiles.get(INST));
  await new Promise((resolve) => setTimeout(resolve, 5));
  rollbackRunId = recordRestore(core.profiles.get(INST), { kind: 'rollback', rollbackOf: restoreRunId });
});

afterAll(async () => {
  core?.close();
  for (const name of ['rls1', 'rls2']) await runShell(standInStopCommand(join(work, `standin-${name}`))).catch(() => undefined);
  for (const socket of silentSockets) socket.destroy();
  await new Promise((resolve) => (silent ? silent.close(resolve) : resolve(undefined)));
  await cluster?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('topology', () => {
  it('probes every server at once and reports what each one is', async () => {
    const [snapshot] = await core.topology.probe(INST, { timeoutMs: TIMEOUT_MS });
    lastSnapshot = snapshot!;
    expect(snapshot!.servers.map((s) => s.name)).toEqual(['mls', 'rls1', 'rls2', 'rls3', 'rls4', 'rls5', 'rls6']);

    const mls = byName(snapshot!, 'mls');
    expect(mls.database).toMatchObject({ reachable: true, error: null, serverType: 'publication', serverTypeRows: ['publication'] });
    expect(mls.database.serverVersion).toMatch(/^\d+\.\d+/);
    expect(mls.database.cluster?.systemIdentifier).toMatch(/^\d+$/);
    // Above 2^53: a JavaScript number would have lost the last digit.
    expect(mls.database.changelogHead).toMatchObject({ sequenceNo: master.changelogHead.sequenceNo, idTag: master.changelogHead.idTag });
    expect(BigInt(master.changelogHead.sequenceNo) > 2n ** 53n).toBe(true);
    expect(mls.process.state).toBe('not-configured');
    expect(flagsOf(snapshot!, 'mls')).toEqual([]);

    const rls1 = byName(snapshot!, 'rls1');
    expect(rls1).toMatchObject({ position: shift(master.changelogHead.sequenceNo, -7), lag: '7' });
    expect(rls1.database.replicator?.tag).toEqual(['tag-behind']);
    expect(rls1.process).toMatchObject({ state: 'running', exitCode: 0, error: null });
    expect(rls1.lastRestore).toMatchObject({ runId: restoreRunId, status: 'succeeded' });
    expect(rls1.lastRestore?.finishedAt).toBeTruthy();

    const rls2 = byName(snapshot!, 'rls2');
    expect(rls2).toMatchObject({ lag: '-3', lastRestore: null });
    expect(rls2.process).toMatchObject({ state: 'stopped', exitCode: 1 });
    expect(flagsOf(snapshot!, 'rls2')).toEqual(['replica-ahead-of-master']);

    const rls3 = byName(snapshot!, 'rls3');
    expect(rls3.database.replicator?.remote.sort()).toEqual([shift(master.changelogHead.sequenceNo, -2), shift(master.changelogHead.sequenceNo, -1)].sort());
    expect(rls3).toMatchObject({ position: null, lag: null });
    expect(flagsOf(snapshot!, 'rls3')).toEqual(['duplicate-replicator-rows']);

    const rls4 = byName(snapshot!, 'rls4');
    expect(rls4.database).toMatchObject({ reachable: false, error: { code: 'unreachable-host' } });
    expect(flagsOf(snapshot!, 'rls4')).toEqual(['unreachable']);
    expect(snapshot!.flags.find((f) => f.code === 'unreachable')?.hint).toContain('db.port');

    // Another host name for rls1's schema is still rls1's schema.
    expect(flagsOf(snapshot!, 'rls5')).toEqual(['shared-schema']);
    expect(snapshot!.flags.find((f) => f.code === 'shared-schema')?.servers).toEqual(['rls1', 'rls5']);
    expect(flagsOf(snapshot!, 'rls1')).toEqual(['shared-schema']);

    // The silent server ran into its deadline; the others were not held up by it.
    expect(byName(snapshot!, 'rls6').database).toMatchObject({ reachable: false, error: { code: 'timeout' } });
    expect(snapshot!.timeoutMs).toBe(TIMEOUT_MS);
  });

  it('flags a master that is not publication and a replica that is', async () => {
    const [snapshot] = await core.topology.probe(WRONG, { timeoutMs: TIMEOUT_MS });
    expect(snapshot!.flags.map((f) => [f.code, f.servers])).toEqual([
      ['master-not-publication', ['m2']],
      ['replica-is-publication', ['r2']],
      ['no-replicator-position', ['r2']],
    ]);
    expect(byName(snapshot!, 'r2').lag).toBeNull();
  });

  it('prints the tree and the JSON document through the built CLI', async () => {
    const json = await cli(['topology', INST, '--json', '--timeout-ms', String(TIMEOUT_MS)]);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as TopologyDocument;
    expect(doc.installations.map((i) => i.installation)).toEqual([INST]);
    const snapshot = doc.installations[0]!;
    expect(byName(snapshot, 'rls1')).toMatchObject({ lag: '7', process: { state: 'running' }, lastRestore: { runId: restoreRunId, rollback: { runId: rollbackRunId, rollbackOf: restoreRunId, status: 'succeeded' } } });
    expect(byName(snapshot, 'rls4').database.reachable).toBe(false);

    const human = await cli(['topology', INST, '--timeout-ms', String(TIMEOUT_MS)]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/└─ mls \[master\]/);
    expect(human.stdout).toMatch(/├─ rls1 \[replica\][\s\S]*lag 7[\s\S]*running[\s\S]*succeeded/);
    expect(human.stdout).toMatch(new RegExp(`last restore succeeded, finished \\S+ \\(run ${restoreRunId}\\); rollback since: succeeded, finished \\S+ \\(run ${rollbackRunId}, rollback of ${restoreRunId}\\)`));
    expect(human.stdout).toMatch(/rls2[\s\S]*AHEAD of the master by 3[\s\S]*STOPPED/);
    expect(human.stdout).toMatch(/rls4[\s\S]*UNREACHABLE \(unreachable-host\)/);
    expect(human.stdout).toContain('✗ duplicate-replicator-rows');
    expect(human.stdout).toContain('✗ shared-schema with rls5 (see below)');
    expect(human.stdout).toContain('hint: ');
    expect(human.stdout).toMatch(/5 of 7 databases reachable/);

    const all = await cli(['topology', '--json', '--timeout-ms', String(TIMEOUT_MS)]);
    expect(all.code).toBe(0);
    const everything = (JSON.parse(all.stdout) as TopologyDocument).installations;
    expect(everything.map((i) => i.installation).sort()).toEqual([INST, WRONG].sort());
    // The newest probe of INST, and so what the cache now holds.
    lastSnapshot = everything.find((i) => i.installation === INST)!;
  });

  it('exits 2 for an unknown installation or a bad timeout', async () => {
    const unknown = await cli(['topology', 'no-such-installation']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('"no-such-installation" does not exist');
    expect((await cli(['topology', INST, '--timeout-ms', 'soon'])).code).toBe(2);
  });

  it('keeps the last snapshot once the cluster is gone, and probes an offline installation without failing', async () => {
    await cluster.stop();
    expect(core.topology.cached(INST)).toEqual([lastSnapshot]);
    const cached = await cli(['topology', INST, '--cached', '--json']);
    expect(cached.code).toBe(0);
    expect((JSON.parse(cached.stdout) as TopologyDocument).installations).toEqual([lastSnapshot]);

    const offline = await cli(['topology', INST, '--json', '--timeout-ms', String(TIMEOUT_MS)]);
    expect(offline.code).toBe(0);
    const [snapshot] = (JSON.parse(offline.stdout) as TopologyDocument).installations;
    expect(snapshot!.servers.every((s) => !s.database.reachable)).toBe(true);
    expect(snapshot!.flags.filter((f) => f.code === 'unreachable')).toHaveLength(7);
    // The stand-in lost its database, not its process.
    expect(byName(snapshot!, 'rls1').process.state).toMatch(/running|stopped/);
    expect(core.topology.cached(INST)[0]!.probedAt).toBe(snapshot!.probedAt);
  });
});
