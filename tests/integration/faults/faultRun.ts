// Driving the CLI the way an admin's bad night does: restores started in the background,
// watched through `runs show`, killed, raced and resumed. Shared by the fault scenarios.
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect } from 'vitest';
import { assertCliBuilt, startCliInBackground, type BackgroundCli } from '../../harness/cli';
import type { PgCluster } from '../../harness/postgresCluster';
import { startRestoreEnvironment, type RestoreEnvironment, type RestoreEnvironmentOptions } from '../../harness/restoreEnvironment';

/** One restore environment for a test file (the built CLI), started before its tests and stopped after; the getter reads it. */
export function restoreEnvironmentForFile(options: RestoreEnvironmentOptions = { withoutSsh: true }): () => RestoreEnvironment {
  let env: RestoreEnvironment | undefined;
  beforeAll(async () => {
    assertCliBuilt();
    env = await startRestoreEnvironment(options);
  }, 180_000);
  afterAll(async () => env?.stop());
  return () => env!;
}

export type { BackgroundCli };

/** Starts `replica-desk ARGS` in the background with the environment's data directory (or `home`). */
export function startCli(env: RestoreEnvironment, args: string[], options: { home?: string; extraEnv?: NodeJS.ProcessEnv } = {}): BackgroundCli {
  return startCliInBackground(args, { home: options.home ?? env.home, env: { ...env.env, ...options.extraEnv } });
}

export const startRestore = (env: RestoreEnvironment, extra: string[] = [], options: { home?: string; extraEnv?: NodeJS.ProcessEnv } = {}) =>
  startCli(env, ['restore', env.installation, '--yes', '--json', ...extra], options);

/**
 * Polls the newest run (in `home`) until a step with this id (and replica, if given) is running;
 * returns the run id. Reads the local database directly, every 20 ms: a short step (a dump of
 * the small test data) runs for less time than two CLI calls take on a loaded machine.
 */
export async function waitForStep(env: RestoreEnvironment, id: string, options: { replica?: string; home?: string; timeoutMs?: number } = {}): Promise<string> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const file = join(options.home ?? env.home, 'replica-desk.sqlite');
  // The table keeps the server's name; `runs show` prints installation/server.
  const replica = options.replica ?? null;
  let db: Database.Database | null = null;
  try {
    while (Date.now() < deadline) {
      if (!db && existsSync(file)) db = new Database(file, { readonly: true, fileMustExist: true });
      const runId = db ? readRunningStep(db, id, env.installation, replica) : null;
      if (runId) return runId;
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    db?.close();
  }
  throw new Error(`step ${id} never ran`);
}

/** The newest run's id when its step `id` (for `replica`) is running; null otherwise or while the schema is being created. */
function readRunningStep(db: Database.Database, id: string, installation: string, replica: string | null): string | null {
  try {
    const run = db.prepare('SELECT id FROM runs ORDER BY created_at DESC, rowid DESC LIMIT 1').get() as { id: string } | undefined;
    if (!run) return null;
    const step = db
      .prepare("SELECT 1 FROM run_steps WHERE run_id = ? AND id = ? AND status = 'running' AND (? IS NULL OR replica = ? OR replica = ?)")
      .get(run.id, id, replica, replica, `${installation}/${replica}`);
    return step ? run.id : null;
  } catch {
    return null;
  }
}

/**
 * kill -9 of a background CLI (again is harmless): it dies by the signal, its output goes to
 * `outputs`, and its run, as `runs show` sees it, is still running but interrupted and
 * resumable, with `step` (of `replica`) running. Returns the shown run record.
 */
export async function killAndExpectInterrupted(env: RestoreEnvironment, run: BackgroundCli, runId: string, step: string, replica: string | null, outputs: string[]): Promise<any> {
  run.child.kill('SIGKILL');
  const result = await run.done;
  expect(result.signal).toBe('SIGKILL');
  outputs.push(result.stdout, result.stderr);
  const shown = JSON.parse((await env.cli(['runs', 'show', runId, '--json'])).stdout);
  expect(shown.status).toBe('running');
  expect(shown.interrupted).toBe(true);
  expect(shown.resumable).toBe(true);
  expect(stepOf(shown, step, replica)?.status).toBe('running');
  return shown;
}

/** A superuser session holding a table lock in an open transaction. */
export interface HeldTableLock {
  /** Ends the transaction, and with it the lock; again is harmless. */
  release(): Promise<void>;
  /** release, then closes the session. */
  end(): Promise<void>;
}

/**
 * `LOCK TABLE <table> IN <mode> MODE` in a transaction of a superuser session on `database`,
 * retried until the table exists (a restore's tables appear when it commits), for up to
 * `timeoutMs`. A step that needs a conflicting lock then waits, deterministically, until released.
 */
export async function holdTableLock(cluster: PgCluster, database: string, table: string, mode: string, timeoutMs = 60_000): Promise<HeldTableLock> {
  const client = await cluster.connect({ database });
  const release = () => client.query('ROLLBACK').then(() => undefined, () => undefined);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await client.query('BEGIN');
    try {
      await client.query(`LOCK TABLE ${table} IN ${mode} MODE`);
      return { release, end: () => release().then(() => client.end()) };
    } catch (error) {
      await release();
      if (Date.now() > deadline) {
        await client.end();
        throw new Error(`could not lock ${table} within ${timeoutMs} ms: ${(error as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

export const stepOf = (record: any, id: string, replica: string | null) =>
  record.steps.find((s: any) => s.id === id && (replica === null ? s.replica === null : s.replica?.endsWith(`/${replica}`)));

/** Resolves once the run's step (as `waitForStep`) is no longer running. */
export async function waitForStepEnd(env: RestoreEnvironment, runId: string, id: string, replica: string | null, timeoutMs = 120_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const step = stepOf(JSON.parse((await env.cli(['runs', 'show', runId, '--json'])).stdout), id, replica);
    if (step && step.status !== 'running' && step.status !== 'pending') return step.status as string;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`step ${id} never ended`);
}

/**
 * Processes that belong to this environment's runs and should be gone: every process whose
 * command line or environment mentions env.dir (the CLI and its children all carry
 * PGPASSFILE=env.dir/pgpass), except the stand-in servers the replicas legitimately run.
 */
export function leftoverProcesses(env: RestoreEnvironment): string[] {
  const standIns = new Set(
    (['rls1', 'rls2'] as const)
      .map((name) => join(env.dir, `standin-${name}`, 'server.pid'))
      .filter((file) => existsSync(file))
      .map((file) => readFileSync(file, 'utf8').trim()),
  );
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    if (Number(pid) === process.pid || standIns.has(pid)) continue;
    let cmdline = '';
    let environ = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
    } catch {
      continue; // gone meanwhile, or a kernel thread
    }
    if (cmdline && (cmdline.includes(env.dir) || environ.includes(env.dir))) found.push(`${pid}: ${cmdline}`);
  }
  return found;
}

/** Files under `dirs` (recursively) whose bytes contain `secret`. */
export function filesContaining(dirs: string[], secret: string): string[] {
  const hits: string[] = [];
  const needle = Buffer.from(secret);
  const walk = (path: string) => {
    const s = lstatSync(path, { throwIfNoEntry: false });
    if (!s) return;
    if (s.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
    else if (s.isFile() && readFileSync(path).includes(needle)) hits.push(path);
  };
  for (const dir of dirs) walk(dir);
  return hits;
}

/** Files anywhere under `dir` whose name ends in `.partial`. */
export function partialFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.partial'));
}

/** Private pgpass directories (src/main/core/secrets/privatePgpassFile.ts) in the CLI's TMPDIR. */
export function privatePgpassDirs(env: RestoreEnvironment): string[] {
  if (!env.tmpDir) throw new Error('start the environment with privateTmp to check temporary files');
  return readdirSync(env.tmpDir).filter((name) => name.startsWith('replica-desk-pgpass-'));
}

/**
 * The end of a fault file: no password in any file under `dirs` (the data directory and
 * whatever else the file wrote to) or in any CLI output it captured, no process of its runs
 * left, no private pgpass directory left.
 */
export function expectNothingLeftBehind(env: RestoreEnvironment, outputs: string[], dirs: string[] = [env.home]): void {
  expect(outputs.length).toBeGreaterThan(0);
  expect(filesContaining(dirs, env.password)).toEqual([]);
  expect(outputs.filter((o) => o.includes(env.password))).toEqual([]);
  expect(leftoverProcesses(env)).toEqual([]);
  expect(privatePgpassDirs(env)).toEqual([]);
}

/** The replica's schema (or `schema` in its database) is a live replica positioned at the master's changelog head. */
export async function expectLiveReplicaAtHead(env: RestoreEnvironment, name: 'rls1' | 'rls2', schema = env.replicaCluster(name).schema): Promise<void> {
  const system = await env.replicaQuery<{ property: string; content: string }>(name, `SELECT property, content FROM "${schema}".system WHERE property IN ('repository_server_type', 'replicator_remote', 'replicator_local', 'replicator_tag') ORDER BY 1`);
  expect(Object.fromEntries(system.map((x) => [x.property, x.content]))).toEqual({
    repository_server_type: 'live',
    replicator_remote: env.master.changelogHead.sequenceNo,
    replicator_local: env.master.changelogHead.sequenceNo,
    replicator_tag: env.master.changelogHead.idTag,
  });
}
