// The history's "Discard kept schema": drops what a side-by-side run keeps aside for one
// replica (its previous schema, or after a rollback the restored one). The admin confirms in
// the main process (a native dialog, never the renderer's say-so), shown the schema, the
// replica and its size; what the history rules out is refused before anyone is asked.
import { formatByteSize } from '../../shared/byteSize';
import type { KeptSchemaDiscard } from '../../shared/runRecord';
import type { ReplicaDesk } from '../core/replicaDesk';
import type { ConfirmInMain } from './confirmInMain';

export async function discardKeptSchemaInMain(core: ReplicaDesk, confirm: ConfirmInMain, runId: string, replica: string): Promise<{ discarded: boolean; kept: KeptSchemaDiscard }> {
  const targets = core.keptSchemas.targets(runId, [replica]);
  const [kept] = await core.keptSchemas.measure(runId, targets);
  const size = kept!.bytes === null ? 'size unknown' : formatByteSize(kept!.bytes);
  const yes = await confirm({
    title: 'Discard kept schema',
    message: `Drop ${kept!.schema} of ${kept!.replica} (${size})?`,
    detail:
      `${kept!.kind === 'prev' ? 'The replica\'s schema from before' : 'The restored schema a rollback set aside after'} run ${runId}.\n` +
      `${kept!.bytes === null ? 'Its size could not be measured' : `${kept!.bytes.toLocaleString('en-US')} bytes`}.\n\n` +
      `Once dropped, run ${runId} can no longer be rolled back${kept!.kind === 'undone' ? ' again' : ''}.`,
    confirmLabel: 'Discard',
  });
  if (!yes) return { discarded: false, kept: kept! };
  const [done] = await core.keptSchemas.discard(runId, targets);
  return { discarded: true, kept: done! };
}
