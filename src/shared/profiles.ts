// The `replica-desk/profiles@1` format (see shared/contracts). This schema is the single
// source of truth: the core validates imports and edits with it, the renderer uses it for
// inline validation. Fields beyond the contract are allowed to be added, never removed.
import { z } from 'zod';

export const PROFILES_FORMAT = 'replica-desk/profiles@1';

/** libpq's sslmode values. */
export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;

// Installation and server names end up in file names (backups, key files) and keychain
// accounts, so they must be safe there: no path separators, no "..".
const name = (what: string) =>
  z
    .string({ error: `${what} is required and must be a string` })
    .trim()
    .min(1, `${what} must not be empty`)
    .max(100, `${what} must be at most 100 characters`)
    .regex(/^[^/\s][^/]*$/, `${what} must not contain "/" or start with a space`)
    .refine((v) => !v.includes('\\'), `${what} must not contain "\\"`)
    .refine((v) => !v.includes('..'), `${what} must not contain ".."`)
    .refine((v) => !v.includes('\0'), `${what} must not contain a NUL character`);

/** PostgreSQL keeps the first 63 bytes of an identifier and cannot store NUL. */
const IDENTIFIER_MAX_BYTES = 63;
const identifier = (what: string) =>
  required(what)
    .refine((v) => !v.includes('\0'), `${what} must not contain a NUL character`)
    .refine((v) => new TextEncoder().encode(v).length <= IDENTIFIER_MAX_BYTES, `${what} must be at most ${IDENTIFIER_MAX_BYTES} bytes (PostgreSQL would cut it)`);

const port = (what: string) =>
  z
    .number({ error: `${what} must be a number` })
    .int(`${what} must be a whole number`)
    .min(1, `${what} must be between 1 and 65535`)
    .max(65535, `${what} must be between 1 and 65535`);

const required = (what: string) =>
  z.string({ error: `${what} is required and must be a string` }).trim().min(1, `${what} must not be empty`);

const SSH_FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}=?$/;

const hostKey = (what: string) =>
  z.string({ error: `${what} must be a string` }).regex(SSH_FINGERPRINT, `${what} must be an OpenSSH fingerprint like SHA256:<43 base64 characters>`);

/** A host name or alias that cannot be read as an option by any tool that might see it. */
const sshHostName = (what: string) =>
  required(what)
    .regex(/^[^\s-][^\s]*$/, `${what} must not contain spaces or start with "-"`)
    .refine((v) => !v.includes('\0'), `${what} must not contain a NUL character`);

/**
 * One SSH hop of a route (a jump host, or a tunnel's endpoint): either spelled out, or an
 * `alias` from the user's ~/.ssh/config (HostName, Port, User, IdentityFile and ProxyJump
 * are read there; a field given here wins over the config, as on ssh's command line).
 * `port` stays unset when not given, so that the config's Port can apply; 22 otherwise.
 */
export const SshHopSchema = z
  .object({
    alias: sshHostName('alias').optional(),
    hostname: sshHostName('hostname').optional(),
    port: port('port').optional(),
    user: required('user').optional(),
    identityFile: required('identityFile').optional(),
    hostKey: hostKey('hostKey').optional(),
  })
  .superRefine(
    (hop, ctx) => {
      if (hop && typeof hop === 'object' && hop.alias === undefined && hop.hostname === undefined) {
        ctx.addIssue({ code: 'custom', path: ['hostname'], message: 'an SSH hop needs a hostname, or an alias from ~/.ssh/config' });
      }
    },
    { when: () => true },
  );

/** Hops to pass through first, in order from this workstation (OpenSSH's ProxyJump). */
const jumpHosts = z.array(SshHopSchema, { error: 'jumpHosts must be a list of SSH hops' }).max(8, 'at most 8 jump hosts').optional();

/**
 * How the database is reached when the workstation cannot reach its port: a local forward
 * through SSH. `via: "host"` goes through the server's own SSH host (`host.access: "ssh"`,
 * with that host's jumpHosts); `via: "ssh"` through an explicit SSH endpoint, after its own
 * jumpHosts. `db.host` and `db.port` are then as seen from the last hop.
 */
export const DbTunnelSchema = z.discriminatedUnion(
  'via',
  [z.object({ via: z.literal('host') }).strict(), SshHopSchema.safeExtend({ via: z.literal('ssh'), jumpHosts })],
  { error: 'db.tunnel.via must be "host" or "ssh"' },
);

export const DbSchema = z
  .object({
    host: required('db.host'),
    port: port('db.port').default(5432),
    database: identifier('db.database'),
    user: identifier('db.user'),
    /** Defaults to `user`: on PostgreSQL a CoreMedia schema is named after its role. */
    schema: identifier('db.schema').optional(),
    sslmode: z.enum(SSL_MODES, { error: `db.sslmode must be one of ${SSL_MODES.join(', ')}` }).optional(),
    /** Absent: the workstation connects directly, as before. */
    tunnel: DbTunnelSchema.optional(),
  })
  .transform((db) => ({ ...db, schema: db.schema ?? db.user }));

export const HostSchema = z.discriminatedUnion(
  'access',
  [
    z.object({ access: z.literal('local') }),
    z.object({
      access: z.literal('ssh'),
      hostname: required('host.hostname'),
      port: port('host.port').default(22),
      user: required('host.user'),
      identityFile: required('host.identityFile').optional(),
      hostKey: hostKey('host.hostKey').optional(),
      jumpHosts,
    }),
  ],
  { error: 'host.access must be "local" or "ssh"' },
);

export const ControlSchema = z.object({
  stop: required('control.stop').optional(),
  start: required('control.start').optional(),
  status: required('control.status').optional(),
});

export const ServerSchema = z.object({
  name: name('server name'),
  role: z.enum(['master', 'replica'], { error: 'role must be "master" or "replica"' }),
  db: DbSchema,
  installDir: required('installDir').optional(),
  encryptedPasswords: z.boolean({ error: 'encryptedPasswords must be true or false' }).default(false),
  host: HostSchema.default({ access: 'local' }),
  control: ControlSchema.optional(),
}).superRefine(
  (server, ctx) => {
    const db = server?.db as { host?: unknown; tunnel?: { via?: unknown } } | undefined;
    if (!db?.tunnel) return;
    if (db.tunnel.via === 'host' && (server.host as { access?: unknown } | undefined)?.access !== 'ssh') {
      ctx.addIssue({ code: 'custom', path: ['db', 'tunnel', 'via'], message: 'db.tunnel.via "host" needs host.access "ssh" (the server\'s own SSH host to tunnel through)' });
    }
    if (typeof db.host === 'string' && /^[/@]/.test(db.host)) {
      ctx.addIssue({ code: 'custom', path: ['db', 'host'], message: 'db.host must be a TCP host name or address when db.tunnel is set (a Unix socket cannot be forwarded)' });
    }
  },
  { when: () => true },
);

export const InstallationSchema = z
  .object({
    name: name('installation name'),
    description: z.string().optional(),
    onlineBackup: z.boolean({ error: 'onlineBackup must be true or false' }).default(true),
    servers: z.array(ServerSchema, { error: 'servers must be a list' }),
  })
  // Cross-field rules run even when some fields are invalid, so one import lists every problem.
  .superRefine(
    (inst, ctx) => {
      const servers: unknown[] = Array.isArray(inst?.servers) ? inst.servers : [];
      const masters = servers.filter((s) => (s as { role?: unknown })?.role === 'master').length;
      if (masters !== 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['servers'],
          message: `an installation needs exactly one server with role "master" (found ${masters})`,
        });
      }
      for (const [i, first] of duplicateNames(servers)) {
        ctx.addIssue({
          code: 'custom',
          path: ['servers', i, 'name'],
          message: `server name "${nameOf(servers[i])}" is already used by servers[${first}] in this installation`,
        });
      }
    },
    { when: () => true },
  );

const nameOf = (value: unknown): string | null => {
  const n = (value as { name?: unknown } | null)?.name;
  return typeof n === 'string' ? n.trim() : null;
};

/** [index, index of the first entry with the same name] for each repeated name, ignoring case. */
function duplicateNames(items: readonly unknown[]): Array<[number, number]> {
  const seen = new Map<string, number>();
  const out: Array<[number, number]> = [];
  items.forEach((item, i) => {
    const n = nameOf(item)?.toLowerCase();
    if (!n) return;
    const first = seen.get(n);
    if (first !== undefined) out.push([i, first]);
    else seen.set(n, i);
  });
  return out;
}

export const ProfilesFileSchema = z
  .object({
    format: z.literal(PROFILES_FORMAT, { error: `format must be "${PROFILES_FORMAT}"` }),
    installations: z.array(InstallationSchema, { error: 'installations must be a list' }),
  })
  .superRefine(
    (file, ctx) => {
      const installations: unknown[] = Array.isArray(file?.installations) ? file.installations : [];
      for (const [i, first] of duplicateNames(installations)) {
        ctx.addIssue({
          code: 'custom',
          path: ['installations', i, 'name'],
          message: `installation name "${nameOf(installations[i])}" is already used by installations[${first}]`,
        });
      }
    },
    { when: () => true },
  );

/** What a user writes (defaults may be left out). */
export type ServerInput = z.input<typeof ServerSchema>;
export type InstallationInput = z.input<typeof InstallationSchema>;
export type ProfilesFileInput = z.input<typeof ProfilesFileSchema>;

/** What the app works with (defaults filled in). */
export type Server = z.output<typeof ServerSchema>;
export type Installation = z.output<typeof InstallationSchema>;
export type ProfilesFile = z.output<typeof ProfilesFileSchema>;
export type ServerRole = Server['role'];

/** A server as referred to everywhere: `installation/server`. */
export interface ServerRef {
  installation: string;
  server: string;
}

export const formatServerRef = (ref: ServerRef): string => `${ref.installation}/${ref.server}`;

export function parseServerRef(text: string): ServerRef | null {
  const slash = text.indexOf('/');
  if (slash <= 0 || slash === text.length - 1 || text.indexOf('/', slash + 1) !== -1) return null;
  return { installation: text.slice(0, slash), server: text.slice(slash + 1) };
}

/** Formats a zod issue path as a JSON path: `$.installations[0].servers[1].db.port`. */
export function jsonPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>(
    (acc, key) =>
      typeof key === 'number' ? `${acc}[${key}]` : /^[A-Za-z_$][\w$]*$/.test(String(key)) ? `${acc}.${String(key)}` : `${acc}[${JSON.stringify(String(key))}]`,
    '$',
  );
}
