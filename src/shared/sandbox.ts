// The sandbox installation (`replica-desk sandbox up|status|down`, the app's *Try the sandbox*)
// and the keychain health check made at start. Shared by the core, the CLI, IPC and the
// renderer; no Node or Electron import.

/** The installation the sandbox creates and owns; it is never confused with production. */
export const SANDBOX_INSTALLATION = 'sandbox';

export const SANDBOX_DEFAULT_SIZE_MB = 50;
export const SANDBOX_MIN_SIZE_MB = 1;
export const SANDBOX_MAX_SIZE_MB = 20_000;

export interface SandboxUpOptions {
  /** About how many MB the master's generated content-server database holds (default 50). */
  sizeMb?: number;
  /** Where the clusters, stand-in servers and key files live (default `<data dir>/sandbox`). */
  dir?: string;
}

/** The phases of `sandbox up`, in order; progress reports one at a time. */
export const SANDBOX_UP_PHASES = [
  'programs', // PostgreSQL server programs and client tools found (or the package to install named)
  'clusters', // throwaway clusters initialised and running on free loopback ports
  'master', // the master's content-server database generated (the bulk of the time)
  'replicas', // the replicas' databases, in both layouts, one of them stale
  'files', // the master's key file, the stand-in servers' directories
  'servers', // stand-in server processes started (each holds a database session)
  'keychain', // passwords stored in the keychain
  'profiles', // the installation imported, its control commands approved
] as const;
export type SandboxUpPhase = (typeof SANDBOX_UP_PHASES)[number];

/**
 * The phases of `sandbox down`, in order. The keychain entries and the profile go first, so
 * nothing offers the installation while its servers and clusters are taken away.
 */
export const SANDBOX_DOWN_PHASES = ['keychain', 'profiles', 'servers', 'clusters', 'files'] as const;
export type SandboxDownPhase = (typeof SANDBOX_DOWN_PHASES)[number];

export interface SandboxProgress {
  action: 'up' | 'down';
  phase: SandboxUpPhase | SandboxDownPhase;
  /** 1-based index of the phase and how many there are. */
  index: number;
  count: number;
  /** One line for a person: what is happening now. */
  message: string;
  /** Within a phase that moves data (the master's generation): MB done of MB total. */
  doneMb?: number;
  totalMb?: number;
  /** The phase found its work done already (a second `up` reuses what exists). */
  reused?: boolean;
}

export interface SandboxCluster {
  /** `a` (the master and the shared-database replica) or `b` (the replica with its own database). */
  name: string;
  port: number;
  dataDir: string;
  running: boolean;
  /** The server's major version, e.g. 15. */
  version: number | null;
}

export interface SandboxServer {
  name: string;
  role: 'master' | 'replica';
  layout: 'shared-database' | 'database-per-server';
  database: string;
  schema: string;
  cluster: string;
  /** The stand-in server process's status command exits 0 (it holds its database session). */
  running: boolean;
  /** Whether the sandbox built this replica stale, behind the master's changelog. */
  builtStale: boolean;
}

export interface SandboxStatus {
  /** False when no sandbox exists for this data directory; the rest is then empty. */
  exists: boolean;
  installation: typeof SANDBOX_INSTALLATION;
  dir: string | null;
  createdAt: string | null;
  sizeMb: number | null;
  clusters: SandboxCluster[];
  servers: SandboxServer[];
  /** Problems seen (a cluster's data directory gone, a port taken): what `up` will repair or `down` remove. */
  problems: string[];
  /** The servers' keychain entries (`sandbox/<server>/db`) and whether each is stored. */
  keychain?: Array<{ account: string; stored: boolean }>;
  /** The installation `sandbox` is in the profiles with its control commands approved. */
  profileImported?: boolean;
  /** A `sandbox up` or `down` at work now (CLI or app), or null. */
  busy?: { action: 'up' | 'down'; pid: number; host: string; startedAt: string } | null;
}

export interface SandboxDownReport {
  /** Everything removed, one line each (e.g. "cluster a (port 5433): stopped, data directory removed"). */
  removed: string[];
  /** Runs of the sandbox that stay in the history, marked as sandbox runs. */
  keptRuns: number;
  /** False when there was nothing to remove. */
  existed: boolean;
}
