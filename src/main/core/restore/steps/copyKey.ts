// Step "copy-key": the master's Rijndael key file, renamed for the replica's own database
// and user, private (0600), verified by SHA-256. Its content never reaches a log.
import { formatServerRef } from '../../../../shared/profiles';
import { ReplicaDeskError } from '../../errors';
import { copyPrivateFile } from '../../hosts/copyFile';
import { keyFileFor } from '../planRestore';
import { requireReplica, type StepImplementation } from '../stepContext';

export const copyKey: StepImplementation = async (ctx) => {
  const replica = requireReplica(ctx);
  const from = keyFileFor(ctx.master);
  const to = keyFileFor(replica);
  if (!from || !to) {
    throw new ReplicaDeskError('install-dir-missing', `installDir is not set for ${!from ? 'the master' : formatServerRef(ctx.resources.ref(replica))}.`, 'Set installDir in the profile so the key file can be found and copied.');
  }
  const result = await copyPrivateFile(await ctx.resources.host(ctx.master, ctx.signal), from, await ctx.resources.host(replica, ctx.signal), to, { signal: ctx.signal });
  return { message: `Copied the key file to ${to} (${result.bytes} bytes, SHA-256 verified, mode 0600)`, captured: { keyFile: to, sha256: result.sha256 } };
};
