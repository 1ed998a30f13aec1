// The sandbox's OS-level machinery, as the sandbox service (sandboxService.ts) drives it:
// build (or repair) the clusters, the generated master and replicas, the key file and the
// stand-in server processes; inspect what runs (sandboxInspect.ts); tear down exactly what
// the manifest lists (sandboxTeardown.ts); the profile to import (sandboxProfiles.ts).
//
// A build reuses whatever an earlier one left that still exists and works, and makes only
// what is missing. Every path and cluster goes into the manifest (onManifest) before it is
// made, so a kill at any moment leaves a manifest that `down` cleans up from.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SANDBOX_UP_PHASES, type SandboxProgress, type SandboxUpPhase } from '../../../shared/sandbox';
import { throwIfAborted } from '../cancellation';
import { ReplicaDeskError } from '../errors';
import { checkSandboxPrograms, type SandboxPrograms } from './pgPrograms';
import { diskFullOr } from './sandboxDiskFull';
import { freeLoopbackPort, handOverToServerUser, runsAsRoot, serverUserCanEnter } from './postgresServer';
import { clusterReady, clusterState, initCluster, plannedCluster, startCluster, stopCluster } from './sandboxCluster';
import { SANDBOX_SERVERS, ensureDatabases, sandboxPasswords, writeSandboxPgpass } from './sandboxData';
import { SANDBOX_CLUSTER_NAMES, writeManifestFile, type SandboxManifest, type SandboxManifestCluster, type SandboxManifestServer, type SandboxServerName } from './sandboxManifest';
import { runControlCommand, sandboxStandInControl, writeStandInConninfo, writeStandInScript } from './standInServer';

export type { SandboxManifest } from './sandboxManifest';
export { readManifestFile, writeManifestFile, removeManifestFile, manifestPath } from './sandboxManifest';
export { checkSandboxPrograms, SandboxProgramsMissingError, type SandboxPrograms } from './pgPrograms';
export { inspectSandbox } from './sandboxInspect';
export { teardownSandbox, type TeardownPhase } from './sandboxTeardown';
export { sandboxProfiles } from './sandboxProfiles';

export interface BuildSandboxOptions {
  dir: string;
  sizeMb: number;
  existing: SandboxManifest | null;
  onProgress: (p: SandboxProgress) => void;
  signal?: AbortSignal;
  /** What checkSandboxPrograms found, when the caller asked already (the build then does not search again). */
  programs?: SandboxPrograms;
  /**
   * Called each time the manifest changes: before each resource is made and once it exists. The
   * build has written `<dir>/sandbox.json` (0600, atomically) by then, so a kill mid-build leaves
   * a manifest `down` can clean from.
   */
  onManifest(m: SandboxManifest): void;
}

export interface BuiltSandbox {
  manifest: SandboxManifest;
  serverPasswords: Record<SandboxServerName, string>;
}

export class SandboxBuildError extends ReplicaDeskError {
  constructor(message: string, cause?: unknown) {
    super('sandbox-build-failed', message, 'Run `replica-desk sandbox up` again: it keeps what works and repairs the rest. `replica-desk sandbox down` removes everything the sandbox made.', { cause });
  }
}

const STAND_IN_SCRIPT_FILE = 'stand-in.sh';

/** One build: the manifest as it grows, and how progress is told. */
class Build {
  constructor(
    readonly m: SandboxManifest,
    private readonly o: BuildSandboxOptions,
  ) {}

  /** Writes `<dir>/sandbox.json` and tells the caller. */
  save(): void {
    writeManifestFile(this.m);
    this.o.onManifest(structuredClone(this.m));
  }

  /** Records a path the sandbox is about to create (teardown removes it). */
  claim(path: string): void {
    if (!this.m.paths.includes(path)) {
      this.m.paths.push(path);
      this.save();
    }
  }

  phase(phase: SandboxUpPhase, message: string, extra: Partial<SandboxProgress> = {}): void {
    throwIfAborted(this.o.signal);
    this.o.onProgress({ action: 'up', phase, index: SANDBOX_UP_PHASES.indexOf(phase) + 1, count: SANDBOX_UP_PHASES.length, message, ...extra });
  }
}

async function newManifest(o: BuildSandboxOptions): Promise<SandboxManifest> {
  const pg = o.programs ?? (await checkSandboxPrograms(process.platform, process.env));
  // The manifest is written right after: a directory made here is recorded as the sandbox's.
  const createdDir = !existsSync(o.dir);
  mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  return {
    version: 1,
    dir: o.dir,
    createdAt: new Date().toISOString(),
    sizeMb: o.sizeMb,
    pg,
    clusters: [],
    servers: [],
    keyFile: null,
    pgpassFile: join(o.dir, 'pgpass'),
    paths: [],
    createdDir,
  };
}

/** Where new clusters go: in the sandbox, or (as root, when `postgres` cannot enter it) in a private directory it can. */
async function clusterBase(b: Build): Promise<string> {
  const recorded = b.m.clusters[0];
  if (recorded) return join(recorded.root, '..');
  if (await serverUserCanEnter(b.m.dir)) {
    const base = join(b.m.dir, 'clusters');
    b.claim(base);
    mkdirSync(base, { recursive: true, mode: 0o700 });
    if (runsAsRoot()) handOverToServerUser(base);
    return base;
  }
  const base = join(existsSync('/var/tmp') ? '/var/tmp' : tmpdir(), `replica-desk-sandbox-${randomBytes(6).toString('hex')}`);
  b.claim(base);
  mkdirSync(base, { mode: 0o700 });
  handOverToServerUser(base);
  return base;
}

/** A cluster that runs and answers, made or repaired as needed; returns whether it was reused untouched. */
async function ensureCluster(b: Build, name: (typeof SANDBOX_CLUSTER_NAMES)[number], base: string, signal?: AbortSignal): Promise<boolean> {
  const { binDir } = b.m.pg;
  let c = b.m.clusters.find((x) => x.name === name);
  const setPort = (cluster: SandboxManifestCluster) => (port: number) => {
    cluster.port = port;
    b.save();
  };
  if (c && clusterReady(c)) {
    const state = await clusterState(binDir, c);
    if (state === 'running') return true;
    await startCluster(binDir, c, setPort(c), signal);
    return false;
  }
  if (c) {
    // An initdb that did not finish: nothing in it is worth keeping.
    await stopCluster(binDir, c).catch(() => undefined);
    rmSync(c.root, { recursive: true, force: true });
  } else {
    c = plannedCluster(name, base, await freeLoopbackPort());
    b.m.clusters.push(c);
    b.m.clusters.sort((x, y) => x.name.localeCompare(y.name));
    b.save();
  }
  await initCluster(binDir, c, signal);
  await startCluster(binDir, c, setPort(c), signal);
  return false;
}

const clusterOf = (m: SandboxManifest, name: string): SandboxManifestCluster => m.clusters.find((c) => c.name === name)!;

function ensureFiles(b: Build): boolean {
  const { m } = b;
  let reused = true;
  const script = join(m.dir, STAND_IN_SCRIPT_FILE);
  b.claim(script);
  writeStandInScript(script);
  const serversDir = join(m.dir, 'servers');
  b.claim(serversDir);
  for (const s of SANDBOX_SERVERS) {
    const installDir = join(serversDir, s.name);
    const standInDir = join(installDir, 'stand-in');
    mkdirSync(standInDir, { recursive: true, mode: 0o700 });
    const cluster = clusterOf(m, s.cluster);
    writeStandInConninfo(standInDir, { host: '127.0.0.1', port: cluster.port, database: s.database, user: s.user });
    const entry: SandboxManifestServer = {
      name: s.name,
      role: s.role,
      layout: s.layout,
      cluster: s.cluster,
      database: s.database,
      schema: s.user,
      user: s.user,
      standInDir,
      installDir,
      control: sandboxStandInControl({ dir: standInDir, scriptFile: script, psql: join(m.pg.clientBinDir, 'psql'), pgpassFile: m.pgpassFile }),
      builtStale: s.builtStale,
    };
    const i = m.servers.findIndex((x) => x.name === s.name);
    if (i < 0) reused = false;
    if (i >= 0) m.servers[i] = entry;
    else m.servers.push(entry);
  }
  // The master's passwords are "encrypted": its key file, which a restore copies to each replica.
  const mls = m.servers.find((s) => s.name === 'mls')!;
  const keyDir = join(mls.installDir, 'etc', 'keys');
  const keyFile = join(keyDir, `${mls.database}.${mls.user}.rijndael`);
  if (!existsSync(keyFile)) {
    reused = false;
    mkdirSync(keyDir, { recursive: true, mode: 0o700 });
    writeFileSync(keyFile, randomBytes(48), { mode: 0o600 });
  }
  m.keyFile = keyFile;
  b.save();
  return reused;
}

/** Starts the stand-ins that do not run; returns how many were running already. */
async function ensureStandIns(m: SandboxManifest): Promise<number> {
  const results = await Promise.all(
    m.servers.map(async (s) => {
      if ((await runControlCommand(s.control.status)).code === 0) return true;
      const started = await runControlCommand(s.control.start);
      if (started.code !== 0) throw new SandboxBuildError(`The stand-in server ${s.name} did not start: ${started.stderr.trim() || `exit ${started.code}`}`);
      return false;
    }),
  );
  return results.filter(Boolean).length;
}

/**
 * Builds the sandbox, or reuses and repairs what `existing` records. Throws CancelledError when
 * `signal` aborts, SandboxDiskFullError when a disk runs full; the manifest then lists what exists.
 */
export async function buildSandbox(o: BuildSandboxOptions): Promise<BuiltSandbox> {
  try {
    return await buildOrRepair(o);
  } catch (error) {
    throw diskFullOr(error, o.dir);
  }
}

async function buildOrRepair(o: BuildSandboxOptions): Promise<BuiltSandbox> {
  throwIfAborted(o.signal);
  const reusing = o.existing !== null && existsSync(o.existing.pg.binDir);
  o.onProgress({ action: 'up', phase: 'programs', index: 1, count: SANDBOX_UP_PHASES.length, message: 'Looking for the PostgreSQL server programs and client tools…' });
  const m: SandboxManifest = o.existing ? structuredClone(o.existing) : await newManifest(o);
  if (o.existing && !reusing) m.pg = o.programs ?? (await checkSandboxPrograms(process.platform, process.env));
  mkdirSync(m.dir, { recursive: true, mode: 0o700 });
  const b = new Build(m, o);
  b.save();
  b.phase('programs', `PostgreSQL ${m.pg.version} server programs in ${m.pg.binDir}, client tools in ${m.pg.clientBinDir}.`, reusing ? { reused: true } : {});

  b.phase('clusters', 'Starting the throwaway PostgreSQL clusters on free loopback ports…');
  const base = await clusterBase(b);
  const reusedClusters = await Promise.all(SANDBOX_CLUSTER_NAMES.map((name) => ensureCluster(b, name, base, o.signal)));
  b.phase('clusters', `Clusters running: ${m.clusters.map((c) => `${c.name} on port ${c.port}`).join(', ')}.`, reusedClusters.every(Boolean) ? { reused: true } : {});

  b.claim(m.pgpassFile);
  const passwords = sandboxPasswords(m.pgpassFile);
  writeSandboxPgpass(m.pgpassFile, passwords);
  await ensureDatabases(m.clusters, m.sizeMb, passwords, (phase, message, extra) => b.phase(phase, message, extra), o.signal);

  b.phase('files', 'Writing the master\'s key file and the stand-in servers\' directories…');
  const reusedFiles = ensureFiles(b);
  b.phase('files', `Key file ${m.keyFile}; stand-in servers in ${join(m.dir, 'servers')}.`, reusedFiles ? { reused: true } : {});

  b.phase('servers', 'Starting the stand-in server processes (each holds a database session)…');
  const running = await ensureStandIns(m);
  b.phase('servers', `Stand-in servers running: ${m.servers.map((s) => s.name).join(', ')}.`, running === m.servers.length ? { reused: true } : {});
  return { manifest: structuredClone(m), serverPasswords: passwords };
}
