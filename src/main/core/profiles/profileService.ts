// The rules for installations and servers: validation against profiles@1, uniqueness,
// renames that carry keychain entries and command approvals along, and all-or-nothing
// import and export.
import type { z } from 'zod';
import type { ImportSummary } from '../../../shared/api';
import {
  InstallationSchema,
  PROFILES_FORMAT,
  ProfilesFileSchema,
  formatServerRef,
  jsonPath,
  type Installation,
  type ProfilesFile,
  type Server,
  type ServerRef,
} from '../../../shared/profiles';
import type { ProblemPath } from '../../../shared/result';
import { InvalidInputError, NotFoundError } from '../errors';
import type { Logger } from '../logging/logger';
import type { SecretMove, SecretService, ServerChange } from '../secrets/secretService';
import type { CommandApprovals } from './commandApprovals';
import { nobodyOwns, refuseOwned, type InstallationOwner, type InstallationOwnership } from './installationOwnership';
import type { ProfileRepository } from './profileRepository';

export interface SaveInstallationInput {
  previousName?: string;
  installation: unknown;
  serverRenames?: { from: string; to: string }[];
}

const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export function problemsOf(error: z.ZodError, prefix: ReadonlyArray<PropertyKey> = []): ProblemPath[] {
  return error.issues.map((issue) => ({ path: jsonPath([...prefix, ...issue.path]), message: issue.message }));
}

/** Each moved server as it was and as it will be; keyed by its old (current) keychain name. */
function changesOf(previous: Installation, next: Installation, moves: readonly SecretMove[]): ServerChange[] {
  return moves.flatMap((m) => {
    const before = previous.servers.find((s) => sameName(s.name, m.from.server));
    const after = next.servers.find((s) => sameName(s.name, m.to.server));
    return before && after ? [{ ref: m.from, before, after }] : [];
  });
}

export class ProfileService {
  constructor(
    private readonly repository: ProfileRepository,
    private readonly secrets: SecretService,
    private readonly log: Logger,
    private readonly approvals: CommandApprovals,
    /** Installations the sandbox owns: left to it (installationOwnership.ts). */
    private readonly ownership: InstallationOwnership = nobodyOwns,
  ) {}

  list(): Installation[] {
    return this.repository.list();
  }

  get(name: string): Installation {
    const found = this.repository.find(name);
    if (!found) throw new NotFoundError(`Installation "${name}"`);
    return found;
  }

  server(ref: ServerRef): Server {
    const server = this.get(ref.installation).servers.find((s) => sameName(s.name, ref.server));
    if (!server) throw new NotFoundError(`Server "${formatServerRef(ref)}"`);
    return server;
  }

  /** The reference with the stored spelling of both names (lookups ignore case, keychain accounts do not). */
  canonicalRef(ref: ServerRef): ServerRef {
    const installation = this.get(ref.installation);
    return { installation: installation.name, server: this.server(ref).name };
  }

  validate(installation: unknown): Installation {
    const parsed = InstallationSchema.safeParse(installation);
    if (!parsed.success) {
      throw new InvalidInputError('The installation is not valid.', problemsOf(parsed.error));
    }
    return parsed.data;
  }

  async save(input: SaveInstallationInput): Promise<Installation> {
    const next = this.validate(input.installation);
    const previous = input.previousName !== undefined ? this.get(input.previousName) : null;
    refuseOwned(this.ownership, [...(previous ? [previous.name] : []), next.name], 'saving it');
    const clash = this.repository.find(next.name);
    if (clash && (!previous || !sameName(clash.name, previous.name))) {
      throw new InvalidInputError(`An installation called "${clash.name}" already exists.`, [
        { path: '$.name', message: `installation name "${next.name}" is already used` },
      ]);
    }
    const { moves, removed } = this.planSecretMoves(previous, next, input.serverRenames ?? []);
    // Secrets stay with the endpoint they were used with until now (see SecretService.pinBeforeChange).
    if (previous) await this.secrets.pinBeforeChange(changesOf(previous, next, moves));
    // Approvals follow the same moves as the keychain entries; a changed command loses its approval.
    const origins = new Map(moves.map((m) => [m.to.server, m.from.server]));
    await this.secrets.relocate(moves, removed, () =>
      this.approvals.transaction(() => {
        // Again in the write's transaction: a sandbox created meanwhile (another process) wins.
        refuseOwned(this.ownership, [...(previous ? [previous.name] : []), next.name], 'saving it');
        this.repository.upsert(next, previous?.name ?? null);
        this.approvals.reconcile(previous, next, origins, { approveAll: false });
      }),
    );
    this.log.info(previous ? 'installation updated' : 'installation created', { installation: next.name });
    return this.get(next.name);
  }

  /**
   * Deletes the installation, its command approvals and its servers' keychain entries.
   * `as`: the owner deleting its own; `keychainRemoved`: the caller removed every keychain
   * entry the servers may have, and their bindings, itself (reading all kinds again is slow).
   */
  async delete(name: string, options: { as?: InstallationOwner; keychainRemoved?: boolean } = {}): Promise<void> {
    const existing = this.get(name);
    refuseOwned(this.ownership, [existing.name], 'deleting it', options.as ?? null);
    const removed = options.keychainRemoved ? [] : existing.servers.map((s) => ({ installation: existing.name, server: s.name }));
    await this.secrets.relocate([], removed, () => {
      this.approvals.transaction(() => {
        this.repository.delete(existing.name);
        this.approvals.removeInstallation(existing.name);
      });
    });
    this.log.info('installation deleted', { installation: existing.name });
  }

  /** Parses and validates a profiles@1 file; throws InvalidInputError listing every problem. */
  parseFile(text: string): ProfilesFile {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new InvalidInputError('The profiles file is not valid JSON.', [
        { path: '$', message: e instanceof Error ? e.message : String(e) },
      ]);
    }
    const parsed = ProfilesFileSchema.safeParse(json);
    if (!parsed.success) {
      throw new InvalidInputError('The profiles file does not validate.', problemsOf(parsed.error));
    }
    return parsed.data;
  }

  /**
   * Imports a profiles@1 file: all installations or none. Without `replace`, an
   * installation that already exists is a problem; with it, it is replaced. Installations
   * not named in the file are left alone, and so are keychain entries. Approvals of unchanged
   * commands stay; the summary lists the others (approved only with `approveCommands`).
   */
  async importText(text: string, options: { replace: boolean; approveCommands?: boolean; as?: InstallationOwner }): Promise<ImportSummary> {
    const file = this.parseFile(text);
    refuseOwned(this.ownership, file.installations.map((i) => i.name), 'importing it from a profiles file', options.as ?? null);
    const stored = this.repository.list();
    const existing = new Set(stored.map((i) => i.name.toLowerCase()));
    const conflicts = file.installations.flatMap((inst, i) =>
      existing.has(inst.name.toLowerCase()) && !options.replace
        ? [{ path: jsonPath(['installations', i, 'name']), message: `installation "${inst.name}" already exists (use --replace to overwrite it)` }]
        : [],
    );
    if (conflicts.length > 0) {
      throw new InvalidInputError('Some installations in the file already exist.', conflicts, 'Re-run with --replace to overwrite them; nothing was changed.');
    }
    // Replaced servers keep their keychain entries by name: pin them to their old endpoints first.
    for (const inst of file.installations) {
      const previous = stored.find((i) => sameName(i.name, inst.name));
      if (!previous) continue;
      const sameNames = previous.servers.flatMap((s) => {
        const match = inst.servers.find((n) => sameName(n.name, s.name));
        return match ? [{ from: { installation: previous.name, server: s.name }, to: { installation: inst.name, server: match.name } }] : [];
      });
      await this.secrets.pinBeforeChange(changesOf(previous, inst, sameNames));
    }
    const summary: ImportSummary = { created: [], replaced: [], commands: [] };
    this.approvals.transaction(() => {
      // Again in the write's transaction: a sandbox created meanwhile (another process) wins.
      refuseOwned(this.ownership, file.installations.map((i) => i.name), 'importing it from a profiles file', options.as ?? null);
      this.repository.upsertAll(file.installations);
      for (const inst of file.installations) {
        const previous = stored.find((i) => sameName(i.name, inst.name)) ?? null;
        // An import has no renames: a server continues the stored server of the same name.
        const origins = new Map(inst.servers.flatMap((s) => previous?.servers.filter((p) => sameName(p.name, s.name)).map((p) => [s.name, p.name] as const) ?? []));
        summary.commands.push(...this.approvals.reconcile(previous, inst, origins, { approveAll: options.approveCommands === true }));
      }
    });
    for (const inst of file.installations) (existing.has(inst.name.toLowerCase()) ? summary.replaced : summary.created).push(inst.name);
    this.log.info('profiles imported', { created: summary.created, replaced: summary.replaced, commandsApproved: summary.commands.filter((c) => c.approved).length, commandsAwaitingApproval: summary.commands.filter((c) => !c.approved).length });
    return summary;
  }

  exportFile(): ProfilesFile {
    return { format: PROFILES_FORMAT, installations: this.repository.list() };
  }

  private planSecretMoves(
    previous: Installation | null,
    next: Installation,
    renames: readonly { from: string; to: string }[],
  ): { moves: SecretMove[]; removed: ServerRef[] } {
    if (!previous) return { moves: [], removed: [] };
    const problems: ProblemPath[] = [];
    renames.forEach((r, i) => {
      if (!previous.servers.some((s) => sameName(s.name, r.from)))
        problems.push({ path: jsonPath(['serverRenames', i, 'from']), message: `no server "${r.from}" in "${previous.name}"` });
      if (!next.servers.some((s) => sameName(s.name, r.to)))
        problems.push({ path: jsonPath(['serverRenames', i, 'to']), message: `no server "${r.to}" in the edited installation` });
    });
    if (problems.length > 0) throw new InvalidInputError('The server renames do not match the installation.', problems);

    const moves: SecretMove[] = [];
    const removed: ServerRef[] = [];
    for (const old of previous.servers) {
      const renamedTo = renames.find((r) => sameName(r.from, old.name))?.to;
      const target = next.servers.find((s) => sameName(s.name, renamedTo ?? old.name));
      // A server whose old name is reused by a different server (without a rename) keeps its secrets.
      if (target) moves.push({ from: { installation: previous.name, server: old.name }, to: { installation: next.name, server: target.name } });
      else removed.push({ installation: previous.name, server: old.name });
    }
    return { moves, removed };
  }
}
