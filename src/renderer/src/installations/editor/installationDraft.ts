// The installation form's state, kept apart from React: what the admin is typing (all
// text, so a half-typed port is still representable), how it becomes a profiles@1
// installation, and how the shared zod schema's issues map back onto form fields.
import {
  InstallationSchema,
  SSL_MODES,
  type Installation,
  type InstallationInput,
  type Server,
  type ServerInput,
  type ServerRole,
} from '../../../../shared/profiles';
import type { ProblemPath } from '../../../../shared/result';
import {
  SSH_HOP_FIELDS,
  jumpHostsInputFrom,
  newSshHopDraft,
  optionalText as optional,
  portFrom,
  sshHopDraftFrom,
  sshHopInputFrom,
  type SshHopDraft,
} from './sshHopDraft';

export type SslModeChoice = '' | (typeof SSL_MODES)[number];
export type HostAccess = 'local' | 'ssh';
/** How the workstation reaches the database: `db.tunnel` absent, `via: "host"`, or `via: "ssh"`. */
export type DbConnection = 'direct' | 'host' | 'ssh';

/** `db.tunnel` as edited: the endpoint and its jump hosts stay in the form while another choice is made. */
export interface TunnelDraft {
  via: DbConnection;
  endpoint: SshHopDraft;
  jumpHosts: SshHopDraft[];
}

export interface ServerDraft {
  /** Stable identity for React keys; never sent. */
  uid: string;
  /** The server's name when the form opened, or null for a server added in this edit. */
  originalName: string | null;
  name: string;
  role: ServerRole;
  installDir: string;
  encryptedPasswords: boolean;
  db: { host: string; port: string; database: string; user: string; schema: string; sslmode: SslModeChoice };
  tunnel: TunnelDraft;
  host: { access: HostAccess; hostname: string; port: string; user: string; identityFile: string; hostKey: string; jumpHosts: SshHopDraft[] };
  control: { stop: string; start: string; status: string };
}

export interface InstallationDraft {
  name: string;
  description: string;
  onlineBackup: boolean;
  servers: ServerDraft[];
}

let nextUid = 0;
const newUid = (): string => `server-${++nextUid}`;

export function newServerDraft(role: ServerRole): ServerDraft {
  return {
    uid: newUid(),
    originalName: null,
    name: '',
    role,
    installDir: '',
    encryptedPasswords: false,
    db: { host: '', port: '5432', database: '', user: '', schema: '', sslmode: '' },
    tunnel: { via: 'direct', endpoint: newSshHopDraft(), jumpHosts: [] },
    host: { access: 'local', hostname: '', port: '22', user: '', identityFile: '', hostKey: '', jumpHosts: [] },
    control: { stop: '', start: '', status: '' },
  };
}

export function emptyInstallationDraft(): InstallationDraft {
  return { name: '', description: '', onlineBackup: true, servers: [newServerDraft('master')] };
}

function tunnelDraftFrom(tunnel: Server['db']['tunnel']): TunnelDraft {
  if (tunnel?.via === 'ssh') {
    const { via: _via, jumpHosts, ...endpoint } = tunnel;
    return { via: 'ssh', endpoint: sshHopDraftFrom(endpoint), jumpHosts: (jumpHosts ?? []).map(sshHopDraftFrom) };
  }
  return { via: tunnel?.via ?? 'direct', endpoint: newSshHopDraft(), jumpHosts: [] };
}

function serverDraftFrom(server: Server): ServerDraft {
  const host = server.host;
  return {
    uid: newUid(),
    originalName: server.name,
    name: server.name,
    role: server.role,
    installDir: server.installDir ?? '',
    encryptedPasswords: server.encryptedPasswords,
    db: {
      host: server.db.host,
      port: String(server.db.port),
      database: server.db.database,
      user: server.db.user,
      schema: server.db.schema,
      sslmode: server.db.sslmode ?? '',
    },
    tunnel: tunnelDraftFrom(server.db.tunnel),
    host:
      host.access === 'ssh'
        ? {
            access: 'ssh',
            hostname: host.hostname,
            port: String(host.port),
            user: host.user,
            identityFile: host.identityFile ?? '',
            hostKey: host.hostKey ?? '',
            jumpHosts: (host.jumpHosts ?? []).map(sshHopDraftFrom),
          }
        : { access: 'local', hostname: '', port: '22', user: '', identityFile: '', hostKey: '', jumpHosts: [] },
    control: {
      stop: server.control?.stop ?? '',
      start: server.control?.start ?? '',
      status: server.control?.status ?? '',
    },
  };
}

export function draftFromInstallation(installation: Installation): InstallationDraft {
  return {
    name: installation.name,
    description: installation.description ?? '',
    onlineBackup: installation.onlineBackup,
    servers: installation.servers.map(serverDraftFrom),
  };
}

type TunnelInput = ServerInput['db']['tunnel'];

function tunnelInputFrom(tunnel: TunnelDraft): TunnelInput {
  if (tunnel.via === 'direct') return undefined;
  if (tunnel.via === 'host') return { via: 'host' };
  const jumpHosts = jumpHostsInputFrom(tunnel.jumpHosts);
  return { via: 'ssh', ...sshHopInputFrom(tunnel.endpoint), ...(jumpHosts ? { jumpHosts } : {}) };
}

function serverInputFrom(draft: ServerDraft): ServerInput {
  const control = {
    stop: optional(draft.control.stop),
    start: optional(draft.control.start),
    status: optional(draft.control.status),
  };
  const hasControl = Object.values(control).some((c) => c !== undefined);
  return {
    name: draft.name,
    role: draft.role,
    db: {
      host: draft.db.host,
      port: portFrom(draft.db.port),
      database: draft.db.database,
      user: draft.db.user,
      schema: optional(draft.db.schema),
      sslmode: draft.db.sslmode === '' ? undefined : draft.db.sslmode,
      tunnel: tunnelInputFrom(draft.tunnel),
    },
    installDir: optional(draft.installDir),
    encryptedPasswords: draft.encryptedPasswords,
    host:
      draft.host.access === 'ssh'
        ? {
            access: 'ssh',
            hostname: draft.host.hostname,
            port: portFrom(draft.host.port),
            user: draft.host.user,
            identityFile: optional(draft.host.identityFile),
            hostKey: optional(draft.host.hostKey),
            jumpHosts: jumpHostsInputFrom(draft.host.jumpHosts),
          }
        : { access: 'local' },
    control: hasControl ? control : undefined,
  };
}

export function installationInputFrom(draft: InstallationDraft): InstallationInput {
  return {
    name: draft.name,
    description: optional(draft.description),
    onlineBackup: draft.onlineBackup,
    servers: draft.servers.map(serverInputFrom),
  };
}

/** Servers whose name changed in this edit, so the core can move their keychain entries. */
export function serverRenamesIn(draft: InstallationDraft): { from: string; to: string }[] {
  return draft.servers.flatMap((s) =>
    s.originalName !== null && s.originalName !== s.name.trim() ? [{ from: s.originalName, to: s.name.trim() }] : [],
  );
}

/** A form field's key: its zod path joined with dots, e.g. `servers.1.db.port`. */
export type FieldKey = string;

export interface DraftValidation {
  valid: boolean;
  byField: ReadonlyMap<FieldKey, string[]>;
  /** Problems that belong to no single field, e.g. "exactly one master". */
  general: string[];
}

const SERVER_FIELDS = [
  'name', 'role', 'installDir', 'encryptedPasswords',
  'db.host', 'db.port', 'db.database', 'db.user', 'db.schema', 'db.sslmode',
  'host.access', 'host.hostname', 'host.port', 'host.user', 'host.identityFile', 'host.hostKey',
  'control.stop', 'control.start', 'control.status',
];

/** The keys of a hop list and of each hop's fields, e.g. `host.jumpHosts`, `host.jumpHosts.0.port`. */
const hopListFields = (list: string, hops: readonly SshHopDraft[]): string[] => [
  list,
  ...hops.flatMap((_, h) => SSH_HOP_FIELDS.map((f) => `${list}.${h}.${f}`)),
];

function serverFieldsOf(server: ServerDraft): string[] {
  return [
    ...SERVER_FIELDS,
    'db.tunnel', 'db.tunnel.via',
    ...SSH_HOP_FIELDS.map((f) => `db.tunnel.${f}`),
    ...hopListFields('db.tunnel.jumpHosts', server.tunnel.jumpHosts),
    ...hopListFields('host.jumpHosts', server.host.jumpHosts),
  ];
}

function fieldKeysOf(draft: InstallationDraft): Set<FieldKey> {
  const keys = new Set<FieldKey>(['name', 'description', 'onlineBackup']);
  draft.servers.forEach((server, i) => serverFieldsOf(server).forEach((f) => keys.add(`servers.${i}.${f}`)));
  return keys;
}

function groupProblems(draft: InstallationDraft, problems: { key: FieldKey; message: string }[]): DraftValidation {
  const known = fieldKeysOf(draft);
  const byField = new Map<FieldKey, string[]>();
  const general: string[] = [];
  for (const { key, message } of problems) {
    if (known.has(key)) byField.set(key, [...(byField.get(key) ?? []), message]);
    else general.push(message);
  }
  return { valid: problems.length === 0, byField, general };
}

export function validateDraft(draft: InstallationDraft): DraftValidation {
  const parsed = InstallationSchema.safeParse(installationInputFrom(draft));
  if (parsed.success) return { valid: true, byField: new Map(), general: [] };
  return groupProblems(
    draft,
    parsed.error.issues.map((issue) => ({ key: issue.path.map(String).join('.'), message: issue.message })),
  );
}

/** `$.servers[1].db.port` (or `$.installation.servers[1]…`) as a field key: `servers.1.db.port`. */
export function fieldKeyFromJsonPath(path: string): FieldKey {
  return path
    .replace(/^\$\.?/, '')
    .replace(/^installation\.?/, '')
    .replace(/\[(\d+)\]/g, '.$1')
    .replace(/\["([^"]*)"\]/g, '.$1')
    .replace(/^\./, '');
}

/** The server's answer to a save, mapped like the local validation so fields can show it. */
export function validationFromProblems(draft: InstallationDraft, problems: ProblemPath[]): DraftValidation {
  return groupProblems(
    draft,
    problems.map((p) => ({ key: fieldKeyFromJsonPath(p.path), message: p.message })),
  );
}
