// The API contract shared by main, preload and renderer: every operation's name, the zod
// schema that main uses to check its request, and the type of its answer. Adding an
// operation means adding it here; the preload, the IPC registration, the HTTP bridge and
// the renderer's client all follow from this table.
import { z } from 'zod';
import { InstallationSchema, SshHopSchema, type Installation, type ProfilesFile } from './profiles';
import type { Result } from './result';
import type { PreflightFinding, RestorePlan } from './restorePlan';
import type { RestoreEvent } from './restoreEvents';
import type { KeptSchemaDiscard, RunDump, RunPage, RunRecord } from './runRecord';
import { SettingsUpdateSchema, type AppSettings } from './settings';
import type { ConnectionEncryption } from './connectionEncryption';
import type { RouteHopResult, RouteView } from './sshRoutes';
import type { TopologySnapshot } from './topology';
import type { ControlCommand, ImportedCommand } from './commandApprovals';
import { channelFor, operations, RESTORE_EVENT_CHANNEL, SANDBOX_EVENT_CHANNEL, type Operation } from './operations';
import type { KeychainHealth } from './keychainHealth';
import { SANDBOX_MAX_SIZE_MB, SANDBOX_MIN_SIZE_MB, type SandboxStatus } from './sandbox';
import type { SandboxDownReply, SandboxEvent, SandboxStatusReply } from './sandboxEvents';

export { channelFor, operations, RESTORE_EVENT_CHANNEL, SANDBOX_EVENT_CHANNEL, type Operation };

const ServerRefSchema = z.object({ installation: z.string().min(1), server: z.string().min(1) });
/** The keychain kinds of a server's own secrets: database password, SSH host, tunnel endpoint. */
export const BASE_SECRET_KINDS = ['db', 'ssh', 'tunnel'] as const;
/** One kind per jump host, numbered from this workstation: `ssh-jump1` leads to the server's host, `tunnel-jump1` to the tunnel endpoint. */
export const JUMP_SECRET_KINDS = (['ssh', 'tunnel'] as const).flatMap((base) => [1, 2, 3, 4, 5, 6, 7, 8].map((n) => `${base}-jump${n}` as const));
const SecretKindSchema = z.enum([...BASE_SECRET_KINDS, ...JUMP_SECRET_KINDS]);
export type SecretKind = z.infer<typeof SecretKindSchema>;
export type BaseSecretKind = (typeof BASE_SECRET_KINDS)[number];
export type JumpSecretKind = (typeof JUMP_SECRET_KINDS)[number];
export const isSecretKind = (text: string): text is SecretKind => SecretKindSchema.safeParse(text).success;

export const requestSchemas = {
  listInstallations: z.object({}).strict(),
  saveInstallation: z
    .object({
      /** The installation's name before this edit; absent when creating one. */
      previousName: z.string().min(1).optional(),
      installation: z.unknown(),
      /** Servers renamed in this edit, so their keychain entries move along. */
      serverRenames: z.array(z.object({ from: z.string().min(1), to: z.string().min(1) })).default([]),
    })
    .strict(),
  deleteInstallation: z.object({ name: z.string().min(1) }).strict(),
  validateInstallation: z.object({ installation: z.unknown() }).strict(),
  importProfiles: z.object({ text: z.string(), replace: z.boolean().default(false) }).strict(),
  exportProfiles: z.object({}).strict(),
  secretStatus: z.object({ ref: ServerRefSchema }).strict(),
  setSecret: z.object({ ref: ServerRefSchema, kind: SecretKindSchema, value: z.string().min(1) }).strict(),
  deleteSecret: z.object({ ref: ServerRefSchema, kind: SecretKindSchema }).strict(),
  /** Lets a stored secret go to its server's new endpoint; main asks the admin itself (confirmInMain). */
  confirmSecretEndpoint: z.object({ ref: ServerRefSchema, kind: SecretKindSchema }).strict(),
  testConnection: z.object({ ref: ServerRefSchema }).strict(),
  /** `mode` absent: the core chooses (side by side where the replica's server allows it). */
  prepareRestore: z
    .object({
      installation: z.string().min(1),
      replicas: z.array(z.string().min(1)).default([]),
      fromBackup: z.string().min(1).optional(),
      mode: z.enum(['side-by-side', 'in-place']).optional(),
    })
    .strict(),
  startRestore: z.object({ planId: z.string().min(1), confirmations: z.record(z.string(), z.string()) }).strict(),
  resumeRun: z.object({ runId: z.string().min(1) }).strict(),
  cancelRun: z.object({ runId: z.string().min(1) }).strict(),
  answerConfirmation: z.object({ requestId: z.string().min(1), confirmed: z.boolean() }).strict(),
  listRuns: z.object({ installation: z.string().min(1).optional(), limit: z.number().int().min(1).max(100_000).optional() }).strict(),
  /** A page of the run list, newest first, with the total: the History view loads it a window at a time. */
  listRunPage: z
    .object({ installation: z.string().min(1).optional(), limit: z.number().int().min(1).max(100_000), offset: z.number().int().min(0).default(0) })
    .strict(),
  showRun: z.object({ runId: z.string().min(1) }).strict(),
  exportRunReport: z.object({ runId: z.string().min(1), format: z.enum(['markdown', 'json']) }).strict(),
  probeTopology: z.object({ installation: z.string().min(1).optional(), timeoutMs: z.number().int().min(100).max(120_000).optional() }).strict(),
  cachedTopology: z.object({ installation: z.string().min(1).optional() }).strict(),
  /**
   * The host key an SSH hop presents (trust on first use). A hop behind jump hosts is reached
   * through `via` (those hops are connected and verified first, with `ref`'s keychain secrets);
   * `alias` is looked up in ~/.ssh/config, and hostname/port override it.
   */
  probeHostKey: z
    .object({
      hostname: z.string().min(1).optional(),
      port: z.number().int().min(1).max(65535).optional(),
      alias: z.string().min(1).optional(),
      via: z.array(SshHopSchema).max(8).optional(),
      ref: ServerRefSchema.optional(),
    })
    .strict()
    .refine((r) => r.hostname !== undefined || r.alias !== undefined, 'hostname or alias is required'),
  getSettings: z.object({}).strict(),
  updateSettings: z.object({ settings: SettingsUpdateSchema }).strict(),
  /** Asks the admin in main (confirmInMain) before deleting; refused while a run needs the dump. */
  deleteRunDump: z.object({ runId: z.string().min(1) }).strict(),
  /** `ref`: an installation, or `installation/server`. */
  listCommands: z.object({ ref: z.string().min(1) }).strict(),
  /** Only the ref: the commands approved are read in main and confirmed there, never taken from the request. */
  approveCommands: z.object({ ref: z.string().min(1) }).strict(),
  /** A rollback of a side-by-side run (all replicas it swapped, or these server names); started by startRestore. */
  prepareRollback: z.object({ runId: z.string().min(1), replicas: z.array(z.string().min(1)).default([]) }).strict(),
  /** Drops what the run keeps aside for one replica (server name); main asks the admin itself (confirmInMain). */
  discardKeptSchema: z.object({ runId: z.string().min(1), replica: z.string().min(1) }).strict(),
  /**
   * Builds (or reuses and repairs) the sandbox installation; answers when it is up, with
   * progress on SANDBOX_EVENT_CHANNEL meanwhile. No directory: where the sandbox lives (and
   * what `sandboxDown` deletes) is main's choice, never the renderer's.
   */
  sandboxUp: z.object({ sizeMb: z.number().int().min(SANDBOX_MIN_SIZE_MB).max(SANDBOX_MAX_SIZE_MB).optional() }).strict(),
  /** Cancels the sandbox job running now (up or down). */
  sandboxCancel: z.object({}).strict(),
  sandboxStatus: z.object({}).strict(),
  /** Removes everything the sandbox made; main asks the admin itself (confirmInMain). */
  sandboxDown: z.object({}).strict(),
  /** One harmless keychain read (core/secrets/keychainHealth.ts); the shell's banner shows what is wrong. */
  keychainHealth: z.object({}).strict(),
} as const satisfies Record<Operation, z.ZodType>; // exactly one schema per operation name

export type Request<Op extends Operation> = z.input<(typeof requestSchemas)[Op]>;

export interface SecretStatus {
  db: boolean;
  ssh: boolean;
  tunnel: boolean;
  /** The jump hosts' kinds that have a stored secret (only kinds the server's routes have are listed). */
  jumps: Partial<Record<JumpSecretKind, boolean>>;
  /**
   * Per kind, for a stored secret, whether it may go to the server's current endpoint; null
   * when none is stored. db/ssh/tunnel are always present; a jump kind only when the
   * server's routes have that hop.
   */
  endpoints: Record<BaseSecretKind, SecretEndpointStatus | null> & Partial<Record<JumpSecretKind, SecretEndpointStatus | null>>;
  /** The SSH hops of the server's routes, each with the keychain kind of its passphrase or password: a field per hop. */
  hops: SecretHop[];
  /** Why the hops could not be listed (an unknown ~/.ssh/config alias, an unreadable config); null when they were. */
  hopsProblem: string | null;
}

export interface SecretHop {
  kind: SecretKind;
  /** "server host", "jump host 1", "tunnel endpoint" (route order: jump hosts before what they lead to). */
  role: string;
  /** `user@hostname:port`, resolved through ~/.ssh/config. */
  endpoint: string;
  alias: string | null;
}

export interface SecretEndpointStatus {
  /** True when the secret was entered (or confirmed) for the current endpoint, or is not bound yet (it binds on first use). */
  boundToCurrent: boolean;
  /** The endpoint it was entered for, e.g. `cm@db1:5432/cm`; null while not bound yet. */
  enteredFor: string | null;
  /** Where the server points now, in the same form. */
  current: string;
}

export interface ImportSummary {
  created: string[];
  replaced: string[];
  /** Control commands that are new, changed or still unapproved; `approved` with approveCommands. */
  commands: ImportedCommand[];
}

export type PasswordSource = 'keychain' | 'pgpassfile' | 'none';

export interface ConnectionReport {
  ref: { installation: string; server: string };
  /** `server_version` as PostgreSQL reports it, e.g. `15.18`. */
  serverVersion: string;
  serverVersionNum: number;
  schema: string;
  schemaExists: boolean;
  /** The `system` table's `repository_server_type`, or null when the table or row is missing. */
  repositoryServerType: string | null;
  passwordSource: PasswordSource;
  /** Why the password came from where it did, when that needs saying (e.g. a keychain entry entered for another endpoint). */
  passwordWarning?: string;
  /** Whether this connection was encrypted (sslmode=prefer falls back to plaintext, as libpq does). */
  encryption: ConnectionEncryption;
  elapsedMs: number;
  /** Through an SSH tunnel: the route and each hop's outcome (all `ok` when the test got this far). */
  route?: { view: RouteView; hops: RouteHopResult[] };
}

export interface PreparedRestore {
  planId: string;
  plan: RestorePlan;
  preflight: { ok: boolean; findings: PreflightFinding[] };
}

export interface Responses {
  listInstallations: Installation[];
  saveInstallation: Installation;
  deleteInstallation: { deleted: string };
  validateInstallation: Installation;
  importProfiles: ImportSummary;
  exportProfiles: ProfilesFile;
  secretStatus: SecretStatus;
  setSecret: SecretStatus;
  deleteSecret: SecretStatus;
  /** `confirmed` is false when the admin declined in main's dialog; nothing changed then. */
  confirmSecretEndpoint: { confirmed: boolean; status: SecretStatus };
  testConnection: ConnectionReport;
  prepareRestore: PreparedRestore;
  startRestore: { runId: string };
  resumeRun: { runId: string };
  cancelRun: { cancelled: boolean };
  answerConfirmation: { answered: boolean };
  listRuns: RunRecord[];
  listRunPage: RunPage;
  showRun: RunRecord;
  exportRunReport: RunReport;
  probeTopology: TopologySnapshot[];
  cachedTopology: TopologySnapshot[];
  /** The SSH server's host key fingerprint (OpenSSH SHA256:…), for trust on first use. */
  probeHostKey: { fingerprint: string };
  getSettings: AppSettings;
  updateSettings: AppSettings;
  /** `deleted` is false when the admin declined (or it was deleted already). */
  deleteRunDump: { deleted: boolean; dump: RunDump };
  listCommands: ControlCommand[];
  approveCommands: CommandApprovalResult;
  /** Like prepareRestore: the plan (kind `rollback`) waits under planId for startRestore. */
  prepareRollback: PreparedRestore;
  /** `discarded` is false when the admin declined in main's dialog; nothing changed then. */
  discardKeptSchema: { discarded: boolean; kept: KeptSchemaDiscard };
  sandboxUp: { status: SandboxStatus };
  /** False when no sandbox job was running. */
  sandboxCancel: { cancelled: boolean };
  sandboxStatus: SandboxStatusReply;
  sandboxDown: SandboxDownReply;
  keychainHealth: KeychainHealth;
}

export interface CommandApprovalResult {
  /** The installation or `installation/server`, as stored. */
  target: string;
  /** The admin confirmed the prompt in main (false: nothing was approved). */
  confirmed: boolean;
  /** What this call approved. */
  approved: ControlCommand[];
  /** The target's commands afterwards, with their state. */
  commands: ControlCommand[];
}

export interface RunReport {
  /** A suggested file name, e.g. `replica-desk-run-<id>.md`. */
  fileName: string;
  mimeType: string;
  text: string;
}

/** What window.api offers the renderer: every operation, and event subscriptions. */
export type ReplicaDeskBridge = ReplicaDeskApi & ReplicaDeskEvents;

/** Events the renderer can subscribe to; each returns its unsubscribe function. */
export interface ReplicaDeskEvents {
  onRestoreEvent(listener: (event: RestoreEvent) => void): () => void;
  onSandboxEvent(listener: (event: SandboxEvent) => void): () => void;
}

/** The typed surface the renderer sees (window.api in Electron, an HTTP bridge in tests). */
export type ReplicaDeskApi = {
  [Op in Operation]: (request: Request<Op>) => Promise<Result<Responses[Op]>>;
};


export { InstallationSchema };
