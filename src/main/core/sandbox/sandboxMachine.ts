// The sandbox's OS-level machinery, as the sandbox service (sandboxService.ts) drives it:
// build (or repair) the clusters, the generated master and replicas, the key file and the
// stand-in server processes; inspect what runs; tear down exactly what the manifest lists.
import type { ProfilesFile } from '../../../shared/profiles';
import type { SandboxProgress, SandboxStatus } from '../../../shared/sandbox';
import type { SandboxManifest, SandboxServerName } from './sandboxManifest';

export type { SandboxManifest } from './sandboxManifest';
export { checkSandboxPrograms, type SandboxPrograms } from './pgPrograms';
export { readManifestFile, writeManifestFile, removeManifestFile, manifestPath } from './sandboxManifest';

export interface BuildSandboxOptions {
  dir: string;
  sizeMb: number;
  existing: SandboxManifest | null;
  onProgress: (p: SandboxProgress) => void;
  signal?: AbortSignal;
  /** Called as soon as each resource exists (and before it is made), so a kill mid-build leaves a manifest `down` can clean from. */
  onManifest(m: SandboxManifest): void;
}

export interface BuiltSandbox {
  manifest: SandboxManifest;
  serverPasswords: Record<SandboxServerName, string>;
}

export async function buildSandbox(o: BuildSandboxOptions): Promise<BuiltSandbox> {
  void o;
  throw new Error('not implemented yet');
}

export async function inspectSandbox(m: SandboxManifest): Promise<Pick<SandboxStatus, 'clusters' | 'servers' | 'problems'>> {
  void m;
  throw new Error('not implemented yet');
}

export async function teardownSandbox(m: SandboxManifest, onProgress: (p: SandboxProgress) => void, signal?: AbortSignal): Promise<string[]> {
  void m;
  void onProgress;
  void signal;
  throw new Error('not implemented yet');
}

export function sandboxProfiles(m: SandboxManifest): ProfilesFile {
  void m;
  throw new Error('not implemented yet');
}
