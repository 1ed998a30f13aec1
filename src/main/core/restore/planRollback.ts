// Builds the RestorePlan of a rollback (`runs rollback RUN_ID`): for each replica the
// side-by-side run swapped, stop it and prove it stopped, swap back in one transaction (the
// restored schema goes aside as `<schema>__rd_undone_<runtag>`, the previous one
// `<schema>__rd_prev_<runtag>` takes the name again), start it, and verify it. Pure: no I/O,
// so the plan shown (and --json) is exactly what runs. The runner runs it like a restore
// (locks, resume, cancel, compensation); restore/rollbackPreparation.ts decides whether a
// run may be rolled back at all.
import { formatServerRef, type Installation, type Server } from '../../../shared/profiles';
import type { PlannedAction, PlannedStep, RestorePlan } from '../../../shared/restorePlan';
import type { RouteView } from '../../../shared/sshRoutes';
import { keptSchemaName } from '../postgres/swapNames';
import { dbVia, keyFileFor, masterOf, startReplicaStep, stopReplicaStep } from './planRestore';
import { runTag } from './sideBySideNames';
import { keptKeyFileName } from './steps/placeKeyFile';
import { swapStatements } from './steps/swapStep';
import { swapLockTimeoutMs } from './swapLockTimeout';

export interface RollbackPlanInput {
  /** The installation as its profile is now (its control commands are the ones approved). */
  installation: Installation;
  /** The side-by-side run to roll back. */
  runId: string;
  /** Server names of the replicas to swap back (checked by the caller). */
  replicas: string[];
  /** Replicas whose different key file the run set aside (copy-key): it goes back in place. */
  restoreKeyFor?: string[];
  /** `--lock-timeout`: the swap back's lock_timeout; the default when absent (swapLockTimeout.ts). */
  swapLockTimeoutMs?: number;
  /** The rolled-back run's backup, for the record only: a rollback reads no dump. */
  backup: RestorePlan['backup'];
  /** The SSH routes of the replicas' databases (runTunnels.planRoutes), keyed `installation/server`. */
  routes?: Record<string, RouteView>;
}

/** The names a swap back of `runId` uses for a replica schema. */
export function swapBackNames(schema: string, runId: string): { schema: string; previous: string; undone: string } {
  const tag = runTag(runId);
  return { schema, previous: keptSchemaName(schema, 'prev', tag), undone: keptSchemaName(schema, 'undone', tag) };
}

/** The swap back's exact SQL, one statement per action. */
export function swapBackActions(replica: Server, runId: string, lockTimeoutMs: number, route?: RouteView): PlannedAction[] {
  const names = swapBackNames(replica.db.schema, runId);
  const where = dbVia(replica, route);
  return [
    { kind: 'sql', where, text: `-- right before: ${replica.name} proved stopped again (status and sessions); ${names.previous} must exist and ${names.undone} must not (or the swap back already committed)` },
    ...swapStatements({ schema: names.schema, shadow: names.previous, kept: names.undone }, lockTimeoutMs).map((text) => ({ kind: 'sql' as const, where, text })),
  ];
}

export function planRollback(input: RollbackPlanInput): RestorePlan {
  const { installation } = input;
  const master = masterOf(installation);
  const replicas = input.replicas.map((name) => installation.servers.find((s) => s.name === name)!);
  const ref = (s: Server) => formatServerRef({ installation: installation.name, server: s.name });
  const routes = input.routes ?? {};
  const steps: Omit<PlannedStep, 'seq'>[] = [];
  for (const r of replicas) {
    const names = swapBackNames(r.db.schema, input.runId);
    const route = routes[ref(r)];
    steps.push(stopReplicaStep(installation, r, route));
    steps.push({
      id: 'swap-back',
      replica: r.name,
      title: `Swap ${names.previous} back in as ${r.db.schema} on ${ref(r)}, keeping the restored schema as ${names.undone}`,
      actions: swapBackActions(r, input.runId, swapLockTimeoutMs(input), route),
      destructive: true,
      manual: false,
    });
    const keyFile = keyFileFor(r);
    if (keyFile && input.restoreKeyFor?.includes(r.name)) {
      steps.push({
        id: 'restore-key',
        replica: r.name,
        title: `Put back the key file ${ref(r)} had before run ${input.runId}`,
        actions: [{ kind: 'copy', where: ref(r), text: `${keptKeyFileName(keyFile, input.runId)} → ${keyFile}   # mode 0600, SHA-256 verified; the key file there now is kept as ${keptKeyFileName(keyFile, '<this run>')}` }],
        destructive: false,
        manual: false,
      });
    }
    steps.push(startReplicaStep(installation, r));
    steps.push({
      id: 'verify',
      replica: r.name,
      title: `Verify ${ref(r)}`,
      actions: [{ kind: 'sql', where: dbVia(r, route), text: `in ${r.db.schema}: repository_server_type = live (exactly one row); replicator_remote, replicator_local and replicator_tag present (one row each)` }],
      destructive: false,
      manual: false,
    });
  }
  const numbered = steps.map((s, i) => ({ ...s, seq: i + 1 }));
  const windows = replicas
    .map((r) => {
      const seq = (id: PlannedStep['id']) => numbered.find((s) => s.id === id && s.replica === r.name)?.seq;
      return `${r.name}: steps ${seq('stop-replica')}–${seq('start-replica')}`;
    })
    .join('; ');
  return {
    installation,
    master: master.name,
    replicas: replicas.map((r) => r.name),
    backup: input.backup,
    mode: 'side-by-side',
    kind: 'rollback',
    rollbackOf: input.runId,
    ...(input.swapLockTimeoutMs !== undefined ? { swapLockTimeoutMs: input.swapLockTimeoutMs } : {}),
    ...(Object.keys(routes).length > 0 ? { routes } : {}),
    modeReason:
      `Rollback of run ${input.runId}: each replica goes back to the schema it had before that run. ` +
      `It is down only from its stop until it runs again after the swap back (${windows}), whatever the size of the database. ` +
      'The restored schema is kept beside it (`replica-desk runs discard` drops it); nothing is dumped, dropped or restored.',
    steps: numbered,
  };
}
