// Restores driven from the desktop app: the wizard prepares a plan, the admin reads it and
// types each replica's name, and only then does the run start — from exactly the plan that
// was shown. Runs go on in the background; their events, including questions for manual
// steps, reach the window through `emit`, and answers come back by request id.
import { randomUUID } from 'node:crypto';
import { formatServerRef } from '../../../shared/profiles';
import type { PreflightFinding, RestorePlan } from '../../../shared/restorePlan';
import type { RestoreEvent } from '../../../shared/restoreEvents';
import { InvalidInputError } from '../errors';
import type { Logger } from '../logging/logger';
import { ConfirmationDeclinedError, PreflightFailedError } from './restoreErrors';
import { maskedListener } from './restoreEventMask';
import type { PrepareInput, RecordedPreflight, RestoreService, RollbackInput } from './restoreService';

/** How long a prepared plan may wait for its confirmation before it must be prepared again. */
const PLAN_TTL_MS = 30 * 60_000;

interface PreparedPlan {
  plan: RestorePlan;
  preflight: { ok: boolean; findings: PreflightFinding[]; identities: Record<string, unknown> };
  preparedAt: number;
}

export class RestoreSessions {
  private readonly prepared = new Map<string, PreparedPlan>();
  private readonly questions = new Map<string, (confirmed: boolean) => void>();
  private readonly running = new Map<string, Promise<unknown>>();

  /** Every event this emits is masked as the stored run record is. */
  private readonly emit: (event: RestoreEvent) => void;

  constructor(
    private readonly service: RestoreService,
    emit: (event: RestoreEvent) => void,
    private readonly log: Logger,
  ) {
    this.emit = maskedListener(emit);
  }

  async prepare(input: PrepareInput): Promise<{ planId: string; plan: RestorePlan; preflight: { ok: boolean; findings: PreflightFinding[] } }> {
    const { plan, preflight } = await this.service.prepare(input);
    return this.remember(plan, preflight);
  }

  /** A rollback's plan, started like a restore's: by `start(planId, confirmations)`. */
  async prepareRollback(input: RollbackInput): Promise<{ planId: string; plan: RestorePlan; preflight: { ok: boolean; findings: PreflightFinding[] } }> {
    const { plan, preflight } = await this.service.prepareRollback(input);
    return this.remember(plan, preflight);
  }

  private remember(plan: RestorePlan, preflight: RecordedPreflight): { planId: string; plan: RestorePlan; preflight: { ok: boolean; findings: PreflightFinding[] } } {
    const planId = randomUUID();
    this.prepared.set(planId, { plan, preflight: { ok: preflight.ok, findings: preflight.findings, identities: preflight.identities }, preparedAt: Date.now() });
    return { planId, plan, preflight: { ok: preflight.ok, findings: preflight.findings } };
  }

  /** Starts the prepared plan once every replica's name was typed back exactly. */
  start(planId: string, confirmations: Record<string, string>): { runId: string } {
    const prepared = this.prepared.get(planId);
    if (!prepared || Date.now() - prepared.preparedAt > PLAN_TTL_MS) {
      throw new InvalidInputError('The restore plan has expired or is unknown.', [], 'Prepare the restore again, review the plan, and confirm it.');
    }
    if (!prepared.preflight.ok) throw new PreflightFailedError(prepared.preflight.findings.filter((f) => !f.ok && f.severity === 'error').length);
    const problems = prepared.plan.replicas.flatMap((r) => {
      const name = formatServerRef({ installation: prepared.plan.installation.name, server: r });
      return confirmations[name] === name ? [] : [{ path: `confirmations["${name}"]`, message: `type "${name}" to confirm ${prepared.plan.kind === 'rollback' ? 'swapping its schema back' : 'dropping its schema'}` }];
    });
    if (problems.length > 0) throw new InvalidInputError('Not every replica was confirmed.', problems, 'Type each replica\'s name exactly as shown; nothing was changed.');
    this.prepared.delete(planId);
    const stamp = new Date().toISOString();
    const runId = this.service.start(prepared.plan, prepared.preflight as never, Object.fromEntries(Object.keys(confirmations).map((k) => [k, `typed in the app at ${stamp}`])));
    this.launch(runId);
    return { runId };
  }

  async resume(runId: string): Promise<{ runId: string }> {
    if (this.running.has(runId)) throw new InvalidInputError(`Run ${runId} is already running.`, [], 'Wait for it to finish or cancel it.');
    await this.service.claimForResume(runId);
    this.launch(runId);
    return { runId };
  }

  cancel(runId: string): boolean {
    return this.service.cancel(runId);
  }

  answer(requestId: string, confirmed: boolean): boolean {
    const resolve = this.questions.get(requestId);
    if (!resolve) return false;
    this.questions.delete(requestId);
    resolve(confirmed);
    return true;
  }

  /** Runs this process is executing now. */
  activeRuns(): string[] {
    return [...this.running.keys()];
  }

  /** Cancels every active run (compensation runs) and waits until they have finished. */
  async cancelAll(): Promise<void> {
    for (const runId of this.activeRuns()) this.cancel(runId);
    await this.idle();
  }

  /** Resolves when every run started here has finished (for a clean shutdown and tests). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.running.values()]);
  }

  private launch(runId: string): void {
    const done = this.service
      .execute(runId, {
        onEvent: this.emit,
        confirm: (instruction) =>
          new Promise<boolean>((resolve) => {
            const requestId = randomUUID();
            this.questions.set(requestId, resolve);
            this.emit({ type: 'confirm', runId, requestId, instruction });
          }),
      })
      .catch((e: unknown) => {
        this.log.error('restore run crashed', { runId, error: e instanceof Error ? e.stack : String(e) });
        if (!(e instanceof ConfirmationDeclinedError)) this.emit({ type: 'run', runId, status: 'failed', message: e instanceof Error ? e.message : String(e) });
      })
      .finally(() => this.running.delete(runId));
    this.running.set(runId, done);
  }
}
