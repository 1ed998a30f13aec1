// Runs (or resumes) a recorded restore: the master phase (stop replicas, back up the
// master) in order, then each replica's own steps, replicas side by side. Every step is
// recorded `running` before it acts and `done` after. A failing replica does not stop the
// others. Side by side, the replicas' steps start as soon as pg_dump writes, and their
// restores read the dump while it grows (overlappedPhases.ts); the master phase goes on after
// the dump. Whatever happens, compensation (runCompensation.ts) puts back what can be put
// back and says plainly what cannot.
import { formatServerRef, type Server } from '../../../shared/profiles';
import { ReplicaDeskError, toErrorPayload } from '../errors';
import { ConnectionLostError, isConnectionLoss } from '../postgres/connectionErrors';
import type { SchemaIdentity } from '../postgres/clusterIdentity';
import { runStopsMaster } from './preflight';
import { RunLockHeldError, RunLocks } from './runLocks';
import type { RunRow, RunStore } from '../history/runStore';
import type { Logger } from '../logging/logger';
import type { CommandApprovalCheck } from '../profiles/commandApprovals';
import { findPgTools, type PgTools } from '../postgres/pgTools';
import { maskSecrets } from '../secrets/secret';
import { maskedListener } from './restoreEventMask';
import type { EndpointBoundSecretStore } from '../secrets/endpointBoundSecretStore';
import type { RestoreEventListener } from '../../../shared/restoreEvents';
import { throttle } from './restoreEventThrottle';
import { inMasterPhase, kindOf, type PlannedStep, type StepId } from '../../../shared/restorePlan';
import { RestoreResources } from './restoreResources';
import { LiveDump } from './liveDump';
import { overlapsDump, runDumpOverlapped } from './overlappedPhases';
import { asConnectionEncryption, weakerEncryption, type ConnectionEncryption } from '../../../shared/connectionEncryption';
import { DEFAULT_TIMEOUTS, type ProgressUpdate, type StepContext, type StepImplementation, type Timeouts } from './stepContext';
import { backupMaster } from './steps/backupMaster';
import { copyKey } from './steps/copyKey';
import { restoreKey } from './steps/restoreKey';
import { applyFixups, dropReplicaSchema, restoreReplica } from './steps/replicaDatabase';
import { confirmPublications, startMaster, startReplica, stopMaster, stopReplica } from './steps/serverControl';
import { verify } from './steps/verify';
import { applyShadowFixups, restoreShadow, verifyShadow } from './steps/shadowSchema';
import { swapStep } from './steps/swapStep';
import { swapBackStep } from './steps/swapBackStep';
import { compensate } from './runCompensation';
import { withRunTunnels, type RunTunnels } from './runTunnels';
import { hopSecretLookup } from '../tunnels/hopSecrets';

const implementations: Record<StepId, StepImplementation> = {
  'confirm-publications': confirmPublications,
  'stop-replica': stopReplica,
  'stop-master': stopMaster,
  'dump-master': backupMaster,
  'start-master': startMaster,
  'copy-key': copyKey,
  'drop-schema': dropReplicaSchema,
  restore: restoreReplica,
  fixups: applyFixups,
  'start-replica': startReplica,
  verify,
  'restore-shadow': restoreShadow,
  'fixups-shadow': applyShadowFixups,
  'verify-shadow': verifyShadow,
  swap: swapStep,
  'swap-back': swapBackStep,
  'restore-key': restoreKey,
};

export interface RunnerDependencies {
  runs: RunStore;
  secretStore: EndpointBoundSecretStore;
  env: NodeJS.ProcessEnv;
  log: Logger;
  /** Asked again right before each control command runs (the profile may have changed since preflight). */
  approvals: CommandApprovalCheck;
  pgBinDir?: string;
  timeouts?: Partial<Timeouts>;
  onEvent?: RestoreEventListener;
  /** Manual steps: ask the admin to do something and confirm. Declines when absent. */
  confirm?: (instruction: string) => Promise<boolean>;
}

class StepFailed extends Error {}

export async function executeRun(deps: RunnerDependencies, runId: string, signal: AbortSignal): Promise<RunRow> {
  const initial = deps.runs.get(runId);
  if (!initial) throw new Error(`run ${runId} does not exist`);
  const { plan } = initial;
  // The run owns its SSH tunnels: opened (afresh on a resume) before anything else, shared by
  // every step, closed after everything, compensation included.
  return withRunTunnels(plan.installation, [plan.master, ...plan.replicas], { env: deps.env, secrets: hopSecretLookup(deps.secretStore), signal }, (tunnels) => runWithTunnels(deps, initial, signal, tunnels));
}

async function runWithTunnels(deps: RunnerDependencies, initial: RunRow, signal: AbortSignal, tunnels: RunTunnels): Promise<RunRow> {
  const { plan, runId } = initial;
  const status = new Map(initial.steps.map((s) => [s.seq, s.status]));
  // Whether each database the run connects to is encrypted, in the run's captured values
  // (a resume continues the record of the sessions before it).
  const connections = new Map<string, ConnectionEncryption | null>(
    Object.entries((initial.captured.connections ?? {}) as Record<string, unknown>).map(([name, value]) => [name, asConnectionEncryption(value)]),
  );
  // Every pg client and tool of the run dials tunnelled databases through the run's forwards.
  const resources = new RestoreResources(tunnels.installation, deps.secretStore, deps.env, deps.log, (server, encryption) => {
    const record = weakerEncryption(connections.get(server.name), encryption);
    if (!record) return;
    connections.set(server.name, record);
    deps.runs.capture(runId, { connections: { [server.name]: record } });
  });
  const timeouts = { ...DEFAULT_TIMEOUTS, ...deps.timeouts };
  const master = resources.server(plan.master);
  let tools: Promise<PgTools> | null = null;
  const emit = deps.onEvent ? maskedListener(deps.onEvent) : () => undefined;
  const log = (level: 'info' | 'warn' | 'error', message: string, seq: number | null = null) => {
    const masked = maskSecrets(message);
    deps.runs.log(runId, level, masked, seq);
    deps.log.log(level, `run ${runId}: ${masked}`);
    emit({ type: 'log', runId, level, message: masked });
  };
  const setStep = (step: PlannedStep, s: typeof initial.steps[number]['status'], message: string | null, captured?: Record<string, unknown>) => {
    status.set(step.seq, s);
    deps.runs.setStep(runId, step.seq, s, { message, ...(captured ? { captured } : {}) });
    emit({ type: 'step', runId, seq: step.seq, id: step.id, replica: step.replica, title: step.title, status: s, message: message === null ? null : maskSecrets(message) });
  };

  const contextFor = (step: PlannedStep, stepSignal: AbortSignal): StepContext => {
    const progress = throttle<ProgressUpdate>((p) => emit({ type: 'progress', runId, seq: step.seq, replica: step.replica, ...p }));
    return {
      runId,
      plan,
      step,
      master,
      replica: step.replica ? resources.server(step.replica) : null,
      resources,
      liveDump,
      approvals: deps.approvals,
      tools: () => (tools ??= findPgTools({ env: deps.env, ...(deps.pgBinDir ? { binDir: deps.pgBinDir } : {}) })),
      signal: stepSignal,
      timeouts,
      runCaptured: () => deps.runs.get(runId)!.captured,
      captureRun: (values) => deps.runs.capture(runId, values),
      log: (level, message) => log(level, message, step.seq),
      progress: (p) => progress.push(p),
      confirm: async (instruction) => {
        log('info', `waiting for the admin: ${instruction}`, step.seq);
        const answer = deps.confirm ? await deps.confirm(instruction) : false;
        log('info', `${answer ? 'confirmed' : 'declined'}: ${instruction}`, step.seq);
        return answer;
      },
    };
  };

  const execute = async (step: PlannedStep, stepSignal: AbortSignal): Promise<void> => {
    if (stepSignal.aborted) throw new StepFailed('cancelled');
    setStep(step, 'running', null);
    log('info', `started: ${step.title}`, step.seq);
    try {
      // A lock whose session dropped may be another run's by now: stop before acting.
      if (step.replica) await locks.assertHeld(step.replica);
      await locks.assertHeld(plan.master);
      const outcome = await implementations[step.id](contextFor(step, stepSignal));
      // What a swap or swap back set aside, for the history (kept schemas and their size).
      deps.runs.kept.recordStepOutcome(runId, plan, step, outcome.captured);
      setStep(step, 'done', outcome.message, outcome.captured);
      log('info', `done: ${outcome.message}`, step.seq);
    } catch (caught) {
      // A tunnel that went away is the cause of whatever failed through it; otherwise pg's own
      // words for a connection that went away become a classified error naming the server.
      const server = step.replica ? resources.server(step.replica) : master;
      const dropped = stepSignal.aborted ? null : ((await tunnels.dropFor(server.name)) ?? tunnels.droppedFor(master.name));
      const e = dropped ? dropped.forRun(runId) : isConnectionLoss(caught) ? new ConnectionLostError(server.db, step.title, (caught as Error).message, caught) : caught;
      const error = toErrorPayload(e);
      const cancelled = stepSignal.aborted || error.code === 'cancelled';
      const message = cancelled ? 'Cancelled' : `${error.message} — ${error.hint}`;
      setStep(step, cancelled ? 'cancelled' : 'failed', message, { error: { code: cancelled ? 'cancelled' : error.code, message: error.message, hint: error.hint } });
      log(cancelled ? 'warn' : 'error', `${cancelled ? 'cancelled' : 'failed'}: ${step.title}: ${error.message}`, step.seq);
      if (error.code === 'internal') deps.log.error('step crashed', { step: step.id, error: e instanceof Error ? e.stack : String(e) });
      throw new StepFailed(message);
    }
  };

  const finished = (s: PlannedStep) => status.get(s.seq) === 'done' || status.get(s.seq) === 'skipped';
  const failedReplicas = new Map<string, string>();
  const replicaDone = new Set(initial.replicas.filter((r) => r.status === 'succeeded').map((r) => r.replica));
  let fatal: string | null = null;

  const locks = new RunLocks({ runId, open: (name, applicationName) => resources.lockSession(resources.server(name), applicationName) });
  /** Each server's cluster, database and schema as the preflight saw them. */
  const identities = (initial.captured.identities ?? {}) as Record<string, SchemaIdentity>;
  let lockedOut = false;
  const liveDump = overlapsDump(plan, status) ? new LiveDump() : null;
  let replicasPhase: Promise<void> | null = null;

  emit({ type: 'run', runId, status: 'running', message: null });
  try {
    fatal = refuseWithoutTunnels();
    if (fatal) lockedOut = true;
    else fatal = await takeLocks();
    // Phase 1: in order, on the master and the replicas' servers.
    for (const step of fatal ? [] : plan.steps.filter((s) => inMasterPhase(plan, s))) {
      if (finished(step) || (step.replica && (failedReplicas.has(step.replica) || replicaDone.has(step.replica)))) continue;
      // Nothing left to restore: no backup, no stopping the master.
      if (!step.replica && failedReplicas.size > 0 && plan.replicas.every((r) => failedReplicas.has(r) || replicaDone.has(r))) break;
      if (liveDump && step.id === 'dump-master') {
        // The replicas' phase starts as soon as pg_dump writes; the master phase goes on after the dump.
        const outcome = await runDumpOverlapped(liveDump, execute(step, signal), () => (replicasPhase = runReplicas()));
        if (outcome.ok) continue;
        fatal = outcome.message;
        break;
      }
      try {
        await execute(step, signal);
      } catch (e) {
        if (step.replica && !signal.aborted) {
          failedReplicas.set(step.replica, (e as Error).message);
          deps.runs.setReplica(runId, step.replica, 'failed', (e as Error).message);
          continue;
        }
        fatal = (e as Error).message;
        break;
      }
    }
    if (replicasPhase) {
      // Started during the dump: it ends on its own (a failed dump rolls its restores back).
      await replicasPhase;
    } else {
      if (!fatal && plan.replicas.every((r) => failedReplicas.has(r) || replicaDone.has(r)) && failedReplicas.size > 0) fatal = 'every replica failed before the backup';
      if (!fatal && !signal.aborted) await runReplicas();
    }
  } finally {
    const allSucceeded = plan.replicas.every((r) => replicaDone.has(r));
    if (!allSucceeded && !lockedOut) await compensate({ runId, plan, runs: deps.runs, resources, tunnels, locks, identities, status, replicaDone, execute, log });
    await locks.releaseAll();
    for (const r of plan.replicas) {
      if (!replicaDone.has(r) && !failedReplicas.has(r)) deps.runs.setReplica(runId, r, signal.aborted ? 'cancelled' : 'failed', fatal);
    }
    const final = signal.aborted ? 'cancelled' : allSucceeded ? 'succeeded' : 'failed';
    const message = final === 'succeeded' ? null : signal.aborted ? 'Cancelled by the admin' : (fatal ?? [...failedReplicas].map(([r, m]) => `${r}: ${m}`).join('\n'));
    // The run is finished only once its connections are closed: nothing of it is left then.
    await resources.close();
    deps.runs.finish(runId, final, message);
    emit({ type: 'run', runId, status: final, message });
  }
  return deps.runs.get(runId)!;

  /** Phase 2: each replica's own steps, replicas side by side. */
  async function runReplicas(): Promise<void> {
    await Promise.all(
      plan.replicas
        .filter((r) => !failedReplicas.has(r) && !replicaDone.has(r))
        .map(async (replica) => {
          deps.runs.setReplica(runId, replica, 'running');
          for (const step of plan.steps.filter((s) => s.replica === replica && !inMasterPhase(plan, s))) {
            if (finished(step)) continue;
            try {
              await execute(step, signal);
            } catch (e) {
              failedReplicas.set(replica, (e as Error).message);
              deps.runs.setReplica(runId, replica, signal.aborted ? 'cancelled' : 'failed', (e as Error).message);
              return;
            }
          }
          replicaDone.add(replica);
          deps.runs.setReplica(runId, replica, 'succeeded', null);
        }),
    );
  }

  /**
   * A route that could not be opened refuses the run before anything is touched (its
   * databases are never dialled around the tunnel); nothing to compensate. Null when every
   * route is open.
   */
  function refuseWithoutTunnels(): string | null {
    if (tunnels.failures.size === 0) return null;
    const messages = [...tunnels.failures].map(([name, e]) => {
      const error = toErrorPayload(e);
      return `${ref(resources.server(name))}: ${error.message} — ${error.hint}`;
    });
    for (const message of messages) log('error', `refused: ${message}`);
    return messages.join('\n');
  }

  /**
   * Takes the run's locks before anything else: each unfinished replica's and, when the run
   * stops the master, the master's. Another run holding one refuses the whole run (a message,
   * nothing touched); a replica that cannot be reached fails alone.
   */
  async function takeLocks(): Promise<string | null> {
    // A rollback never touches the master: it needs only the replicas' locks.
    const stopsMaster = kindOf(plan) === 'restore' && runStopsMaster(plan.installation);
    const wanted = [...plan.replicas.filter((r) => !replicaDone.has(r)), ...(stopsMaster ? [plan.master] : [])];
    for (const name of wanted) {
      const server = resources.server(name);
      const identity = identities[name];
      try {
        if (!identity) throw new ReplicaDeskError('identity-missing', `The run has no recorded identity for ${ref(server)}.`, 'Start a new restore, so that the preflight records which cluster and database each server is.');
        await locks.acquire(name, ref(server), identity);
      } catch (e) {
        const error = toErrorPayload(e);
        const message = `${error.message} — ${error.hint}`;
        if (e instanceof RunLockHeldError || name === plan.master) {
          lockedOut = true;
          log('error', `refused: ${message}`);
          return message;
        }
        log('error', `${ref(server)}: ${message}`);
        failedReplicas.set(name, message);
        deps.runs.setReplica(runId, name, 'failed', message);
      }
    }
    if (failedReplicas.size > 0 && plan.replicas.every((r) => failedReplicas.has(r) || replicaDone.has(r))) return 'every replica failed before the backup';
    return null;
  }

  function ref(server: Server): string {
    return formatServerRef(resources.ref(server));
  }
}
