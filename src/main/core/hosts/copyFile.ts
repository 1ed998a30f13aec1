// Copies a private file (the master's Rijndael key) between hosts, local or SSH: read
// bounded, written 0600 under a temporary name and moved into place, then proven by
// SHA-256 at both ends. It never replaces a file: an identical one is left as it is, a
// different one is kept aside under `keepExistingAs`. The content is never logged or returned.
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { throwIfAborted } from '../cancellation';
import { ReplicaDeskError } from '../errors';
import type { Host } from './host';

export class CopyVerificationError extends ReplicaDeskError {
  constructor(
    readonly from: string,
    readonly to: string,
    readonly expected: string,
    readonly actual: string | null,
  ) {
    super(
      'copy-verification-failed',
      `${to} does not match ${from}: its SHA-256 is ${actual ?? 'missing'}, expected ${expected}.`,
      'Check free space and permissions on the target host, move the bad copy aside, then run the step again.',
    );
  }
}

export interface CopyResult {
  bytes: number;
  /** Lower-case hex SHA-256 of the file, the same at both ends. */
  sha256: string;
  /** The target already held exactly this content; nothing was written. */
  alreadyInPlace?: true;
  /** Where a different file that was at the target now is. */
  keptExistingAs?: string;
}

export interface CopyOptions {
  signal?: AbortSignal;
  /** Where a different file already at the target is kept; without it, such a file fails the copy. */
  keepExistingAs?: string;
}

export async function copyPrivateFile(from: Host, fromPath: string, to: Host, toPath: string, options: CopyOptions = {}): Promise<CopyResult> {
  const data = await from.readFile(fromPath, { signal: options.signal });
  const read = createHash('sha256').update(data).digest('hex');
  const source = await from.sha256(fromPath);
  const where = { from: `${fromPath} on ${from.description}`, to: `${toPath} on ${to.description}` };
  // The file changed while we read it, or the read was short.
  if (source !== read) throw new CopyVerificationError(where.from, `What was read from ${where.from}`, source ?? 'missing', read);
  throwIfAborted(options.signal);
  const existing = await to.sha256(toPath);
  if (existing === read) return { bytes: data.length, sha256: read, alreadyInPlace: true };
  const keep = existing !== null ? options.keepExistingAs : undefined;
  await to.writePrivateFile(toPath, data, { signal: options.signal, ...(keep ? { keepExistingAs: keep } : {}) });
  const copied = await to.sha256(toPath);
  if (copied !== read) throw new CopyVerificationError(where.from, `The copy ${where.to}`, read, copied);
  return { bytes: data.length, sha256: read, ...(keep ? { keptExistingAs: keep } : {}) };
}

/** `<installDir>/etc/keys/<database>.<user>.rijndael`, where CoreMedia looks for the key. */
export const keyFilePath = (installDir: string, database: string, user: string): string =>
  posix.join(installDir, 'etc', 'keys', `${database}.${user}.rijndael`);
