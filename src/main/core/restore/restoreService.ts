// The restore as the CLI and the app drive it: prepare (preflight + plan, read-only),
// start a recorded run, execute or resume it, and read the history.
import { join, resolve } from 'node:path';
import { InvalidInputError, toErrorPayload } from '../errors';
import { requireDumpArchive } from '../postgres/dumpArchive';
import { toRunRecord, type RunRecord } from '../history/runRecord';
import { RunHistory, type RunHistoryOptions } from '../history/runHistory';
import { dumpFactsOf, isUnfinished, resumeDumpGone } from '../history/runDump';
import { RunConflictError, newRunId, type RunListFilter, type RunRow, type RunStore } from '../history/runStore';
import type { RunPage } from '../../../shared/runRecord';
import type { Logger } from '../logging/logger';
import type { CommandApprovalCheck } from '../profiles/commandApprovals';
import type { ProfileService } from '../profiles/profileService';
import type { EndpointBoundSecretStore } from '../secrets/endpointBoundSecretStore';
import { chooseReplicas, masterOf, planRestore, withRunId } from './planRestore';
import { refuseStaleShadowResume } from './staleShadow';
import { runTag } from './sideBySideNames';
import type { KeptSchema } from '../coremedia/keptSchemas';
import { planRollback } from './planRollback';
import { chooseRollbackReplicas, RollbackRefusedError } from './rollbackEligibility';
import { runRollbackPreflight } from './rollbackPreflight';
import type { SchemaIdentity } from '../postgres/clusterIdentity';
import { runPreflight, type PreflightResult } from './preflight';
import { RunNotResumableError } from './restoreErrors';
import type { RestoreEventListener } from '../../../shared/restoreEvents';
import type { PreflightFinding, RestoreMode, RestorePlan } from '../../../shared/restorePlan';
import { executeRun } from './restoreRunner';
import { withChildTracking } from '../processes/childProcesses';
import { RunChildTracker, endLeftoverProcesses } from '../processes/runChildTracker';
import type { Timeouts } from './stepContext';
import type { DumpRetention } from '../history/dumpRetention';
import { planRoutes, withRunTunnels } from './runTunnels';
import { hopSecretLookup } from '../tunnels/hopSecrets';

/** How long a preflight may take to open its SSH tunnels, every route together. */
const PREFLIGHT_TUNNEL_TIMEOUT_MS = 30_000;

export interface PrepareInput {
  installation: string;
  replicas: string[];
  fromBackup?: string;
  backupDir?: string;
  pgBinDir?: string;
  /** Asked explicitly (`--side-by-side`, `--in-place`), or undefined: side-by-side where possible (chooseRestoreMode.ts). */
  mode?: RestoreMode;
  /** `--lock-timeout`: the swap's lock_timeout in ms, recorded in the plan (swapLockTimeout.ts). */
  swapLockTimeoutMs?: number;
}

export interface RollbackInput {
  /** The side-by-side run to roll back. */
  runId: string;
  /** Server names; every replica the run swapped when empty. */
  replicas: string[];
  /** `--lock-timeout`: the swap back's lock_timeout in ms, recorded in the plan. */
  swapLockTimeoutMs?: number;
}

/** What a run records of its preflight: the findings and the identities its locks and guards check. */
export type RecordedPreflight = Pick<PreflightResult, 'ok' | 'findings' | 'identities'>;

export interface ExecuteOptions {
  /** Cancels the run when aborted (the CLI's Ctrl-C); `cancel(runId)` does the same for the app. */
  signal?: AbortSignal;
  onEvent?: RestoreEventListener;
  confirm?: (instruction: string) => Promise<boolean>;
  timeouts?: Partial<Timeouts>;
  pgBinDir?: string;
}

/** A preflight finding per server whose SSH route could not be opened (the error names the hop). */
const tunnelFindings = (installation: string, failures: ReadonlyMap<string, Error>): PreflightFinding[] =>
  [...failures].map(([server, e]) => {
    const error = toErrorPayload(e);
    return { check: 'tunnel', server: `${installation}/${server}`, ok: false, severity: 'error', message: error.message, hint: error.hint };
  });

function refuseUnlessResumable(run: RunRow): void {
  if (!isUnfinished(run)) {
    throw new RunNotResumableError(run.runId, run.status === 'running' ? `it is still running (pid ${run.owner.pid} on ${run.owner.host})` : `it ${run.status}`);
  }
  // Before anything is stopped: a resume must not fail half-way on a dump retention deleted.
  const gone = resumeDumpGone(dumpFactsOf(run));
  if (gone) throw gone;
}

export class RestoreService {
  private readonly active = new Map<string, AbortController>();

  constructor(
    private readonly profiles: ProfileService,
    readonly runs: RunStore,
    private readonly secretStore: EndpointBoundSecretStore,
    private readonly env: NodeJS.ProcessEnv,
    private readonly log: Logger,
    private readonly home: string,
    private readonly approvals: CommandApprovalCheck,
    /** Deletes old dumps after each run (history/dumpRetention.ts); none in tests that need none. */
    private readonly retention: DumpRetention | null = null,
  ) {
    this.history = new RunHistory(runs);
  }

  /** The run list and its pages (history/runHistory.ts). */
  private readonly history: RunHistory;

  defaultBackupDir(): string {
    return join(this.home, 'backups');
  }

  /** Preflight and plan. Changes nothing anywhere. */
  async prepare(input: PrepareInput): Promise<{ plan: RestorePlan; preflight: PreflightResult }> {
    // An offered backup must be an archive before anything else looks at it; kept absolute,
    // so a resume from another directory finds the same file.
    if (input.fromBackup) {
      const fromBackup = resolve(input.fromBackup);
      await requireDumpArchive(fromBackup);
      input = { ...input, fromBackup };
    }
    // A dead run's pg_dump or psql must not pass for "the replica is still connected".
    await this.endLeftovers();
    const installation = this.profiles.get(input.installation);
    const replicas = chooseReplicas(installation, input.replicas);
    const backupDir = input.backupDir ?? this.defaultBackupDir();
    const master = masterOf(installation);
    // The preflight reaches tunnelled databases through its own tunnels, closed when it ends.
    const { preflight, routes } = await withRunTunnels(installation, [master.name, ...replicas.map((r) => r.name)], { env: this.env, secrets: hopSecretLookup(this.secretStore), timeoutMs: PREFLIGHT_TUNNEL_TIMEOUT_MS }, async (tunnels) => ({
      routes: tunnels.routes,
      preflight: await runPreflight({
        installation: tunnels.installation,
        replicas: replicas.map((r) => tunnels.server(r.name)),
        tunnels,
        secretStore: this.secretStore,
        env: this.env,
        log: this.log,
        approvals: this.approvals,
        backupDir,
        ...(input.fromBackup ? { fromBackup: input.fromBackup } : {}),
        ...(input.pgBinDir ? { pgBinDir: input.pgBinDir } : {}),
        ...(input.mode ? { mode: input.mode } : {}),
        runIdOfKept: (kept) => this.runIdOfKept(installation.name, kept),
      }),
    }));
    // One run per replica: a live run on this workstation is found here, one elsewhere by the
    // preflight's look at the replicas' database locks.
    for (const active of this.runs.activeRunsOn(installation.name, replicas.map((r) => r.name))) {
      const error = new RunConflictError(installation.name, active);
      preflight.findings.push({ check: 'run-in-progress', server: null, ok: false, severity: 'error', message: error.message, hint: error.hint });
      preflight.ok = false;
    }
    const plan = planRestore(installation, {
      replicas: replicas.map((r) => r.name),
      backupDir,
      ...(input.fromBackup ? { fromBackup: input.fromBackup } : {}),
      ...(preflight.tables ? { tables: preflight.tables } : {}),
      mode: preflight.mode,
      modeWhy: preflight.modeReason,
      ...(input.swapLockTimeoutMs !== undefined ? { swapLockTimeoutMs: input.swapLockTimeoutMs } : {}),
      routes: planRoutes(installation, routes),
    });
    return { plan, preflight };
  }

  /** The run that set `kept` aside: the history's record of kept schemas, else the run whose tag its name carries (sideBySideNames.ts). */
  private runIdOfKept(installation: string, kept: KeptSchema): string | undefined {
    return this.runs.kept.list().find((k) => k.schema === kept.name)?.runId ?? this.runs.query.runIdByTag(installation, kept.tag, runTag);
  }

  /**
   * The plan and preflight of a rollback of run `input.runId` (planRollback.ts). Refuses
   * (RollbackRefusedError, nothing changed) what the history rules out; the preflight then
   * reads each replica's schemas. Changes nothing anywhere. The run starts with start().
   */
  async prepareRollback(input: RollbackInput): Promise<{ plan: RestorePlan; preflight: RecordedPreflight }> {
    await this.endLeftovers();
    const run = this.get(input.runId);
    // Only runs started since this one can be its rollbacks or restore its replicas again.
    const others = this.runs.list({ installation: run.installation, since: run.createdAt });
    const names = chooseRollbackReplicas(run, input.replicas, { kept: this.runs.kept.list(), others });
    const installation = this.profiles.get(run.installation);
    const replicas = names.map((name) => {
      const server = installation.servers.find((s) => s.name === name && s.role === 'replica');
      const planned = run.plan.installation.servers.find((s) => s.name === name)!;
      if (!server) throw new RollbackRefusedError(run.runId, `${run.installation}/${name} is no longer a replica in the profile`, 'Put the server back into the profile as it was, then roll back.');
      if (server.db.schema !== planned.db.schema) {
        throw new RollbackRefusedError(run.runId, `${run.installation}/${name}'s schema is now ${server.db.schema} in the profile, not ${planned.db.schema} as in the run`, 'Point the profile back at the schema the run restored.');
      }
      return server;
    });
    const recorded = (run.captured.identities ?? {}) as Record<string, SchemaIdentity>;
    // copy-key kept a different key file the replica had: the previous schema needs it back.
    const restoreKeyFor = run.steps.filter((s) => s.id === 'copy-key' && s.replica && names.includes(s.replica) && typeof s.captured.previousKeyFileKeptAs === 'string').map((s) => s.replica!);
    // Through the replicas' SSH tunnels, if any; a route that cannot be opened refuses before any database is dialled.
    const { preflight, routes } = await withRunTunnels(installation, names, { env: this.env, secrets: hopSecretLookup(this.secretStore), timeoutMs: PREFLIGHT_TUNNEL_TIMEOUT_MS }, async (tunnels) => {
      if (tunnels.failures.size > 0) return { routes: tunnels.routes, preflight: { ok: false, identities: {}, findings: tunnelFindings(installation.name, tunnels.failures) } };
      const dialable = replicas.map((r) => tunnels.server(r.name));
      return {
        routes: tunnels.routes,
        preflight: await runRollbackPreflight({ installation: tunnels.installation, runId: run.runId, recorded, replicas: dialable, restoreKeyFor, secretStore: this.secretStore, env: this.env, log: this.log, approvals: this.approvals }),
      };
    });
    for (const active of this.runs.activeRunsOn(installation.name, names)) {
      const error = new RunConflictError(installation.name, active);
      preflight.findings.push({ check: 'run-in-progress', server: null, ok: false, severity: 'error', message: error.message, hint: error.hint });
      preflight.ok = false;
    }
    // The swap back's guard refuses a replica that resolves to the master's schema.
    const master = recorded[run.plan.master];
    if (master) preflight.identities[run.plan.master] = master;
    const plan = planRollback({ installation, runId: run.runId, replicas: names, restoreKeyFor, backup: run.plan.backup, ...(input.swapLockTimeoutMs !== undefined ? { swapLockTimeoutMs: input.swapLockTimeoutMs } : {}), routes: planRoutes(installation, routes) });
    this.log.info('rollback prepared', { runId: run.runId, replicas: names, ok: preflight.ok });
    return { plan, preflight };
  }

  /** Records a new run (all steps pending) and returns its id. */
  start(plan: RestorePlan, preflight: RecordedPreflight, confirmations: Record<string, string>): string {
    // The run id names the kept schema; the stored plan shows the swap's exact SQL.
    const runId = newRunId();
    this.runs.create(withRunId(plan, runId), { preflight: preflight.findings, identities: preflight.identities, confirmations }, runId);
    this.log.info('restore run created', { runId, installation: plan.installation.name, replicas: plan.replicas });
    return runId;
  }

  async execute(runId: string, options: ExecuteOptions = {}): Promise<RunRow> {
    const controller = new AbortController();
    const forward = () => controller.abort(options.signal?.reason);
    if (options.signal?.aborted) forward();
    options.signal?.addEventListener('abort', forward, { once: true });
    this.active.set(runId, controller);
    try {
      return await this.executeWith(runId, options, controller.signal);
    } finally {
      this.active.delete(runId);
      options.signal?.removeEventListener('abort', forward);
      // The run has ended (its own dump is the newest): keep only the configured newest N.
      const installation = this.runs.get(runId)?.installation;
      if (installation && this.retention) this.retention.afterRun(installation);
    }
  }

  /** Cancels a run this process is executing; false when it is not running here. */
  cancel(runId: string): boolean {
    const controller = this.active.get(runId);
    // A run whose record is finished is only tidying up; there is nothing left to cancel.
    if (!controller || this.runs.get(runId)?.status !== 'running') return false;
    this.log.info('restore run cancel requested', { runId });
    controller.abort(new Error('cancelled by the admin'));
    return true;
  }

  /** Ends what dead runs on this host left running (checked to be theirs before any signal). */
  private endLeftovers(): Promise<unknown> {
    return endLeftoverProcesses(this.runs, (level, message) => this.log.log(level, message));
  }

  private async executeWith(runId: string, options: ExecuteOptions, signal: AbortSignal): Promise<RunRow> {
    await this.endLeftovers();
    // The swap waits as long as the plan says (`--lock-timeout`, recorded): on a resume too.
    const planned = this.runs.get(runId)?.plan.swapLockTimeoutMs;
    const timeouts = planned !== undefined ? { ...options.timeouts, swap: { lockTimeoutMs: planned } } : options.timeouts;
    return withChildTracking(new RunChildTracker(this.runs, runId), () => executeRun(
      {
        runs: this.runs,
        secretStore: this.secretStore,
        env: this.env,
        log: this.log,
        approvals: this.approvals,
        ...(options.pgBinDir ? { pgBinDir: options.pgBinDir } : {}),
        ...(timeouts ? { timeouts } : {}),
        ...(options.onEvent ? { onEvent: options.onEvent } : {}),
        ...(options.confirm ? { confirm: options.confirm } : {}),
      },
      runId,
      signal,
    ));
  }

  /** The run, if it may be resumed; otherwise says why not. */
  resumable(runId: string): RunRow {
    const run = this.get(runId);
    refuseUnlessResumable(run);
    this.refuseStaleShadow(run);
    return run;
  }

  /** A side-by-side run whose replica a later run restored must not swap its older shadow in (staleShadow.ts). */
  private refuseStaleShadow(run: RunRow): void {
    refuseStaleShadowResume(run, () => ({ kept: this.runs.kept.list(), others: this.runs.list({ installation: run.installation, since: run.createdAt }) }));
  }

  /**
   * Takes the run over for this process, atomically: of two resumes, one wins. The run goes
   * on against the endpoints of its plan, and sends a stored secret only where it is bound:
   * after a server was pointed elsewhere, a password still bound to the plan's endpoint
   * finishes the run there, one re-entered for the new endpoint is refused.
   */
  async claimForResume(runId: string): Promise<RunRow> {
    this.refuseStaleShadow(this.get(runId));
    this.runs.claim(runId, refuseUnlessResumable);
    this.log.info('restore run resumed', { runId });
    return this.get(runId);
  }

  get(runId: string): RunRow {
    const run = this.runs.get(runId);
    if (!run) throw new InvalidInputError(`There is no run ${runId}.`, [], 'List runs with `replica-desk runs list`.');
    return run;
  }

  record(runId: string, withLog = false): RunRecord {
    const kept = [...this.runs.kept.list({ runIds: [runId] }), ...this.runs.kept.byRollback(runId)];
    return toRunRecord(this.get(runId), withLog ? this.runs.logs(runId) : undefined, { kept });
  }

  /** Newest first: every run the filter matches, or its page `limit`/`offset`. `steps: false` leaves out their step lists. */
  list(filter: RunListFilter = {}, options: RunHistoryOptions = {}): RunRecord[] {
    return this.history.list(filter, options);
  }

  /** `list`, with how many runs the filter matches in all and whether more follow. */
  page(filter: RunListFilter = {}, options: RunHistoryOptions = {}): RunPage {
    return this.history.page(filter, options);
  }
}
