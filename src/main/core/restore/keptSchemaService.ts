// The kept schemas of side-by-side runs as the admin handles them: which one `runs discard`
// would drop for a run's replica (the previous schema, or after a rollback the restored one),
// dropping it through coremedia/keptSchemas.ts (never a master's, never one others depend on)
// and recording the discard in the history; and `runs kept`: what every replica's database
// holds now, with sizes, each server asked under its own deadline.
import { formatServerRef, type Installation } from '../../../shared/profiles';
import { kindOf, modeOf } from '../../../shared/restorePlan';
import type { HeldKeptSchema, KeptSchemaDiscard, KeptSchemaListing } from '../../../shared/runRecord';
import { discardKeptSchema, keptSchemaBytes, listKeptSchemas } from '../coremedia/keptSchemas';
import { InvalidInputError, toErrorPayload } from '../errors';
import { isUnfinished } from '../history/runDump';
import type { KeptSchemaRow } from '../history/keptSchemaStore';
import type { RunRow, RunStore } from '../history/runStore';
import type { Logger } from '../logging/logger';
import type { SchemaIdentity } from '../postgres/clusterIdentity';
import type { ProfileService } from '../profiles/profileService';
import type { EndpointBoundSecretStore } from '../secrets/endpointBoundSecretStore';
import { withDeadline } from '../topology/deadline';
import { RestoreError } from './restoreErrors';
import { RestoreResources } from './restoreResources';
import { runTag } from './sideBySideNames';

export class DiscardRefusedError extends RestoreError {
  override readonly usage = true;

  constructor(runId: string, why: string, hint: string) {
    super('discard-refused', `Nothing of run ${runId} can be discarded: ${why}. Nothing was changed.`, hint);
  }
}

/** One kept schema to drop: the replica (server name), the schema and its kind. */
export interface DiscardTarget {
  replica: string;
  schema: string;
  kind: 'prev' | 'undone';
}

const DROP_LOCK_TIMEOUT_MS = 30_000;
const DROP_STATEMENT_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_LIST_TIMEOUT_MS = 10_000;

export class KeptSchemaService {
  constructor(
    private readonly profiles: ProfileService,
    private readonly runs: RunStore,
    private readonly secretStore: EndpointBoundSecretStore,
    private readonly env: NodeJS.ProcessEnv,
    private readonly log: Logger,
  ) {}

  /**
   * What discarding run `runId`'s kept schemas (of `replicas`, or all) would drop: per replica
   * the schema still kept — the restored one a rollback set aside, else the previous one.
   * Refuses a run that is no side-by-side restore, is still running, or keeps nothing.
   */
  targets(runId: string, replicas: readonly string[] = []): DiscardTarget[] {
    const run = this.runs.get(runId);
    if (!run) throw new InvalidInputError(`There is no run ${runId}.`, [], 'List runs with `replica-desk runs list`.');
    const refuse = (why: string, hint: string): never => {
      throw new DiscardRefusedError(runId, why, hint);
    };
    if (kindOf(run.plan) === 'rollback') refuse(`it is a rollback; what it set aside belongs to run ${run.plan.rollbackOf}`, `Discard with \`replica-desk runs discard ${run.plan.rollbackOf}\`.`);
    if (modeOf(run.plan) !== 'side-by-side') refuse('it restored in place and kept no schema', 'Only side-by-side runs keep a schema.');
    if (run.status === 'running' && !run.interrupted) refuse('it is still running', `Wait for it to finish: \`replica-desk runs show ${runId}\`.`);
    const rows = this.runs.kept.list({ runIds: [runId] });
    const unfinishedRollback = this.runs
      // A rollback of the run started after it.
      .list({ installation: run.installation, since: run.createdAt }, { steps: false })
      .find((o) => kindOf(o.planSummary) === 'rollback' && o.planSummary.rollbackOf === runId && (o.status === 'running' || isUnfinished(o)));
    if (unfinishedRollback) refuse(`its rollback run ${unfinishedRollback.runId} is unfinished`, `Finish that one first: \`replica-desk runs resume ${unfinishedRollback.runId}\`.`);
    const wanted = replicas.length === 0 ? run.plan.replicas : replicas.map((name) => run.plan.replicas.find((r) => r.toLowerCase() === name.toLowerCase()) ?? refuse(`it did not restore a replica "${name}"`, `Its replicas: ${run.plan.replicas.join(', ')}.`));
    const targets = [...new Set(wanted)].flatMap((replica) => {
      const target = keptTarget(run, replica, rows);
      if (!target && replicas.length > 0) refuse(`it keeps no schema for ${run.installation}/${replica} (none was kept, or it was discarded or rolled back to)`, `\`replica-desk runs show ${runId}\` shows the kept schemas.`);
      return target ? [target] : [];
    });
    if (targets.length === 0) refuse('it keeps no schema any more (none was kept, or each was discarded or rolled back to)', `\`replica-desk runs show ${runId}\` shows the kept schemas.`);
    return targets;
  }

  /** Each target with its size now (null when its database cannot say). Read-only. */
  async measure(runId: string, targets: DiscardTarget[]): Promise<KeptSchemaDiscard[]> {
    return this.withRun(runId, async (run, resources) =>
      Promise.all(
        targets.map(async (t) => {
          const server = resources.server(t.replica);
          const bytes = await resources.client(server).then((c) => keptSchemaBytes(c, server.db.schema, t.schema), () => null);
          return { replica: formatServerRef({ installation: run.installation, server: t.replica }), runId, schema: t.schema, kind: t.kind, bytes, existed: bytes !== null };
        }),
      ),
    );
  }

  /** Drops the targets (one at a time) and records each discard; stops at the first refusal. */
  async discard(runId: string, targets: DiscardTarget[]): Promise<KeptSchemaDiscard[]> {
    return this.withRun(runId, async (run, resources) => {
      const identities = (run.captured.identities ?? {}) as Record<string, SchemaIdentity>;
      const done: KeptSchemaDiscard[] = [];
      for (const t of targets) {
        const server = resources.server(t.replica);
        const expect = identities[t.replica];
        if (!expect) throw new DiscardRefusedError(runId, `the run has no recorded identity for ${run.installation}/${t.replica}`, 'Drop the schema by hand if it is no longer needed.');
        const client = await resources.client(server);
        const bytes = await keptSchemaBytes(client, server.db.schema, t.schema);
        const existed = await discardKeptSchema(client, server.db.schema, t.schema, { expect, lockTimeoutMs: DROP_LOCK_TIMEOUT_MS, statementTimeoutMs: DROP_STATEMENT_TIMEOUT_MS });
        this.runs.kept.markDiscarded({ runId, replica: t.replica, name: t.schema, kind: t.kind, bytes });
        this.log.info('kept schema discarded', { runId, replica: t.replica, schema: t.schema, bytes, existed });
        done.push({ replica: formatServerRef({ installation: run.installation, server: t.replica }), runId, schema: t.schema, kind: t.kind, bytes, existed });
      }
      return done;
    });
  }

  /** Every kept schema the replicas' databases hold now (one installation, or all), each server within `timeoutMs`. */
  async held(installation?: string, timeoutMs = DEFAULT_LIST_TIMEOUT_MS): Promise<KeptSchemaListing[]> {
    const installations: Installation[] = installation ? [this.profiles.get(installation)] : this.profiles.list();
    const byTag = new Map<string, string>();
    for (const row of this.runs.kept.list()) byTag.set(runTag(row.runId), row.runId);
    const listings = installations.flatMap((inst) =>
      inst.servers
        .filter((s) => s.role === 'replica')
        .map(async (server): Promise<KeptSchemaListing> => {
          const replica = formatServerRef({ installation: inst.name, server: server.name });
          const resources = new RestoreResources(inst, this.secretStore, this.env, this.log);
          try {
            const work = resources.client(server).then((c) => listKeptSchemas(c, server.db.schema));
            const found = await withDeadline(work, timeoutMs, () => new Error(`no answer within ${timeoutMs} ms`));
            const schemas: HeldKeptSchema[] = found.map((k) => ({ schema: k.name, kind: k.kind, bytes: k.bytes, runId: byTag.get(k.tag) ?? null }));
            return { replica, schemas, error: null };
          } catch (e) {
            return { replica, schemas: [], error: toErrorPayload(e).message };
          } finally {
            void resources.close();
          }
        }),
    );
    return Promise.all(listings);
  }

  private async withRun<T>(runId: string, work: (run: RunRow, resources: RestoreResources) => Promise<T>): Promise<T> {
    const run = this.runs.get(runId)!;
    // The profile as it is now: connections go where the admin points them (bound secrets decide).
    const installation = this.profiles.get(run.installation);
    const resources = new RestoreResources(installation, this.secretStore, this.env, this.log);
    try {
      return await work(run, resources);
    } finally {
      await resources.close();
    }
  }
}

/** What the run keeps for the replica now, from the history (or, for older runs, its swap step). */
function keptTarget(run: RunRow, replica: string, rows: readonly KeptSchemaRow[]): DiscardTarget | null {
  const own = rows.filter((k) => k.replica === replica);
  const held = own.find((k) => k.kind === 'undone' && k.state === 'kept') ?? own.find((k) => k.kind === 'prev' && k.state === 'kept');
  if (held) return { replica, schema: held.schema, kind: held.kind };
  if (own.length > 0) return null;
  const swap = run.steps.find((s) => s.id === 'swap' && s.replica === replica && (s.status === 'done' || s.status === 'skipped'));
  const name = swap?.captured.keptSchema;
  return typeof name === 'string' ? { replica, schema: name, kind: 'prev' } : null;
}
