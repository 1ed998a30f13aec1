// One SSH hop in the server form (a jump host, or the database tunnel's endpoint): its text
// fields as typed, how they become a profiles@1 hop (shared/profiles.ts SshHopSchema), and
// the list operations the jump host editors offer. Kept apart from installationDraft.ts,
// which composes these into a server.
import { SshHopSchema, type ServerInput } from '../../../../shared/profiles';

/** A hop as the profile writes it (alias or hostname, the rest optional). */
export type SshHopInput = NonNullable<NonNullable<Extract<ServerInput['host'], { access: 'ssh' }>['jumpHosts']>[number]>;

export interface SshHopDraft {
  /** Stable identity for React keys while hops move up and down; never sent. */
  uid: string;
  alias: string;
  hostname: string;
  /** Empty: the ~/.ssh/config Port applies, else 22. */
  port: string;
  user: string;
  identityFile: string;
  hostKey: string;
}

/** The fields a hop editor shows, in order; each is a form field key below the hop's own. */
export const SSH_HOP_FIELDS = ['alias', 'hostname', 'port', 'user', 'identityFile', 'hostKey'] as const;
export type SshHopField = (typeof SSH_HOP_FIELDS)[number];

let nextUid = 0;
const newUid = (): string => `hop-${++nextUid}`;

export function newSshHopDraft(): SshHopDraft {
  return { uid: newUid(), alias: '', hostname: '', port: '', user: '', identityFile: '', hostKey: '' };
}

export function sshHopDraftFrom(hop: SshHopInput): SshHopDraft {
  return {
    uid: newUid(),
    alias: hop.alias ?? '',
    hostname: hop.hostname ?? '',
    port: hop.port === undefined ? '' : String(hop.port),
    user: hop.user ?? '',
    identityFile: hop.identityFile ?? '',
    hostKey: hop.hostKey ?? '',
  };
}

export const optionalText = (text: string): string | undefined => (text.trim() === '' ? undefined : text);

/** Empty means "use the default"; anything else goes to the schema as a number (NaN included), so it reports it. */
export const portFrom = (text: string): number | undefined => (text.trim() === '' ? undefined : Number(text.trim()));

/** The hop as profiles@1 writes it; empty fields are left out, so a config alias's values apply. */
export function sshHopInputFrom(draft: SshHopDraft): SshHopInput {
  const hop: SshHopInput = {};
  const alias = optionalText(draft.alias);
  const hostname = optionalText(draft.hostname);
  const port = portFrom(draft.port);
  const user = optionalText(draft.user);
  const identityFile = optionalText(draft.identityFile);
  const hostKey = optionalText(draft.hostKey);
  if (alias !== undefined) hop.alias = alias;
  if (hostname !== undefined) hop.hostname = hostname;
  if (port !== undefined) hop.port = port;
  if (user !== undefined) hop.user = user;
  if (identityFile !== undefined) hop.identityFile = identityFile;
  if (hostKey !== undefined) hop.hostKey = hostKey;
  return hop;
}

/** A list of hops as the profile writes it: left out when empty (the same as no jump hosts). */
export const jumpHostsInputFrom = (hops: readonly SshHopDraft[]): SshHopInput[] | undefined =>
  hops.length === 0 ? undefined : hops.map(sshHopInputFrom);

/**
 * The hops to go through before reaching a hop, as probeHostKey's `via` wants them, or null
 * while one of them is not a usable hop yet (its key could not be fetched through it).
 */
export function viaHopsFrom(hops: readonly SshHopDraft[]): SshHopInput[] | null {
  const inputs = hops.map(sshHopInputFrom);
  return inputs.every((hop) => SshHopSchema.safeParse(hop).success) ? inputs : null;
}

/** Moves the hop at `index` one place up (-1) or down (+1); out of range changes nothing. */
export function moveHop<T>(hops: readonly T[], index: number, by: -1 | 1): T[] {
  const to = index + by;
  if (index < 0 || index >= hops.length || to < 0 || to >= hops.length) return [...hops];
  const next = [...hops];
  [next[index], next[to]] = [next[to]!, next[index]!];
  return next;
}
