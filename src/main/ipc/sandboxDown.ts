// The app's *Remove sandbox*: it deletes clusters, files, keychain entries and the sandbox's
// installation, so the admin confirms in the main process (a native dialog, never the
// renderer's say-so), shown exactly what goes and that production is not touched. Refused
// before anyone is asked while another sandbox job or a restore of the sandbox runs here.
import { ConflictError } from '../core/errors';
import type { ReplicaDesk } from '../core/replicaDesk';
import type { RestoreSessions } from '../core/restore/restoreSessions';
import { SANDBOX_INSTALLATION, type SandboxStatus } from '../../shared/sandbox';
import type { SandboxDownReply } from '../../shared/sandboxEvents';
import type { ConfirmInMain, TrustPrompt } from './confirmInMain';
import type { SandboxJobs } from './sandboxJobs';

export function sandboxDownPrompt(status: SandboxStatus): TrustPrompt {
  const lines = [
    ...status.servers.map((s) => `stand-in server ${s.name} (${s.role}, ${s.database} on cluster ${s.cluster}): stopped`),
    ...status.clusters.map((c) => `PostgreSQL cluster ${c.name} (port ${c.port}): stopped, ${c.dataDir} deleted`),
    `keychain entries of ${SANDBOX_INSTALLATION}/*: deleted`,
    `installation "${SANDBOX_INSTALLATION}" and its profiles: deleted`,
    ...(status.dir ? [`${status.dir}: deleted`] : []),
  ];
  return {
    title: 'Remove the sandbox',
    message: `Remove the sandbox installation "${SANDBOX_INSTALLATION}" and everything it made on this workstation?`,
    detail: `${lines.join('\n')}\n\nOnly what the sandbox created is removed; no other installation is touched. Its restore runs stay in the history, marked as sandbox runs.`,
    confirmLabel: 'Remove sandbox',
  };
}

export async function sandboxDownInMain(
  core: Pick<ReplicaDesk, 'sandbox' | 'restore'>,
  jobs: SandboxJobs,
  sessions: Pick<RestoreSessions, 'activeRuns'>,
  confirm: ConfirmInMain,
): Promise<SandboxDownReply> {
  jobs.assertIdle();
  const restoring = sessions.activeRuns().filter((runId) => core.restore.record(runId).installation === SANDBOX_INSTALLATION);
  if (restoring.length > 0) {
    throw new ConflictError(`A restore of the sandbox is running (run ${restoring.join(', ')}).`, 'Wait for the run to finish, or cancel it, then remove the sandbox.');
  }
  // Nothing recorded: nothing to delete, so nothing to confirm; down reports existed: false.
  // While the dialog is open, another Remove (or Try) is refused, not asked twice.
  const confirmed = await jobs.whileAsking('down', async () => {
    const status = await core.sandbox.status();
    return !status.exists || (await confirm(sandboxDownPrompt(status)));
  });
  if (!confirmed) return { confirmed: false, report: null };
  return { confirmed: true, report: await jobs.down() };
}
