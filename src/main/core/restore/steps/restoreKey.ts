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

/** The key file a run kept aside (`<file>.before-<run>`) is not there to be put back. */
export const keptKeyFileMissing = (replica: string, rolledBack: string, kept: string, keyFile: string, where: string, then: string) =>
  new ReplicaDeskError(
    'kept-key-file-missing',
    `The key file ${replica} had before run ${rolledBack} is gone: ${kept} does not exist on ${where}.`,
    `Put the key file the previous schema was encrypted with at ${keyFile} by hand (mode 0600), then ${then}; or restore the replica again.`,
  );

export const restoreKey: StepImplementation = async (ctx) => {
  const replica = requireReplica(ctx);
  const rolledBack = ctx.plan.rollbackOf;
  const to = keyFileFor(replica);
  if (!rolledBack || !to) {
    throw new ReplicaDeskError('install-dir-missing', `The key file of ${formatServerRef(ctx.resources.ref(replica))} cannot be named (installDir is not set, or this is not a rollback).`, 'Set installDir in the profile as it was for the restore, then resume the rollback.');
  }
  const from = keptKeyFileName(to, rolledBack);
  const host = await ctx.resources.host(replica, ctx.signal);
  if ((await host.sha256(from)) === null) throw keptKeyFileMissing(formatServerRef(ctx.resources.ref(replica)), rolledBack, from, to, host.description, 'resume the rollback');
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
