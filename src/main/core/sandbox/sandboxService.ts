// The sandbox installation: what the CLI (`replica-desk sandbox up|status|down`), the app's
// *Try the sandbox* and `npm run demo` drive. The implementation builds throwaway PostgreSQL
// clusters, a generated CoreMedia master and replicas, stand-in server processes, the key
// file, keychain entries and the imported profile, and removes exactly those again.
import type { SandboxDownReport, SandboxProgress, SandboxStatus, SandboxUpOptions } from '../../../shared/sandbox';

export type SandboxProgressListener = (progress: SandboxProgress) => void;

export interface SandboxService {
  /** Builds the sandbox, or reuses (and repairs) what an earlier `up` made. Cancellable: throws CancelledError, leaving what exists recorded for `down`. */
  up(options: SandboxUpOptions, onProgress?: SandboxProgressListener, signal?: AbortSignal): Promise<SandboxStatus>;
  status(): Promise<SandboxStatus>;
  /** Stops and removes everything the sandbox made, and only that. The sandbox's runs stay in the history. */
  down(onProgress?: SandboxProgressListener, signal?: AbortSignal): Promise<SandboxDownReport>;
}
