// Installations that something other than the admin made and keeps: today the sandbox's
// (sandbox/sandboxStore.ts). Profile import, save and delete leave such an installation to
// its owner, which removes it the one way that also removes what it made (`sandbox down`).
import { ConflictError } from '../errors';

export type InstallationOwner = 'sandbox';

export interface InstallationOwnership {
  /** Who owns the installation (name compared without case), or null: the admin's own. */
  ownerOf(installation: string): InstallationOwner | null;
}

export const nobodyOwns: InstallationOwnership = { ownerOf: () => null };

export class OwnedInstallationError extends ConflictError {
  constructor(installation: string, doing: string) {
    super(
      `The installation "${installation}" belongs to the sandbox: ${doing} would change what \`replica-desk sandbox up\` made, so it was refused.`,
      'Remove the sandbox with `replica-desk sandbox down` first (its runs stay in the history), or use another installation name; nothing was changed.',
    );
  }
}

/** Throws OwnedInstallationError when an owner other than `as` holds any of `names`. */
export function refuseOwned(ownership: InstallationOwnership, names: readonly string[], doing: string, as: InstallationOwner | null = null): void {
  for (const name of names) {
    const owner = ownership.ownerOf(name);
    if (owner !== null && owner !== as) throw new OwnedInstallationError(name, doing);
  }
}
