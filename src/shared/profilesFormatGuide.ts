// The profiles@1 format in words, as the app shows it (the import dialog's format guide)
// and `replica-desk profiles format` prints it. Keep it in step with profiles.ts and the
// README's "Profiles file" section.

export interface FormatGuideSection {
  title: string;
  /** One paragraph or list item per line; `code` spans are written with backticks. */
  lines: string[];
}

export const PROFILES_FORMAT_GUIDE: FormatGuideSection[] = [
  {
    title: 'The file',
    lines: [
      'A JSON document: `{ "format": "replica-desk/profiles@1", "installations": [ … ] }`.',
      'Import checks the whole file and lists every problem with its JSON path, e.g. `$.installations[0].servers[1].db.port: db.port must be between 1 and 65535`; a file with a problem changes nothing.',
      'Fields may be added in later versions; none is ever removed or renamed. No password or passphrase is ever written in this file.',
    ],
  },
  {
    title: 'Installations',
    lines: [
      '`name` (required, unique, no "/", "\\" or ".."), `description` (optional).',
      '`servers`: exactly one server whose `role` is `"master"` (the Master Live Server), and any number whose `role` is `"replica"` (Replication Live Servers).',
      '`onlineBackup` (default `true`): `false` means the master is frozen (and optionally stopped) while its backup is taken.',
    ],
  },
  {
    title: 'Servers',
    lines: [
      '`name` (required, unique within the installation); a server is referred to as `installation/server`.',
      '`installDir`: the server\'s `$INSTALL_DIR` on its host.',
      '`encryptedPasswords` (default `false`, meaningful on the master): the key file `<installDir>/etc/keys/<database>.<user>.rijndael` is copied to each replica, renamed for the replica\'s own database and user.',
      '`control` (optional): `stop`, `start` and `status`, shell commands run on the server\'s host (`status` exits 0 while running). A missing one makes that step manual. Commands run only after they were approved (`replica-desk profiles approve`).',
    ],
  },
  {
    title: 'Database (db)',
    lines: [
      '`host` and `port` (default 5432), `database` and `user` are required; `schema` defaults to `user`.',
      '`sslmode`: libpq\'s values (`disable`, `allow`, `prefer`, `require`, `verify-ca`, `verify-full`).',
      '`tunnel` (optional): how the database is reached through SSH when this workstation cannot reach its port (next section). Without it the workstation connects directly.',
    ],
  },
  {
    title: 'Host (host)',
    lines: [
      '`"access": "local"` (the default): the server\'s commands and files are on this workstation.',
      '`"access": "ssh"`: `hostname` and `user` (required), `port` (default 22), `identityFile` (optional; `~` is your home), `hostKey` (optional pinned `SHA256:` fingerprint), `jumpHosts` (optional, see below).',
    ],
  },
  {
    title: 'Database connection through SSH (db.tunnel)',
    lines: [
      'Leave `db.tunnel` out to connect directly, as before.',
      '`"tunnel": { "via": "host" }` reaches the database through the server\'s own SSH host (`host.access: "ssh"`, after its `host.jumpHosts`).',
      '`"tunnel": { "via": "ssh", "hostname": …, "port": 22, "user": …, "identityFile": …, "hostKey": "SHA256:…", "jumpHosts": [ … ] }` goes through an explicit SSH endpoint; instead of hostname/port/user it may name an `alias` from ~/.ssh/config.',
      '`db.host` and `db.port` are then the database as the last hop sees it (often `127.0.0.1`); it must be a TCP address, not a Unix socket.',
      'Every database user goes through the tunnel: connection tests, topology probes, preflight, the restore\'s connections and `pg_dump`/`pg_restore`/`psql`, which connect to a local forward on 127.0.0.1 (an ephemeral port). A restore opens one SSH connection per hop and keeps it for the whole run.',
    ],
  },
  {
    title: 'Jump hosts (jumpHosts)',
    lines: [
      '`host.jumpHosts` and `db.tunnel.jumpHosts` list hops to pass through first, in order from this workstation, like OpenSSH\'s ProxyJump (at most 8).',
      'Each hop: `hostname` or `alias`, and optionally `port`, `user`, `identityFile`, `hostKey`. A hop without a user logs in as your local user, as ssh does.',
      'Given in the profile, jumpHosts replace the ProxyJump of an alias (as `ssh -J` does).',
    ],
  },
  {
    title: 'Aliases from ~/.ssh/config',
    lines: [
      'Any SSH hop (a tunnel endpoint, a jump host) may name an `alias`: a `Host` entry of your ~/.ssh/config (Include files are followed).',
      'Honoured: `HostName` (with `%h`), `Port`, `User`, the first `IdentityFile`, and `ProxyJump` (a comma list; `none` for none; a jump alias\'s own ProxyJump is followed as OpenSSH does, and a loop is refused). Values written in the profile win over the config.',
      'Not used: `Match exec` (never run), ProxyCommand, the system-wide /etc/ssh/ssh_config. A name that only `Host *` matches is not an alias.',
    ],
  },
  {
    title: 'Host keys',
    lines: [
      'Every hop\'s host key is checked before anything is sent: against its pinned `hostKey` when given, otherwise against your OpenSSH known_hosts.',
      'An unknown key is refused with its `SHA256:` fingerprint. Pin it with *Fetch host key* in the server editor (per hop), or from a shell: `ssh-keyscan -p PORT HOST | ssh-keygen -lf -` (for a host behind a bastion, ask the bastion: `ssh bastion ssh-keyscan -p PORT HOST | ssh-keygen -lf -`).',
    ],
  },
  {
    title: 'Secrets per hop',
    lines: [
      'Passwords and passphrases live in the OS keychain, service `replica-desk`, account `installation/server/<kind>`:',
      '`db` the database password; `ssh` the server host\'s passphrase (or password); `tunnel` the explicit tunnel endpoint\'s; `ssh-jumpN` / `tunnel-jumpN` (N = 1..8, from this workstation) the jump hosts\' before the server host / the tunnel endpoint.',
      'Store one with `replica-desk secrets set installation/server KIND` (read from stdin); a kind the server\'s routes have no hop for is refused. Each secret is sent only to the hop it was entered for (hostname, port, user, pinned host key).',
      'Without a stored secret, SSH uses the ssh-agent (`SSH_AUTH_SOCK`, Pageant on Windows) and unencrypted identity files; PostgreSQL uses `PGPASSFILE`, then ~/.pgpass.',
      'No secret is ever put on a child process\'s command line or in its environment.',
    ],
  },
  {
    title: 'Example: a database behind a bastion',
    lines: [
      '`"db": { "host": "127.0.0.1", "port": 5432, "database": "cm", "user": "cm_master", "tunnel": { "via": "host" } }`',
      '`"host": { "access": "ssh", "hostname": "mls.internal", "user": "coremedia", "hostKey": "SHA256:…", "jumpHosts": [ { "alias": "bastion" } ] }`',
    ],
  },
];

/** The guide as plain text (the CLI prints this; the app renders the sections itself). */
export function formatGuideText(guide: readonly FormatGuideSection[] = PROFILES_FORMAT_GUIDE): string {
  return guide.map((section) => `${section.title}\n${'-'.repeat(section.title.length)}\n${section.lines.map((line) => `- ${line}`).join('\n')}\n`).join('\n');
}
