// A long restore history for tests of the history view: thousands of runs written through
// the core's RunStore (as the runner writes them: plan, step states, captured values,
// compensation, log), then moved back in time, because a real history spans years and
// RunStore stamps everything "now". Deterministic for a given seed.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { newRunId, RunStore } from '../../src/main/core/history/runStore';
import { planRestore } from '../../src/main/core/restore/planRestore';
import { openStore } from '../../src/main/core/store/database';
import { InstallationSchema, type Installation } from '../../src/shared/profiles';
import { inMasterPhase as isMasterPhaseStep, type RestorePlan } from '../../src/shared/restorePlan';

export interface SeedOptions {
  /** The data directory whose replica-desk.sqlite receives the runs. */
  home: string;
  count: number;
  /** The newest seeded run starts this long before now. */
  newestAgoMs?: number;
  seed?: number;
}

export interface SeededRun {
  runId: string;
  installation: string;
  replicas: string[];
  outcome: 'succeeded' | 'failed' | 'cancelled' | 'interrupted';
  createdAt: string;
  /** The failing step's message, for a failed run. */
  failure: string | null;
}

const HOUR = 3_600_000;

function installation(name: string, replicas: string[]): Installation {
  return InstallationSchema.parse({
    name,
    servers: [
      { name: 'mls', role: 'master', db: { host: `${name}-mls.db.example.com`, database: 'coremedia', user: 'cm_master' }, installDir: '/opt/coremedia/mls', encryptedPasswords: true },
      ...replicas.map((r) => ({
        name: r,
        role: 'replica',
        db: { host: `${name}-${r}.db.example.com`, database: `cm_${r}`, user: `cm_${r}` },
        installDir: `/opt/coremedia/${r}`,
        control: { start: `sudo systemctl start ${r}`, stop: `sudo systemctl stop ${r}`, status: `systemctl is-active ${r}` },
      })),
    ],
  });
}

/** Installations and the replica choices their runs use. */
const PLANS: RestorePlan[] = [
  ...[['rls1'], ['rls2'], ['rls1', 'rls2']].map((r) => planRestore(installation('prod-eu', ['rls1', 'rls2']), { replicas: r, backupDir: '/var/backups/replica-desk' })),
  ...[['rls1']].map((r) => planRestore(installation('prod-us', ['rls1']), { replicas: r, backupDir: '/var/backups/replica-desk' })),
  ...[['rls1'], ['rls3'], ['rls1', 'rls2', 'rls3']].map((r) =>
    planRestore(installation('staging-eu', ['rls1', 'rls2', 'rls3']), { replicas: r, backupDir: '/srv/backups' }),
  ),
];

/** How long each step takes, in seconds: [minimum, spread]. */
const STEP_SECONDS: Record<string, [number, number]> = {
  'stop-replica': [2, 8],
  'stop-master': [3, 6],
  'dump-master': [25, 240],
  'start-master': [4, 10],
  'copy-key': [0.3, 1],
  'drop-schema': [0.5, 3],
  restore: [30, 420],
  fixups: [0.4, 1.5],
  'start-replica': [8, 50],
  verify: [2, 9],
  'confirm-publications': [10, 60],
};

const FAILURES = [
  'Replica still connected: 2 sessions of cm_rls1 are open after the stop command.',
  'pg_restore failed: could not connect to server: Connection refused.',
  'The row counts differ from the master at dump time: cmresources (master 18204, replica 18197).',
  'The stop command exited 1: Failed to stop replication-live-server.service: Access denied.',
];

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (rand: () => number, length: number) => Array.from({ length }, () => Math.floor(rand() * 16).toString(16)).join('');

export function seedRunHistory(options: SeedOptions): SeededRun[] {
  const store = openStore(join(options.home, 'replica-desk.sqlite'));
  const runs = new RunStore(store.db);
  const rand = random(options.seed ?? 4);
  // A process that has exited: runs it "owns" count as interrupted.
  const deadPid = spawnSync(process.execPath, ['-e', '0']).pid ?? 999_999;
  const seeded: SeededRun[] = [];
  const newest = Date.now() - (options.newestAgoMs ?? HOUR);
  const renameRun = ['runs SET id', 'run_replicas SET run_id', 'run_steps SET run_id', 'run_log SET run_id'].map((t) =>
    store.db.prepare(`UPDATE ${t} = ? WHERE ${t.startsWith('runs ') ? 'id' : 'run_id'} = ?`),
  );
  const setTimes = store.db.prepare('UPDATE runs SET created_at = ?, finished_at = CASE WHEN finished_at IS NULL THEN NULL ELSE ? END, owner_pid = ? WHERE id = ?');
  const setStepTimes = store.db.prepare('UPDATE run_steps SET started_at = ?, finished_at = ? WHERE run_id = ? AND seq = ?');
  const setLogTimes = store.db.prepare('UPDATE run_log SET at = ? WHERE run_id = ?');

  store.db.transaction(() => {
    // The run ids follow their (back-dated) start, as real ones do; children follow at commit.
    store.db.pragma('defer_foreign_keys = ON');
    let at = newest;
    for (let i = 0; i < options.count; i++) {
      at -= HOUR * (0.5 + rand() * 3);
      const plan = PLANS[Math.floor(rand() * PLANS.length)]!;
      const roll = rand();
      const outcome: SeededRun['outcome'] = roll < 0.8 ? 'succeeded' : roll < 0.9 ? 'failed' : roll < 0.97 ? 'cancelled' : 'interrupted';
      const failAt = outcome === 'succeeded' ? Infinity : 2 + Math.floor(rand() * (plan.steps.length - 2));
      const temporaryId = runs.create(plan);
      const runId = newRunId(new Date(at));
      for (const statement of renameRun) statement.run(runId, temporaryId);

      const backup = { file: `/var/backups/replica-desk/${plan.installation.name}/${runId}-cm_master.dump`, bytes: Math.floor(2e8 + rand() * 4e9), sha256: hex(rand, 64) };
      const head = { sequenceNo: String(1_200_000 + Math.floor(rand() * 900_000)), idTag: String(1000 + Math.floor(rand() * 500)) };
      let failure: string | null = null;
      let clock = at;
      const replicaClock = new Map<string, number>();
      const times: Array<[number, string | null, string | null]> = [];
      for (const step of plan.steps) {
        // The master phase runs in order; then each replica's steps, replicas side by side.
        const inMasterPhase = isMasterPhaseStep(plan, step);
        const start = inMasterPhase || step.replica === null ? clock : (replicaClock.get(step.replica) ?? clock);
        const [min, spread] = STEP_SECONDS[step.id] ?? [1, 2];
        const end = start + (min + rand() * spread) * 1000;
        if (step.seq < failAt) {
          const captured =
            step.id === 'dump-master' ? { backup, changelogHead: head }
            : step.id === 'fixups' ? { changelog: head }
            : step.id === 'verify' ? { checks: [{ id: 'replicator-settings', title: 'Replicator position equals the changelog head', ok: true, detail: `${head.sequenceNo} (idtag ${head.idTag})` }, { id: 'table-counts', title: "Row counts equal the master's at dump time", ok: true, detail: 'all 42 tables match' }] }
            : {};
          runs.setStep(runId, step.seq, 'done', { message: `${step.title}: done`, captured });
          times.push([step.seq, new Date(start).toISOString(), new Date(end).toISOString()]);
          if (inMasterPhase || step.replica === null) clock = end;
          else replicaClock.set(step.replica, end);
        } else if (step.seq === failAt) {
          const status = outcome === 'failed' ? 'failed' : outcome === 'cancelled' ? 'cancelled' : 'running';
          const message = outcome === 'failed' ? FAILURES[Math.floor(rand() * FAILURES.length)]! : outcome === 'cancelled' ? 'Cancelled by the admin' : null;
          if (outcome === 'failed') failure = message;
          runs.setStep(runId, step.seq, status, { message });
          times.push([step.seq, new Date(start).toISOString(), status === 'running' ? null : new Date(end).toISOString()]);
          clock = Math.max(clock, end);
        }
      }
      if (outcome === 'succeeded') runs.capture(runId, { backup });
      for (const r of plan.replicas) {
        const status = outcome === 'succeeded' ? 'succeeded' : outcome === 'interrupted' ? 'running' : outcome;
        runs.setReplica(runId, r, status, outcome === 'failed' ? 'Stopped at a failed step; see the run message' : null);
      }
      if (outcome === 'failed' || outcome === 'cancelled') {
        runs.addCompensation(runId, { action: 'start-replica', target: `${plan.installation.name}/${plan.replicas[0]}`, outcome: 'left-stopped', message: `${plan.installation.name}/${plan.replicas[0]} was left stopped: its schema is incomplete` });
      }
      runs.log(runId, 'info', `restore of ${plan.replicas.map((r) => `${plan.installation.name}/${r}`).join(', ')} started`);
      runs.log(runId, 'info', `backup ${backup.file} (${backup.bytes} bytes, sha256 ${backup.sha256})`);
      if (outcome !== 'interrupted') {
        const end = Math.max(clock, ...replicaClock.values());
        runs.finish(runId, outcome, outcome === 'failed' ? failure : outcome === 'cancelled' ? 'Cancelled by the admin' : null);
        setTimes.run(new Date(at).toISOString(), new Date(end).toISOString(), null, runId);
      } else {
        setTimes.run(new Date(at).toISOString(), null, deadPid, runId);
      }
      for (const [seq, started, finished] of times) setStepTimes.run(started, finished, runId, seq);
      setLogTimes.run(new Date(at).toISOString(), runId);
      seeded.push({ runId, installation: plan.installation.name, replicas: plan.replicas, outcome, createdAt: new Date(at).toISOString(), failure });
    }
  })();
  store.close();
  return seeded;
}
