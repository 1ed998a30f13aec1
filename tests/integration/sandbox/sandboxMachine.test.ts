// The sandbox's machinery against the real thing: PostgreSQL clusters made with the installed
// server programs, the generated master, stand-ins holding sessions through psql, and the
// built CLI probing and restoring the sandbox's profile. Build → inspect → the CLI's topology
// (rls1 lagging, rls2 current) → restore → lag 0 → build again (everything reused) → a
// cluster stopped by hand → build repairs it → teardown leaves no process, no data
// directory, and nothing the manifest does not list is touched.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_UP_PHASES, type SandboxProgress } from '../../../src/shared/sandbox';
import type { TopologyDocument } from '../../../src/shared/topology';
import { runServerTool } from '../../../src/main/core/sandbox/postgresServer';
import { clusterAccess } from '../../../src/main/core/sandbox/sandboxCluster';
import { STALE_REPLICA_LAG } from '../../../src/main/core/sandbox/sandboxData';
import {
  buildSandbox,
  inspectSandbox,
  manifestPath,
  readManifestFile,
  sandboxProfiles,
  teardownSandbox,
  type SandboxManifest,
} from '../../../src/main/core/sandbox/sandboxMachine';
import { standInFiles } from '../../../src/main/core/sandbox/standInServer';
import { assertCliBuilt, runCli } from '../../harness/cli';
import { processesMentioning } from '../../harness/processes';
import { isRunning, readStat } from '../../../src/main/core/processes/processIdentity';
import { useOwnKeyring } from './ownKeyring';

const SIZE_MB = 5;
const INSTALLATION = `it-sandbox-${randomBytes(3).toString('hex')}`;

let parent: string;
let dir: string;
let home: string;
let manifest: SandboxManifest;
let firstPasswords: Record<string, string>;
let manifestWrites = 0;

const onManifest = (): void => {
  manifestWrites += 1;
};
const build = async (existing: SandboxManifest | null) => {
  const progress: SandboxProgress[] = [];
  const built = await buildSandbox({ dir, sizeMb: SIZE_MB, existing, onProgress: (p) => progress.push(p), onManifest });
  manifest = built.manifest;
  return { ...built, progress };
};
const cli = (args: string[]) => runCli(args, { home, env: { PGPASSFILE: manifest.pgpassFile, REPLICA_DESK_STOP_WAIT_MS: '3000', REPLICA_DESK_START_WAIT_MS: '20000', REPLICA_DESK_POLL_MS: '200' } });

async function lags(): Promise<Record<string, string | null>> {
  const result = await cli(['topology', INSTALLATION, '--json']);
  const doc = JSON.parse(result.stdout) as TopologyDocument;
  return Object.fromEntries(doc.installations[0]!.servers.filter((s) => s.role === 'replica').map((s) => [s.name, s.lag]));
}

// A keyring of this file's own: the sandbox's keychain accounts are the same in every data directory (ownKeyring.ts).
useOwnKeyring();

beforeAll(() => {
  assertCliBuilt();
  parent = mkdtempSync(join(tmpdir(), 'rd-sandbox-it-'));
  dir = join(parent, 'sandbox');
  home = join(parent, 'home');
  // The sandbox directory exists already and holds someone else's file.
  mkdirSync(dir);
  writeFileSync(join(dir, 'not-ours.txt'), 'keep me');
  writeFileSync(join(parent, 'sibling.txt'), 'keep me too');
});

afterAll(async () => {
  const left = readManifestFile(dir);
  if (left) await teardownSandbox(left, () => undefined).catch(() => undefined);
  rmSync(parent, { recursive: true, force: true });
});

describe('the sandbox machine', () => {
  it('builds clusters, a 64-bit master, a stale and a current replica, the key file and running stand-ins', async () => {
    const { manifest: m, serverPasswords, progress } = await build(null);
    firstPasswords = serverPasswords;
    expect([...new Set(progress.map((p) => p.phase))]).toEqual(SANDBOX_UP_PHASES.slice(0, 6));
    expect(progress.some((p) => p.phase === 'master' && p.doneMb === SIZE_MB && p.totalMb === SIZE_MB)).toBe(true);
    expect(manifestWrites).toBeGreaterThan(5);
    expect(readManifestFile(dir)).toEqual(m);
    expect(statSync(manifestPath(dir)).mode & 0o777).toBe(0o600);
    expect(statSync(m.pgpassFile).mode & 0o777).toBe(0o600);
    expect(m.createdDir).toBe(false);
    expect(m.clusters.map((c) => c.name)).toEqual(['a', 'b']);
    expect(m.servers.map((s) => [s.name, s.cluster, s.database, s.layout, s.builtStale])).toEqual([
      ['mls', 'a', 'coremedia', 'shared-database', false],
      ['rls1', 'b', 'cm_rls1', 'database-per-server', true],
      ['rls2', 'a', 'coremedia', 'shared-database', false],
    ]);
    expect(readFileSync(m.keyFile!).length).toBe(48);
    expect(statSync(m.keyFile!).mode & 0o777).toBe(0o600);
    // No password in the manifest.
    for (const password of Object.values(serverPasswords)) expect(readFileSync(manifestPath(dir), 'utf8')).not.toContain(password);

    const status = await inspectSandbox(m);
    expect(status.problems).toEqual([]);
    expect(status.clusters.every((c) => c.running && c.version !== null)).toBe(true);
    expect(status.servers.every((s) => s.running)).toBe(true);

    const a = clusterAccess(m.clusters[0]!);
    const head = await a.query<{ seq: string; size: string }>(
      "SELECT max(sequenceno)::text AS seq, pg_total_relation_size('cm_master.blobdata')::text AS size FROM cm_master.changelog",
      [],
      'coremedia',
    );
    expect(BigInt(head.rows[0]!.seq)).toBeGreaterThan(2n ** 53n);
    expect(Number(head.rows[0]!.size)).toBeGreaterThan(SIZE_MB * 0.8 * 1024 * 1024);
    // Each stand-in holds its session.
    const sessions = await Promise.all(m.clusters.map((c) => clusterAccess(c).query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'coremedia-stand-in'")));
    expect(sessions.map((r) => r.rows[0]!.n)).toEqual([2, 1]);
  }, 120_000);

  it('shows rls1 lagging and rls2 current in the CLI\'s topology; after the CLI restores both, lag 0', async () => {
    const profile = sandboxProfiles(manifest);
    profile.installations[0]!.name = INSTALLATION;
    const file = join(parent, 'profiles.json');
    writeFileSync(file, JSON.stringify(profile));
    const imported = await cli(['profiles', 'import', file, '--approve-commands']);
    expect(imported.stderr).not.toMatch(/error/i);
    expect(imported.code).toBe(0);

    // A 5 MB master has 100 changelog events: the stale replica is at the first of them.
    const before = await lags();
    expect(before).toEqual({ rls1: String(Math.min(STALE_REPLICA_LAG, 99)), rls2: '0' });
    const restored = await cli(['restore', INSTALLATION, '--yes', '--json']);
    expect(restored.code, restored.stderr).toBe(0);
    expect(JSON.parse(restored.stdout).status).toBe('succeeded');
    expect(await lags()).toEqual({ rls1: '0', rls2: '0' });
    // The restore stopped and started the stand-ins with their control commands.
    expect((await inspectSandbox(manifest)).servers.every((s) => s.running)).toBe(true);
  }, 120_000);

  it('reuses everything on a second build: same ports, same data, same passwords', async () => {
    const before = manifest;
    const a = clusterAccess(before.clusters[0]!);
    const marker = await a.query<{ n: string }>('SELECT count(*)::text AS n FROM cm_master.blobdata', [], 'coremedia');
    const { manifest: m, serverPasswords, progress } = await build(before);
    expect(progress.filter((p) => p.phase !== 'programs' && !p.message.endsWith('…')).every((p) => p.reused)).toBe(true);
    expect(m.clusters).toEqual(before.clusters);
    expect(m.createdAt).toBe(before.createdAt);
    expect(serverPasswords).toEqual(firstPasswords);
    expect((await a.query<{ n: string }>('SELECT count(*)::text AS n FROM cm_master.blobdata', [], 'coremedia')).rows[0]!.n).toBe(marker.rows[0]!.n);
    // The restored replica is not made stale again.
    expect(await lags()).toEqual({ rls1: '0', rls2: '0' });
  });

  it('repairs a cluster stopped by hand, and the stand-in that lost its session', async () => {
    const b = manifest.clusters.find((c) => c.name === 'b')!;
    await runServerTool(manifest.pg.binDir, 'pg_ctl', ['stop', '-D', b.dataDir, '-m', 'fast', '-w']);
    await expect.poll(async () => (await inspectSandbox(manifest)).servers.find((s) => s.name === 'rls1')!.running).toBe(false);
    const broken = await inspectSandbox(manifest);
    expect(broken.clusters.find((c) => c.name === 'b')!.running).toBe(false);
    expect(broken.problems.join('\n')).toMatch(/Cluster b .*stopped/);

    const { manifest: m, progress } = await build(manifest);
    expect(progress.some((p) => p.phase === 'clusters' && !p.reused && !p.message.endsWith('…'))).toBe(true);
    const repaired = await inspectSandbox(m);
    expect(repaired.problems).toEqual([]);
    expect(m.clusters.find((c) => c.name === 'b')!.port).toBe(b.port);
  });

  it('tears down exactly what the manifest lists: no process, no data directory, others\' files kept', async () => {
    const m = manifest;
    const pids = m.servers.map((s) => Number(readFileSync(standInFiles(s.standInDir).pidFile, 'utf8')));
    const removed = await teardownSandbox(m, () => undefined);
    expect(removed.join('\n')).toMatch(/cluster a \(port \d+\): stopped, data directory removed/);
    expect(removed.join('\n')).toMatch(/stand-in rls1 \(pid \d+\): stopped/);
    for (const c of m.clusters) {
      expect(existsSync(c.root)).toBe(false);
      expect(processesMentioning(c.dataDir)).toEqual([]);
    }
    // Gone, or a zombie its new parent has not reaped yet (here PID 1 reaps orphans late): not running either way.
    for (const pid of pids) expect(isRunning(readStat(pid))).toBe(false);
    expect(processesMentioning(m.dir)).toEqual([]);
    for (const path of m.paths) expect(existsSync(path)).toBe(false);
    expect(existsSync(manifestPath(dir))).toBe(false);
    // The directory was there before the sandbox: it stays, with what else is in it.
    expect(readFileSync(join(dir, 'not-ours.txt'), 'utf8')).toBe('keep me');
    expect(readFileSync(join(parent, 'sibling.txt'), 'utf8')).toBe('keep me too');
  });
});
