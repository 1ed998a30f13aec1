// A restore run as the CLI's --json, the app's history and reports show it
// (shared/contracts): runId, status, per replica its outcome and steps, every step, the
// changelog position, the compensation that ran, and optionally the masked log.
import type { RestoreMode, RunKind, RunStatus } from './restorePlan';
import type { ConnectionEncryption } from './connectionEncryption';

export interface CompensationEntry {
  action: string;
  target: string;
  outcome: 'done' | 'failed' | 'left-stopped';
  message: string;
  at: string;
}

export interface LogRow {
  at: string;
  level: string;
  stepSeq: number | null;
  message: string;
}

/** The dump a run made of the master: on disk, deleted (by retention or the admin), or missing. */
export interface RunDump {
  file: string;
  bytes: number;
  state: 'present' | 'deleted' | 'missing';
  deleted: DumpDeletion | null;
}

export interface DumpDeletion {
  at: string;
  /** `retention`: pruned as older than the newest N; `admin`: deleted by hand; `sandbox-down`: removed with the sandbox it was a dump of. */
  reason: 'retention' | 'admin' | 'sandbox-down';
}

/** How a dump came to be deleted, in words: "by retention", "by the admin", "with the sandbox". */
export const dumpDeletedBy = (reason: DumpDeletion['reason']): string =>
  reason === 'retention' ? 'by retention' : reason === 'sandbox-down' ? 'with the sandbox' : 'by the admin';

/**
 * A schema a side-by-side run set aside beside a replica's schema, as the history keeps it:
 * the previous schema after the swap (`<schema>__rd_prev_<runtag>`), or the restored one
 * after a rollback (`<schema>__rd_undone_<runtag>`).
 */
export interface KeptSchemaRecord {
  /** The schema's name in the replica's database. */
  schema: string;
  /** `prev`: the replica's previous schema; `undone`: the restored schema a rollback set aside. */
  kind: 'prev' | 'undone';
  /** Its size (tables, indexes, TOAST) when it was set aside or last measured; null when unknown. */
  bytes: number | null;
  /**
   * `kept`: still there, holding disk space; `rolled-back`: a rollback made it the replica's
   * schema again; `discarded`: dropped by `runs discard` (or the app).
   */
  state: 'kept' | 'rolled-back' | 'discarded';
  /** When it reached this state (ISO). */
  at: string;
  /** The rollback run that swapped it (back in, or aside); null otherwise. */
  byRun: string | null;
}

export interface RunRecordStep {
  seq: number;
  id: string;
  replica: string | null;
  title: string;
  status: string;
  startedAt: string | null;
  finishedAt: string | null;
  message: string | null;
  captured: Record<string, unknown>;
}

export interface RunRecord {
  runId: string;
  installation: string;
  /** A run of the sandbox installation (`replica-desk sandbox up`): never a production run. Stays after `sandbox down`. */
  sandbox: boolean;
  status: RunStatus;
  interrupted: boolean;
  resumable: boolean;
  createdAt: string;
  finishedAt: string | null;
  message: string | null;
  backup: unknown;
  /** The run's own dump (null when it made none, or used a file given with --from-backup). */
  dump: RunDump | null;
  changelog: { sequenceNo: string; idTag: string; lastNonLocal?: unknown; newestIsLocal?: boolean } | null;
  /** `in-place` (the vendor's procedure) or `side-by-side` (shadow schema, then a swap). */
  mode: RestoreMode;
  /** `restore`, or `rollback` (a side-by-side run undone; absent means restore in older records). */
  kind: RunKind;
  /** A rollback: the run it rolled back; null otherwise. */
  rollbackOf: string | null;
  replicas: Array<{
    replica: string;
    status: string;
    message: string | null;
    changelog: unknown;
    verification: unknown;
    /** Stop requested → seen running again, in ms; null until the replica runs again. */
    downtimeMs: number | null;
    /** Side by side: the name the previous schema is kept under after the swap; null otherwise. */
    keptSchema: string | null;
    /**
     * What the history knows of the schema this run keeps aside for the replica: the previous
     * one after the swap; once the run was rolled back, the restored one the rollback set
     * aside. Null when the run kept none.
     */
    kept: KeptSchemaRecord | null;
    /** Set when a later rollback run undid this run's swap for the replica. */
    rolledBack: { byRun: string; at: string } | null;
    steps: RunRecordStep[];
  }>;
  steps: RunRecordStep[];
  compensation: CompensationEntry[];
  preflight: unknown;
  /** Per database the run connected to (`installation/server`): TLS or not; absent in runs recorded before this was kept. */
  connections?: Record<string, ConnectionEncryption>;
  log?: LogRow[];
}


/** A kept schema `runs discard` (or the app) is about to drop, or dropped. */
export interface KeptSchemaDiscard {
  /** `installation/server`. */
  replica: string;
  runId: string;
  schema: string;
  kind: 'prev' | 'undone';
  /** Its size right before the drop (what it frees); null when it could not be measured. */
  bytes: number | null;
  /** False when it was already gone from the database (the history records the discard all the same). */
  existed: boolean;
}

/** A schema kept beside a replica's schema, as its database shows it now (`runs kept`). */
export interface HeldKeptSchema {
  schema: string;
  kind: 'prev' | 'undone';
  bytes: number;
  /** The run whose tag the name carries; null when no run in this history has that tag. */
  runId: string | null;
}

/** Per replica: the kept schemas its database holds now, or why they could not be listed. */
export interface KeptSchemaListing {
  /** `installation/server`. */
  replica: string;
  schemas: HeldKeptSchema[];
  error: string | null;
}

/** A page of the run list, newest first (`runs list --json`, the listRunPage operation). */
export interface RunPage {
  runs: RunRecord[];
  /** How many runs the filter matches in all. */
  total: number;
  /** How many newer runs were skipped before this page. */
  offset: number;
  /** More runs follow this page (offset + runs.length < total). */
  truncated: boolean;
}
