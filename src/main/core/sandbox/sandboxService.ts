// The sandbox installation: what the CLI (`replica-desk sandbox up|status|down`), the app's
// *Try the sandbox* and `npm run demo` drive. The implementation builds throwaway PostgreSQL
// clusters, a generated CoreMedia master and replicas, stand-in server processes, the key
// file, keychain entries and the imported profile, and removes exactly those again.
//
// The OS-level work is sandboxMachine.ts's; this file orders it with the data directory's
// state (sandboxStore.ts), the lock (sandboxLock.ts), the keychain (sandboxKeychain.ts) and
// the profile (sandboxProfile.ts), and checks what must hold before anything is made.
import { resolve, join } from 'node:path';
import type { Installation, ServerRef } from '../../../shared/profiles';
import {
  SANDBOX_DEFAULT_SIZE_MB,
  SANDBOX_DOWN_PHASES,
  SANDBOX_INSTALLATION,
  SANDBOX_MAX_SIZE_MB,
  SANDBOX_MIN_SIZE_MB,
  SANDBOX_UP_PHASES,
  type SandboxDownReport,
  type SandboxProgress,
  type SandboxStatus,
  type SandboxUpOptions,
} from '../../../shared/sandbox';
import type { KeychainHealth } from '../../../shared/keychainHealth';
import { CancelledError } from '../cancellation';
import { InvalidInputError, ReplicaDeskError } from '../errors';
import type { RunStore } from '../history/runStore';
import type { DumpRetention } from '../history/dumpRetention';
import type { Logger } from '../logging/logger';
import type { SandboxKeychain } from './sandboxKeychain';
import type { SandboxLock } from './sandboxLock';
import { buildSandbox, checkSandboxPrograms, inspectSandbox, manifestPath, readManifestFile, sandboxProfiles, teardownSandbox, writeManifestFile, type SandboxManifest } from './sandboxMachine';
import { SANDBOX_SERVER_NAMES } from './sandboxManifest';
import type { SandboxProfile } from './sandboxProfile';
import type { SandboxState, SandboxStore } from './sandboxStore';
import { ForeignSandboxInstallationError, SandboxCancelledError, SandboxInUseError, SandboxKeychainError, SandboxMismatchError } from './sandboxErrors';

export type SandboxProgressListener = (progress: SandboxProgress) => void;

export interface SandboxService {
  /** Builds the sandbox, or reuses (and repairs) what an earlier `up` made. Cancellable: throws CancelledError, leaving what exists recorded for `down`. */
  up(options: SandboxUpOptions, onProgress?: SandboxProgressListener, signal?: AbortSignal): Promise<SandboxStatus>;
  status(): Promise<SandboxStatus>;
  /** Stops and removes everything the sandbox made, and only that. The sandbox's runs stay in the history. */
  down(onProgress?: SandboxProgressListener, signal?: AbortSignal): Promise<SandboxDownReport>;
}

export interface SandboxServiceDeps {
  /** The data directory: the sandbox lives in `<home>/sandbox` unless `up` is given a dir. */
  home: string;
  env: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  log: Logger;
  state: SandboxStore;
  lock: SandboxLock;
  keychain: SandboxKeychain;
  profile: SandboxProfile;
  /** The one harmless keychain read made before anything is built (secrets/keychainHealth.ts). */
  keychainHealth: () => Promise<KeychainHealth>;
  runs: RunStore;
  /** The sandbox runs' dumps go with the sandbox (history/dumpRetention.ts). */
  dumps: Pick<DumpRetention, 'deleteSandboxDumps'>;
}

export function validateSandboxSize(sizeMb: unknown): number {
  if (typeof sizeMb !== 'number' || !Number.isInteger(sizeMb) || sizeMb < SANDBOX_MIN_SIZE_MB || sizeMb > SANDBOX_MAX_SIZE_MB) {
    throw new InvalidInputError(`The sandbox's size must be a whole number of MB between ${SANDBOX_MIN_SIZE_MB} and ${SANDBOX_MAX_SIZE_MB} (got ${String(sizeMb)}).`, [
      { path: '$.sizeMb', message: `not a whole number between ${SANDBOX_MIN_SIZE_MB} and ${SANDBOX_MAX_SIZE_MB}` },
    ]);
  }
  return sizeMb;
}

/** Progress with its index and count taken from the phase lists, whoever reported it. */
function numbered(listener: SandboxProgressListener | undefined, action: 'up' | 'down'): (p: Omit<SandboxProgress, 'index' | 'count' | 'action'> & Partial<SandboxProgress>) => void {
  const phases: readonly string[] = action === 'up' ? SANDBOX_UP_PHASES : SANDBOX_DOWN_PHASES;
  return (p) => listener?.({ ...p, action, index: phases.indexOf(p.phase) + 1, count: phases.length });
}

/** The installation the manifest's profile holds, or null while the build has not made every server. */
function builtProfile(manifest: SandboxManifest): Installation | null {
  if (manifest.servers.length < SANDBOX_SERVER_NAMES.length) return null;
  try {
    return sandboxProfiles(manifest).installations[0] ?? null;
  } catch {
    return null;
  }
}

const isCancel = (e: unknown, signal?: AbortSignal) => e instanceof CancelledError || (e instanceof ReplicaDeskError && e.code === 'cancelled') || signal?.aborted === true;

export class LocalSandboxService implements SandboxService {
  private readonly platform: NodeJS.Platform;

  constructor(private readonly deps: SandboxServiceDeps) {
    this.platform = deps.platform ?? process.platform;
  }

  async up(options: SandboxUpOptions, onProgress?: SandboxProgressListener, signal?: AbortSignal): Promise<SandboxStatus> {
    const sizeGiven = options.sizeMb === undefined ? undefined : validateSandboxSize(options.sizeMb);
    const dirGiven = options.dir === undefined ? undefined : resolve(options.dir);
    const progress = numbered(onProgress, 'up');
    const release = this.deps.lock.acquire('up');
    try {
      let state = this.deps.state.get();
      if (!state) this.refuseForeignInstallation();
      const existing = state ? this.manifestOf(state).manifest : null;
      if (state && existing) this.refuseMismatch(state, dirGiven, sizeGiven);
      if (state) this.refuseActiveRun('up');
      // Before anything is made: the programs, and a keychain that answers.
      progress({ phase: 'programs', message: 'Checking the PostgreSQL programs, and that the keychain answers…' });
      const programs = await checkSandboxPrograms(this.platform, this.deps.env);
      const keychain = await this.deps.keychainHealth();
      if (keychain.state !== 'ok') throw new SandboxKeychainError(keychain);
      // A sandbox whose build made nothing yet may still move or change its size.
      const dir = (existing ? state?.dir : undefined) ?? dirGiven ?? state?.dir ?? join(this.deps.home, 'sandbox');
      const sizeMb = (existing ? state?.sizeMb : undefined) ?? sizeGiven ?? state?.sizeMb ?? SANDBOX_DEFAULT_SIZE_MB;
      // Ownership is recorded before anything is built: from here on `down` cleans up.
      if (!state) state = this.deps.state.create({ installation: SANDBOX_INSTALLATION, dir, sizeMb }, () => this.refuseForeignInstallation());
      else if (!existing) this.deps.state.update({ dir, sizeMb });
      this.deps.log.info(existing ? 'sandbox up: reusing what exists' : 'sandbox up: building', { dir, sizeMb });

      const built = await buildSandbox({
        dir,
        sizeMb,
        existing,
        programs,
        signal,
        onProgress: (p) => progress(p),
        // Written before each resource is made: a kill at any moment leaves what `down` cleans from.
        onManifest: (m) => {
          writeManifestFile(m);
          this.deps.state.manifestWritten(m);
        },
      });
      if (signal?.aborted) throw new SandboxCancelledError('up');
      const file = sandboxProfiles(built.manifest);
      const installation = file.installations[0]!;

      progress({ phase: 'keychain', message: "storing the servers' passwords in the keychain" });
      const written = await this.deps.keychain.store(installation, built.serverPasswords);
      progress({ phase: 'keychain', message: written === 0 ? 'the keychain holds every password already' : `${written} password(s) stored in the keychain`, reused: written === 0 });

      progress({ phase: 'profiles', message: `importing the installation "${installation.name}" and approving its control commands` });
      const outcome = await this.deps.profile.apply(file);
      progress({ phase: 'profiles', message: outcome === 'unchanged' ? 'the profile is up to date' : `the profile was ${outcome}, its control commands approved`, reused: outcome === 'unchanged' });
      this.deps.log.info('sandbox up: done', { dir, profile: outcome, passwordsWritten: written });
    } catch (e) {
      if (isCancel(e, signal)) {
        this.deps.log.info('sandbox up cancelled');
        throw new SandboxCancelledError('up');
      }
      throw e;
    } finally {
      release();
    }
    return this.status();
  }

  async status(): Promise<SandboxStatus> {
    const state = this.deps.state.get();
    const busy = this.deps.lock.holder();
    if (!state) return { exists: false, installation: SANDBOX_INSTALLATION, dir: null, createdAt: null, sizeMb: null, clusters: [], servers: [], problems: [], keychain: [], profileImported: false, busy };
    const problems: string[] = [];
    let manifest: SandboxManifest | null = null;
    try {
      const found = this.manifestOf(state);
      manifest = found.manifest;
      if (!manifest) problems.push(`no manifest in ${state.dir}: nothing was built yet (\`sandbox up\` builds it)`);
      else if (found.from === 'copy') problems.push(`the manifest ${manifestPath(state.dir)} is gone; the copy in the local database stands in (\`sandbox up\` writes it again)`);
    } catch (e) {
      problems.push(e instanceof Error ? e.message : String(e));
    }
    const inspected = manifest ? await inspectSandbox(manifest) : { clusters: [], servers: [], problems: [] };
    problems.push(...inspected.problems);

    const refs = this.serverRefs(state, manifest);
    let keychain: Array<{ account: string; stored: boolean }> = [];
    try {
      keychain = await this.deps.keychain.entries(refs);
      for (const entry of keychain) if (!entry.stored) problems.push(`the keychain has no entry ${entry.account} (\`sandbox up\` stores it)`);
    } catch (e) {
      problems.push(`the keychain cannot be read: ${e instanceof Error ? e.message : String(e)}`);
    }
    let profileImported = false;
    if (manifest) {
      const installation = builtProfile(manifest);
      profileImported = installation !== null && this.deps.profile.isCurrent(installation);
      if (!installation) problems.push('the build did not finish: not every cluster and server exists yet (`sandbox up` finishes it)');
      else if (!profileImported) {
        problems.push(this.deps.profile.stored(state.installation) ? `the profile "${state.installation}" differs from what the sandbox built (\`sandbox up\` imports it again)` : `the profile "${state.installation}" is missing (\`sandbox up\` imports it)`);
      }
    }
    return {
      exists: true,
      installation: SANDBOX_INSTALLATION,
      dir: state.dir,
      createdAt: manifest?.createdAt ?? state.createdAt,
      sizeMb: manifest?.sizeMb ?? state.sizeMb,
      clusters: inspected.clusters,
      servers: inspected.servers,
      problems,
      keychain,
      profileImported,
      busy,
    };
  }

  async down(onProgress?: SandboxProgressListener, signal?: AbortSignal): Promise<SandboxDownReport> {
    const progress = numbered(onProgress, 'down');
    const release = this.deps.lock.acquire('down');
    try {
      const state = this.deps.state.get();
      if (!state) return { removed: [], keptRuns: this.deps.state.runCount(), existed: false };
      this.refuseActiveRun('down');
      const { manifest } = this.manifestOf(state);
      const removed: string[] = [];

      progress({ phase: 'keychain', message: 'removing the keychain entries' });
      const accounts = await this.deps.keychain.remove(this.serverRefs(state, manifest));
      removed.push(...accounts.map((a) => `keychain entry ${a}: removed`));

      progress({ phase: 'profiles', message: `removing the installation "${state.installation}"` });
      if (await this.deps.profile.remove(state.installation)) removed.push(`installation ${state.installation}: removed, with its command approvals and cached topology`);

      if (manifest) {
        removed.push(...(await teardownSandbox(manifest, (p) => progress(p), signal)));
      } else {
        progress({ phase: 'files', message: `no manifest in ${state.dir}: the build had made nothing` });
      }
      if (signal?.aborted) throw new SandboxCancelledError('down');
      removed.push(...this.forgetRunData());
      this.deps.state.remove();
      const keptRuns = this.deps.state.runCount();
      this.deps.log.info('sandbox down: done', { dir: state.dir, removed: removed.length, keptRuns });
      return { removed, keptRuns, existed: true };
    } catch (e) {
      if (isCancel(e, signal)) throw new SandboxCancelledError('down');
      throw e;
    } finally {
      release();
    }
  }

  /**
   * The sandbox runs stay in the history, but what they left in the sandbox goes with it: their
   * dumps are deleted, and the schemas they kept aside (gone with the clusters) are recorded as discarded.
   */
  private forgetRunData(): string[] {
    const runIds = this.deps.state.runIds();
    const lines: string[] = [];
    const dumps = this.deps.dumps.deleteSandboxDumps(runIds);
    for (const d of dumps.deleted) lines.push(`dump of run ${d.runId} (${d.file}): deleted`);
    for (const failure of dumps.failed) lines.push(`dump ${failure} (not deleted; remove it by hand)`);
    for (const k of this.deps.runs.kept.list({ runIds, state: 'kept' })) {
      this.deps.runs.kept.markDiscarded({ runId: k.runId, replica: k.replica, name: k.schema, kind: k.kind, bytes: k.bytes });
      lines.push(`kept schema ${k.schema} of run ${k.runId}: gone with its cluster, recorded as discarded`);
    }
    return lines;
  }

  /**
   * What the sandbox made: its manifest file, or when that is gone the copy the build last
   * reported (a removed sandbox directory leaves clusters that may live elsewhere).
   */
  private manifestOf(state: SandboxState): { manifest: SandboxManifest | null; from: 'file' | 'copy' | null } {
    const file = readManifestFile(state.dir);
    if (file) return { manifest: file, from: 'file' };
    const copy = this.deps.state.manifestCopy();
    return copy ? { manifest: copy, from: 'copy' } : { manifest: null, from: null };
  }

  /** Never touch an installation of the sandbox's name that the sandbox did not create. */
  private refuseForeignInstallation(): void {
    if (!this.deps.profile.stored(SANDBOX_INSTALLATION)) return;
    throw new ForeignSandboxInstallationError();
  }

  private refuseMismatch(state: SandboxState, dir: string | undefined, sizeMb: number | undefined): void {
    if (dir !== undefined && dir !== state.dir) {
      throw new SandboxMismatchError(`The sandbox already exists in ${state.dir}; it was not moved to ${dir}.`, 'Run `replica-desk sandbox up` without --dir to reuse it, or `replica-desk sandbox down` first to build a new one elsewhere.');
    }
    if (sizeMb !== undefined && sizeMb !== state.sizeMb) {
      throw new SandboxMismatchError(`The sandbox already exists with a ${state.sizeMb} MB master; it was not rebuilt with ${sizeMb} MB.`, 'Run `replica-desk sandbox up` without --size to reuse it, or `replica-desk sandbox down` first to build one of another size.');
    }
  }

  private refuseActiveRun(action: 'up' | 'down'): void {
    const stored = this.deps.profile.stored(SANDBOX_INSTALLATION);
    const replicas = stored ? stored.servers.map((s) => s.name) : [...SANDBOX_SERVER_NAMES];
    const [active] = this.deps.runs.activeRunsOn(SANDBOX_INSTALLATION, replicas);
    if (active) throw new SandboxInUseError(action, active);
  }

  /** Every server the sandbox may have keychain entries for: the manifest's, the profile's, the usual names. */
  private serverRefs(state: SandboxState, manifest: SandboxManifest | null): ServerRef[] {
    const names = new Set<string>(SANDBOX_SERVER_NAMES);
    for (const s of manifest?.servers ?? []) names.add(s.name);
    for (const s of this.deps.profile.stored(state.installation)?.servers ?? []) names.add(s.name);
    return [...names].map((server) => ({ installation: state.installation, server }));
  }
}
