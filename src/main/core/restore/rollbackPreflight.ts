// The checks before a rollback, read-only: each replica's database answers, is the cluster
// and database the rolled-back run restored (so the swap back lands where the swap did), and
// holds the schemas a swap back needs — its schema, the kept previous one, and no restored
// one set aside yet. Also: its control commands are approved, no other run holds it, and its
// host is reachable when the rollback runs commands or puts a key file back there (the
// restore preflight's host check), with the kept key file present.
import { formatServerRef, type Installation, type Server } from '../../../shared/profiles';
import type { PreflightFinding } from '../../../shared/restorePlan';
import { ReplicaDeskError, toErrorPayload } from '../errors';
import type { Logger } from '../logging/logger';
import { findAdvisoryLockHolder } from '../postgres/advisoryLock';
import { readClusterIdentity, type SchemaIdentity } from '../postgres/clusterIdentity';
import { readSwapState } from '../postgres/schemaSwap';
import { CommandNotApprovedError, controlCommandsOf, type CommandApprovalCheck } from '../profiles/commandApprovals';
import type { EndpointBoundSecretStore } from '../secrets/endpointBoundSecretStore';
import { onReachableHost, runNeedsHost } from './hostPreflight';
import { keyFileFor } from './planRestore';
import { swapBackNames } from './planRollback';
import { RestoreResources } from './restoreResources';
import { RunLockHeldError, describeHolder, runLockKey } from './runLocks';
import { runTag } from './sideBySideNames';
import { keptKeyFileName } from './steps/placeKeyFile';
import { keptKeyFileMissing } from './steps/restoreKey';

export interface RollbackPreflightInput {
  installation: Installation;
  /** The run being rolled back, and the identities its preflight recorded. */
  runId: string;
  recorded: Record<string, SchemaIdentity>;
  replicas: Server[];
  secretStore: EndpointBoundSecretStore;
  env: NodeJS.ProcessEnv;
  log: Logger;
  approvals: CommandApprovalCheck;
  /** The replicas whose key file the rollback puts back (restore-key steps). */
  restoreKeyFor: string[];
  /** Reaching each host; default 10 s. */
  timeoutMs?: number;
}

export interface RollbackPreflightResult {
  ok: boolean;
  findings: PreflightFinding[];
  identities: Record<string, SchemaIdentity>;
}

/** The check whose failure means the kept schema is gone: a refusal (exit 2), not a failure. */
export const KEPT_SCHEMA_CHECK = 'kept-schema';

export async function runRollbackPreflight(input: RollbackPreflightInput): Promise<RollbackPreflightResult> {
  const { installation } = input;
  const findings: PreflightFinding[] = [];
  const identities: Record<string, SchemaIdentity> = {};
  const ref = (s: Server) => formatServerRef({ installation: installation.name, server: s.name });
  const add = (check: string, server: Server, ok: boolean, message: string, hint?: string) =>
    findings.push({ check, server: ref(server), ok, severity: ok ? 'info' : 'error', message, ...(hint ? { hint } : {}) });
  const resources = new RestoreResources(installation, input.secretStore, input.env, input.log);
  try {
    for (const replica of input.replicas) {
      await checkReplicaHost(input, replica, ref(replica), add);
      const recorded = input.recorded[replica.name];
      const names = swapBackNames(replica.db.schema, input.runId);
      try {
        const client = await resources.client(replica);
        const actual = await readClusterIdentity(client);
        if (!recorded || recorded.systemIdentifier !== actual.systemIdentifier || recorded.database !== actual.database || recorded.schema !== replica.db.schema) {
          add('target', replica, false, `${ref(replica)} now points at ${actual.database}.${replica.db.schema} on cluster ${actual.systemIdentifier}, not where run ${input.runId} swapped (${recorded ? `${recorded.database}.${recorded.schema} on cluster ${recorded.systemIdentifier}` : 'not recorded'}).`, 'Point the profile back at the replica the run restored; nothing was changed.');
          continue;
        }
        identities[replica.name] = recorded;
        add('target', replica, true, `${ref(replica)} is the database run ${input.runId} swapped (cluster ${actual.systemIdentifier}, database ${actual.database})`);
        const state = await readSwapState(client, replica.db.schema, runTag(input.runId));
        if (!state.prev) add(KEPT_SCHEMA_CHECK, replica, false, `The previous schema ${names.previous} of ${ref(replica)} is missing: it was dropped outside Replica Desk.`, 'There is nothing to go back to; restore again instead.');
        else if (state.undone) add(KEPT_SCHEMA_CHECK, replica, false, `${names.undone} already exists beside ${ref(replica)}'s schema, so the restored schema cannot be set aside under that name.`, `Check what ${names.undone} is (a rollback done by hand?) and rename or drop it yourself.`);
        else if (!state.live) add(KEPT_SCHEMA_CHECK, replica, false, `${ref(replica)}'s schema ${replica.db.schema} is missing.`, 'Check the database by hand; a swap back needs the schema it sets aside.');
        else add(KEPT_SCHEMA_CHECK, replica, true, `${names.previous} is kept beside ${replica.db.schema}; the swap back will set the restored schema aside as ${names.undone}`);
        const holder = await findAdvisoryLockHolder(client, runLockKey(recorded));
        if (holder) {
          const held = new RunLockHeldError(ref(replica), describeHolder(holder));
          add('run-in-progress', replica, false, held.message, held.hint);
        } else add('run-in-progress', replica, true, `No other run holds ${ref(replica)}`);
      } catch (e) {
        const p = toErrorPayload(e);
        add('database', replica, false, p.message, p.hint);
      }
      const serverRef = { installation: installation.name, server: replica.name };
      for (const c of controlCommandsOf(serverRef, replica)) {
        if (input.approvals.isApproved(serverRef, replica, c.kind)) continue;
        const error = new CommandNotApprovedError(serverRef, c.kind, c.command);
        add('command-not-approved', replica, false, error.message, error.hint);
      }
    }
  } finally {
    await resources.close();
  }
  return { ok: findings.every((f) => f.ok || f.severity !== 'error'), findings, identities };
}

/** The host check of the restore preflight, for what the rollback does there: commands, the key file put back. */
async function checkReplicaHost(input: RollbackPreflightInput, replica: Server, ref: string, add: (check: string, server: Server, ok: boolean, message: string, hint?: string) => void): Promise<void> {
  const putsKeyBack = input.restoreKeyFor.includes(replica.name);
  if (!runNeedsHost(replica, putsKeyBack)) return;
  let reached = false;
  try {
    await onReachableHost(replica, { installation: input.installation.name, server: replica.name }, input.secretStore, input.env, input.timeoutMs, async (host) => {
      reached = true;
      add('host', replica, true, `Host reachable: ${host.description}`);
      if (!putsKeyBack) return;
      const keyFile = keyFileFor(replica);
      if (!keyFile) throw new ReplicaDeskError('install-dir-missing', `installDir is not set for ${ref}, so its key file cannot be put back.`, 'Set installDir in the profile as it was for the restore.');
      const kept = keptKeyFileName(keyFile, input.runId);
      if ((await host.sha256(kept)) === null) throw keptKeyFileMissing(ref, input.runId, kept, keyFile, host.description, 'roll back');
      add('key-file', replica, true, `The key file ${ref} had before run ${input.runId} is kept: ${kept}`);
    });
  } catch (e) {
    const p = toErrorPayload(e);
    add(reached ? 'key-file' : 'host', replica, false, p.message, p.hint);
  }
}
