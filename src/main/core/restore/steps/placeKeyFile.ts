// Puts a Rijndael key file in place for a step (copy-key of a restore, restore-key of a
// rollback): copied private (0600) and SHA-256 verified by copyPrivateFile, never over a
// different file: that one is kept beside it as `<file>.before-<run id>`. A file already
// holding the same key is left as it is, so a resumed step does nothing twice (and records
// what its interrupted first attempt kept aside). The step
// only names the files and the words; the outcome reads the same for both steps.
import type { Host } from '../../hosts/host';
import { copyPrivateFile } from '../../hosts/copyFile';
import type { StepOutcome } from '../stepContext';

/** Where a key file that would be overwritten by this run's key file is kept. */
export const keptKeyFileName = (keyFile: string, runId: string): string => `${keyFile}.before-${runId}`;

export interface KeyFilePlacement {
  from: { host: Host; path: string };
  to: { host: Host; path: string };
  /** The run placing the file: a different file at the target is kept as `<to>.before-<runId>`. */
  runId: string;
  signal?: AbortSignal;
  words: {
    /** What the key is, for "already …": `the master's`. */
    sameAs: string;
    /** What was done, before ": from → to": `Copied the master's key file`. */
    placed: string;
    /** What the file kept aside was: `the different key file`. */
    keptFile: string;
  };
  /** The captured field naming where the kept file went: `previousKeyFileKeptAs`. */
  keptAsField: string;
  /** More captured values when the file was placed. */
  captured?: Record<string, unknown>;
}

export async function placeKeyFile(p: KeyFilePlacement): Promise<StepOutcome> {
  const to = p.to.path;
  const result = await copyPrivateFile(p.from.host, p.from.path, p.to.host, to, { signal: p.signal, keepExistingAs: keptKeyFileName(to, p.runId) });
  const verified = `${result.bytes} bytes, SHA-256 verified`;
  if (result.alreadyInPlace) {
    // A resumed step whose first attempt placed the file (and kept what was there) before it was
    // interrupted: its record says the same as one that finished the first time.
    const keptEarlier = keptKeyFileName(to, p.runId);
    const kept = (await p.to.host.sha256(keptEarlier)) !== null ? keptEarlier : null;
    return {
      message: `The key file ${to} is already ${p.words.sameAs} (${verified}); left as it was${kept ? `; ${p.words.keptFile} that was there is kept as ${kept}` : ''}`,
      captured: { keyFile: to, ...p.captured, sha256: result.sha256, alreadyInPlace: true, ...(kept ? { [p.keptAsField]: kept } : {}) },
    };
  }
  const kept = result.keptExistingAs ? `; ${p.words.keptFile} that was there is kept as ${result.keptExistingAs}` : '';
  return {
    message: `${p.words.placed}: ${p.from.path} → ${to} (${verified}, mode 0600)${kept}`,
    captured: { keyFile: to, ...p.captured, sha256: result.sha256, ...(result.keptExistingAs ? { [p.keptAsField]: result.keptExistingAs } : {}) },
  };
}
