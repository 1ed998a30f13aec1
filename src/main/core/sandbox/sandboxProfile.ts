// The sandbox's installation in the profiles: imported from the manifest's profiles@1 file
// with its control commands approved (the sandbox wrote them), replaced when the manifest
// changed (new ports after a repair), and removed by `sandbox down` with its approvals,
// keychain entries and cached topology. Only the sandbox writes it (installationOwnership.ts).
import { isDeepStrictEqual } from 'node:util';
import type { Installation, ProfilesFile } from '../../../shared/profiles';
import { controlCommandsOf, type CommandApprovals } from '../profiles/commandApprovals';
import type { ProfileService } from '../profiles/profileService';
import type { TopologyCache } from '../topology/topologyCache';

export type ProfileOutcome = 'created' | 'replaced' | 'unchanged';

export class SandboxProfile {
  constructor(
    private readonly profiles: ProfileService,
    private readonly approvals: CommandApprovals,
    private readonly topologyCache: TopologyCache,
  ) {}

  /** The installation as stored, or null. */
  stored(name: string): Installation | null {
    return this.profiles.list().find((i) => i.name.toLowerCase() === name.toLowerCase()) ?? null;
  }

  /** Stored exactly as `installation` (after validation's defaults), every control command approved. */
  isCurrent(installation: Installation): boolean {
    const stored = this.stored(installation.name);
    if (!stored || !isDeepStrictEqual(stored, this.profiles.validate(installation))) return false;
    return stored.servers.every((server) =>
      controlCommandsOf({ installation: stored.name, server: server.name }, server).every(({ kind }) =>
        this.approvals.isApproved({ installation: stored.name, server: server.name }, server, kind),
      ),
    );
  }

  /** Imports the file's installation (the sandbox's own, replacing an older one), approving its commands. */
  async apply(file: ProfilesFile): Promise<ProfileOutcome> {
    const [installation] = file.installations;
    if (installation && this.isCurrent(installation)) return 'unchanged';
    const summary = await this.profiles.importText(JSON.stringify(file), { replace: true, approveCommands: true, as: 'sandbox' });
    // A replaced installation's last probe showed the old ports: probe anew.
    for (const name of summary.replaced) this.topologyCache.delete(name);
    return summary.replaced.length > 0 ? 'replaced' : 'created';
  }

  /**
   * Removes the installation with its command approvals and its cached topology, after
   * sandboxKeychain.ts removed its servers' keychain entries. False when it was gone.
   */
  async remove(name: string): Promise<boolean> {
    const cached = this.topologyCache.delete(name);
    const stored = this.stored(name);
    if (!stored) return cached;
    await this.profiles.delete(stored.name, { as: 'sandbox', keychainRemoved: true });
    return true;
  }
}
