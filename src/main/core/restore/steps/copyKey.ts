// Step "copy-key": the master's Rijndael key file, renamed for the replica's own database
// and user, private (0600), verified by SHA-256. Its content never reaches a log. A key
// file the replica already has is never overwritten: the same key is left in place, a
// different one is kept beside it as `<file>.before-<run id>` (placeKeyFile.ts).
import { formatServerRef } from '../../../../shared/profiles';
import { ReplicaDeskError } from '../../errors';
import { keyFileFor } from '../planRestore';
import { requireReplica, type StepImplementation } from '../stepContext';
import { placeKeyFile } from './placeKeyFile';

export const copyKey: StepImplementation = async (ctx) => {
  const replica = requireReplica(ctx);
  const from = keyFileFor(ctx.master);
  const to = keyFileFor(replica);
  if (!from || !to) {
    throw new ReplicaDeskError('install-dir-missing', `installDir is not set for ${!from ? 'the master' : formatServerRef(ctx.resources.ref(replica))}.`, 'Set installDir in the profile so the key file can be found and copied.');
  }
  return placeKeyFile({
    from: { host: await ctx.resources.host(ctx.master, ctx.signal), path: from },
    to: { host: await ctx.resources.host(replica, ctx.signal), path: to },
    runId: ctx.runId,
    signal: ctx.signal,
    words: { sameAs: "the master's", placed: "Copied the master's key file", keptFile: 'the different key file' },
    keptAsField: 'previousKeyFileKeptAs',
  });
};
