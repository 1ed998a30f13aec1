// What a topology probe found, as the CLI's `topology --json`, the cache and the
// renderer's topology view all see it. Sequence numbers and lags are 64-bit values and
// travel as decimal text. No Node and no DOM here: main and renderer both import it.
import type { ErrorPayload } from './result';
import type { ConnectionEncryption } from './connectionEncryption';
import type { RouteBreak, RouteView } from './sshRoutes';

export const DEFAULT_TOPOLOGY_TIMEOUT_MS = 5_000;

export interface ChangelogPosition {
  /** 64-bit, as decimal text. */
  sequenceNo: string;
  idTag: string;
}

export interface ChangelogHeadProbe extends ChangelogPosition {
  /** The newest event with code <> 15 (not local); null when every event is local. */
  lastNonLocal: ChangelogPosition | null;
  newestIsLocal: boolean;
}

/** Every row of each replicator property, in no particular order, so duplicates show. */
export interface ReplicatorRows {
  remote: string[];
  local: string[];
  tag: string[];
}

export interface DatabaseProbe {
  /** A connection was established (the repository may still have been unreadable). */
  reachable: boolean;
  /**
   * What went wrong first, classified, with the admin's next step. With `reachable` false
   * the connection failed; with `reachable` true reading the repository did.
   */
  error: ErrorPayload | null;
  /** `server_version`, e.g. `15.4`. */
  serverVersion: string | null;
  serverVersionNum: number | null;
  /** Whether the probe's connection was encrypted; null when it did not connect (and in probes cached before this was recorded). */
  encryption?: ConnectionEncryption | null;
  /** Which cluster and database the connection really reached (pg_control_system()). */
  cluster: { systemIdentifier: string; database: string } | null;
  /** The agreed `repository_server_type`; null when missing or the rows disagree. */
  serverType: string | null;
  serverTypeRows: string[];
  replicator: ReplicatorRows | null;
  /** Read on the master only. */
  changelogHead: ChangelogHeadProbe | null;
  elapsedMs: number;
}

/**
 * `not-configured`: the profile has no control.status; `not-approved`: it has one the admin
 * has not approved, so it was not run; `unknown`: it could not be run.
 */
export type ProcessState = 'running' | 'stopped' | 'unknown' | 'not-configured' | 'not-approved';

export interface ProcessProbe {
  state: ProcessState;
  /** control.status's exit code (0 while running); null when it did not run or was killed. */
  exitCode: number | null;
  error: ErrorPayload | null;
  elapsedMs: number | null;
}

/** The replica's newest restore attempt in the local history (a rollback is not a restore). */
export interface LastRestore {
  runId: string;
  /** The replica's outcome in that run; `interrupted` for a run whose process is gone. */
  status: 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';
  startedAt: string;
  finishedAt: string | null;
  message: string | null;
  /** The replica's newest rollback attempt after that restore; null when none (absent in snapshots cached before). */
  rollback?: LastRollback | null;
}

/** A rollback attempt of the replica (`runs rollback`), with the run it rolls back. */
export type LastRollback = Omit<LastRestore, 'rollback'> & { rollbackOf: string | null };

export interface ServerProbe {
  name: string;
  /** `installation/server` */
  ref: string;
  role: 'master' | 'replica';
  /** The connection as the profile says (no secrets exist in a profile). */
  connection: { host: string; port: number; database: string; user: string; schema: string; sslmode: string };
  database: DatabaseProbe;
  process: ProcessProbe;
  /** Replicas: `replicator_remote` when its rows agree; null otherwise and on the master. */
  position: string | null;
  /** Replicas: master changelog head − position, as decimal text (negative when ahead); null when unknown. */
  lag: string | null;
  /** Replicas only; null when the history has no restore of it. */
  lastRestore: LastRestore | null;
  /** Present when the database is reached through an SSH tunnel (profile `db.tunnel`). */
  route?: RouteView;
  /** Where that route broke during this probe (then `database` says unreachable). */
  routeBreak?: RouteBreak;
  elapsedMs: number;
}

export const TOPOLOGY_FLAG_CODES = [
  'unreachable',
  'probe-failed',
  'master-not-publication',
  'replica-is-publication',
  'duplicate-replicator-rows',
  'duplicate-server-type-rows',
  'replica-ahead-of-master',
  'shared-schema',
  'no-replicator-position',
] as const;
export type TopologyFlagCode = (typeof TOPOLOGY_FLAG_CODES)[number];

/** An inconsistency an admin must see, with what to do about it. */
export interface TopologyFlag {
  code: TopologyFlagCode;
  severity: 'error' | 'warning';
  /** Server names the flag is about (two or more for shared-schema). */
  servers: string[];
  message: string;
  hint: string;
}

export interface TopologySnapshot {
  installation: string;
  /** When the probe started, ISO 8601. */
  probedAt: string;
  timeoutMs: number;
  elapsedMs: number;
  /** The master first, then the replicas in profile order. */
  servers: ServerProbe[];
  flags: TopologyFlag[];
}

/** `topology --json` prints this. */
export interface TopologyDocument {
  installations: TopologySnapshot[];
}
