// The history's "Delete dump": the admin confirms in the main process (a native dialog, never
// the renderer's say-so), shown the file and its size; a dump a running or resumable run needs
// is refused before anyone is asked, and again when deleting (history/dumpRetention.ts).
import { DumpNeededError } from '../core/history/dumpRetention';
import type { ReplicaDesk } from '../core/replicaDesk';
import { formatByteSize } from '../../shared/byteSize';
import type { RunDump } from '../../shared/runRecord';
import type { ConfirmInMain } from './confirmInMain';

export async function deleteRunDump(core: ReplicaDesk, confirm: ConfirmInMain, runId: string): Promise<{ deleted: boolean; dump: RunDump }> {
  const { dump, neededBy } = core.dumps.dumpOf(runId);
  const shown = (d: RunDump): RunDump => ({ file: d.file, bytes: d.bytes, state: d.state, deleted: d.deleted });
  if (dump.state === 'deleted') return { deleted: false, dump: shown(dump) };
  if (neededBy) throw new DumpNeededError(dump, neededBy);
  const yes = await confirm({
    title: 'Delete dump',
    message: `Delete the dump of run ${runId} (${formatByteSize(dump.bytes)})?`,
    detail: `${dump.file}\n${dump.bytes.toLocaleString('en-US')} bytes, ${dump.installation}, run ${runId}\n\nThe dump holds the whole master schema, user credentials included. Once deleted, it cannot be used again.`,
    confirmLabel: 'Delete',
  });
  if (!yes) return { deleted: false, dump: shown(dump) };
  return { deleted: true, dump: shown(core.dumps.deleteDump(runId)) };
}
