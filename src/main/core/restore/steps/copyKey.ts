// Step "copy-key": the master's Rijndael key file, renamed for the replica's own database
// and user, private (0600), verified by SHA-256. Its content never reaches a log. A key
// file the replica already has is never overwritten: the same key is left in place, a
// different one is kept beside it as `<file>.before-<run id>`.
import { formatServerRef } from '../../../../shared/profiles';
import { ReplicaDeskError } from '../../errors';
import { copyPrivateFile } from '../../hosts/copyFile';
import { keyFileFor } from '../planRestore';
import { requireReplica, type StepImplementation } from '../stepContext';

/** Where copy-key keeps a replica's different key file it would otherwise overwrite. */
export const keptKeyFileName = (keyFile: string, runId: string): string => `${keyFile}.before-${runId}`;

export const copyKey: StepImplementation = async (ctx) => {
  const replica = requireReplica(ctx);
  const from = keyFileFor(ctx.master);
  const to = keyFileFor(replica);
  if (!from || !to) {
    throw new ReplicaDeskError('install-dir-missing', `installDir is not set for ${!from ? 'the master' : formatServerRef(ctx.resources.ref(replica))}.`, 'Set installDir in the profile so the key file can be found and copied.');
  }
  const keepExistingAs = keptKeyFileName(to, ctx.runId);
  const result = await copyPrivateFile(await ctx.resources.host(ctx.master, ctx.signal), from, await ctx.resources.host(replica, ctx.signal), to, { signal: ctx.signal, keepExistingAs });
  if (result.alreadyInPlace) {
    return { message: `The key file ${to} is already the master's (${result.bytes} bytes, SHA-256 verified); left as it was`, captured: { keyFile: to, sha256: result.sha256, alreadyInPlace: true } };
  }
  const kept = result.keptExistingAs ? `; the different key file that was there is kept as ${result.keptExistingAs}` : '';
  return {
    message: `Copied the key file to ${to} (${result.bytes} bytes, SHA-256 verified, mode 0600)${kept}`,
    captured: { keyFile: to, sha256: result.sha256, ...(result.keptExistingAs ? { previousKeyFileKeptAs: result.keptExistingAs } : {}) },
  };
};
