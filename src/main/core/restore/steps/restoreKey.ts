// Step "restore-key" of a rollback: the side-by-side run's copy-key put the master's key file
// in place and kept the replica's different one as `<file>.before-<run id>` (copyKey.ts).
// Going back to the previous schema means going back to the key it was encrypted with: the
// kept file is copied back (placeKeyFile.ts), and the key file now there is in turn kept as
// `<file>.before-<this rollback's run id>`, so nothing is lost either way. A resume
// after the copy finds the key already in place and leaves it.
import { formatServerRef } from '../../../../shared/profiles';
import { ReplicaDeskError } from '../../errors';
import { keyFileFor } from '../planRestore';
import { requireReplica, type StepImplementation } from '../stepContext';
import { keptKeyFileName, placeKeyFile } from './placeKeyFile';

export const restoreKey: StepImplementation = async (ctx) => {
  const replica = requireReplica(ctx);
  const rolledBack = ctx.plan.rollbackOf;
  const to = keyFileFor(replica);
  if (!rolledBack || !to) {
    throw new ReplicaDeskError('install-dir-missing', `The key file of ${formatServerRef(ctx.resources.ref(replica))} cannot be named (installDir is not set, or this is not a rollback).`, 'Set installDir in the profile as it was for the restore, then resume the rollback.');
  }
  const from = keptKeyFileName(to, rolledBack);
  const host = await ctx.resources.host(replica, ctx.signal);
  if ((await host.sha256(from)) === null) {
    throw new ReplicaDeskError(
      'kept-key-file-missing',
      `The key file ${formatServerRef(ctx.resources.ref(replica))} had before run ${rolledBack} is gone: ${from} does not exist on ${host.description}.`,
      `Put the key file the previous schema was encrypted with at ${to} by hand (mode 0600), then resume the rollback; or restore the replica again.`,
    );
  }
  return placeKeyFile({
    from: { host, path: from },
    to: { host, path: to },
    runId: ctx.runId,
    signal: ctx.signal,
    words: { sameAs: `the one the replica had before run ${rolledBack}`, placed: `Put back the key file the replica had before run ${rolledBack}`, keptFile: "the master's key file" },
    keptAsField: 'masterKeyFileKeptAs',
    captured: { restoredFrom: from },
  });
};
