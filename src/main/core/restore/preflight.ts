// Everything the restore checks before anything changes. Each finding says what was
// checked, whether it passed, and — when it did not — what to do. Read-only throughout.
import { existsSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type pg from 'pg';
import { formatServerRef, type Installation, type Server } from '../../../shared/profiles';
import { ReplicaDeskError, toErrorPayload } from '../errors';
import { resolveRepositoryTables, type RepositoryTables } from '../coremedia/repositoryTables';
import { readServerType } from '../coremedia/serverType';
import type { Logger } from '../logging/logger';
import { CommandNotApprovedError, controlCommandsOf, type CommandApprovalCheck } from '../profiles/commandApprovals';
import { schemaExists } from '../postgres/catalog';
import { readClusterIdentity, sameSchema, schemaSizeBytes, type SchemaIdentity } from '../postgres/clusterIdentity';
import { openClient } from '../postgres/connect';
import { closeClient } from '../postgres/closeClient';
import { findPgTools, requireToolsFor, type PgTools } from '../postgres/pgTools';
import { resolveDbPassword } from '../secrets/dbPassword';
import type { EndpointBoundSecretStore } from '../secrets/endpointBoundSecretStore';
import { keyFileFor, masterOf } from './planRestore';
import { onReachableHost, runNeedsHost } from './hostPreflight';
import { findAdvisoryLockHolder } from '../postgres/advisoryLock';
import { RunLockHeldError, describeHolder, runLockKey } from './runLocks';
import { formatByteSize } from '../../../shared/byteSize';
import type { PreflightFinding } from '../../../shared/restorePlan';
import { describeEncryption, type ConnectionEncryption } from '../../../shared/connectionEncryption';
import { connectionEncryption } from '../postgres/connectionEncryption';
import type { RestoreMode } from '../../../shared/restorePlan';
import { checkSideBySide, databaseSpace, leftoverShadowFinding } from './sideBySidePreflight';
import { chooseRestoreMode } from './chooseRestoreMode';
import { listKeptSchemas, type KeptSchema } from '../coremedia/keptSchemas';
import { keptSchemasFinding } from './keptSchemaPileUp';
import { describeRoute, type SshHop } from '../tunnels/sshRoute';
import type { RunTunnels } from './runTunnels';

export type { PreflightFinding };

export interface PreflightResult {
  ok: boolean;
  findings: PreflightFinding[];
  tables?: RepositoryTables;
  identities: Record<string, SchemaIdentity>;
  /** Per server name: whether preflight's connection to its database was encrypted. */
  encryption: Record<string, ConnectionEncryption>;
  masterSchemaBytes?: number;
  /** The mode the run will have (chooseRestoreMode.ts), and why. */
  mode: RestoreMode;
  modeReason: string;
  tools?: { pgDump: string; pgRestore: string; psql: string; version: string };
}

export interface PreflightInput {
  installation: Installation;
  replicas: Server[];
  secretStore: EndpointBoundSecretStore;
  env: NodeJS.ProcessEnv;
  log: Logger;
  /** Every control command the run may execute must be approved, or the run is refused. */
  approvals: CommandApprovalCheck;
  backupDir: string;
  fromBackup?: string;
  pgBinDir?: string;
  timeoutMs?: number;
  /**
   * Asked explicitly, or undefined to choose: side-by-side where every replica passes its
   * checks (sideBySidePreflight.ts), otherwise in-place (chooseRestoreMode.ts).
   */
  mode?: RestoreMode;
  /** The run that set a kept schema aside, for the discard command in the pile-up warning. */
  runIdOfKept?: (kept: KeptSchema) => string | undefined;
  /**
   * The preflight's SSH tunnels (runTunnels.ts): `installation` and `replicas` are then the
   * dialable ones. A server whose route failed is not dialled at all (that would go around
   * the tunnel): its finding names the hop.
   */
  tunnels?: Pick<RunTunnels, 'routes' | 'failures'>;
}

/** A password is used on a connection without TLS: a warning, since libpq's default sslmode=prefer allows it. */
const passwordUnencrypted = (ref: string, server: Server, source: string, lastHop?: SshHop): PreflightFinding => ({
  check: 'password-unencrypted',
  server: ref,
  ok: false,
  severity: 'warning',
  message:
    `The connection to ${server.db.host}:${server.db.port}/${server.db.database} is not encrypted, yet a password from ${source} is used: ` +
    (lastHop
      ? `the SSH tunnel encrypts it as far as ${lastHop.hostname}; from there to the database the password (or its hash exchange) and all data of the restore travel in plaintext.`
      : 'the password (or its hash exchange) and all data of the restore travel in plaintext.'),
  hint: `Enable TLS on the server (ssl = on), or set db.sslmode to "require" or "verify-full" in the profile of ${ref} so that Replica Desk refuses a plaintext connection.`,
});

/** Free space wanted for a dump, relative to the master schema's size on disk: uncompressed custom format writes bytea as hex, about twice its size. */
const DUMP_SPACE_FACTOR = 2;

export async function runPreflight(input: PreflightInput): Promise<PreflightResult> {
  const { installation, replicas } = input;
  const master = masterOf(installation);
  const findings: PreflightFinding[] = [];
  const ref = (s: Server) => formatServerRef({ installation: installation.name, server: s.name });
  const pass = (check: string, server: Server | null, message: string, severity: PreflightFinding['severity'] = 'info') =>
    findings.push({ check, server: server ? ref(server) : null, ok: true, severity, message });
  const failure = (check: string, server: Server | null, e: unknown, severity: 'error' | 'warning' = 'error') => {
    const p = toErrorPayload(e);
    findings.push({ check, server: server ? ref(server) : null, ok: false, severity, message: p.message, hint: p.hint });
  };
  const result: PreflightResult = { ok: false, findings, identities: {}, encryption: {}, mode: input.mode ?? 'side-by-side', modeReason: '' };
  const clients = new Map<string, pg.Client>();

  try {
    // Databases: every one must connect with its stored credentials.
    await Promise.all(
      [master, ...replicas].map(async (server) => {
        const route = input.tunnels?.routes.get(server.name);
        const tunnelFailure = input.tunnels?.failures.get(server.name);
        if (tunnelFailure) return failure('tunnel', server, tunnelFailure);
        if (route) pass('tunnel', server, `SSH tunnel open: ${describeRoute(route)}`);
        try {
          const { secret, source } = await resolveDbPassword(input.secretStore, { installation: installation.name, server: server.name }, server.db, input.env);
          const client = await openClient(server.db, secret, { ref: { installation: installation.name, server: server.name }, env: input.env, timeoutMs: input.timeoutMs ?? 10_000, statementTimeoutMs: 60_000, applicationName: 'replica-desk preflight' });
          clients.set(server.name, client);
          const identity = await readClusterIdentity(client);
          result.identities[server.name] = { systemIdentifier: identity.systemIdentifier, database: identity.database, schema: server.db.schema };
          const encryption = connectionEncryption(client);
          result.encryption[server.name] = encryption;
          pass('database', server, `Connected to ${server.db.host}:${server.db.port}/${server.db.database} as ${server.db.user} (PostgreSQL ${identity.serverMajor}, ${describeEncryption(encryption)})`);
          if (!encryption.tls && secret) findings.push(passwordUnencrypted(ref(server), server, source === 'keychain' ? 'the keychain' : 'PGPASSFILE / ~/.pgpass', route?.hops.at(-1)));
        } catch (e) {
          failure('database', server, e);
        }
      }),
    );

    // The master must be a publication server with the repository tables.
    const masterClient = clients.get(master.name);
    if (masterClient) {
      try {
        if (!(await schemaExists(masterClient, master.db.schema))) throw new ReplicaDeskError('missing-schema', `The master schema ${master.db.schema} does not exist in ${master.db.database}.`, 'Check the master\'s db.schema (it defaults to db.user) in the profile.');
        result.tables = await resolveRepositoryTables(masterClient, master.db.schema);
        const type = await readServerType(masterClient, master.db.schema, result.tables);
        if (type !== 'publication') {
          findings.push({ check: 'master-type', server: ref(master), ok: false, severity: 'error', message: `The master's repository_server_type is ${type === null ? 'missing' : `"${type}"`}, not "publication".`, hint: 'Check that the profile\'s master really points at the Master Live Server\'s schema; a backup of anything else must not be restored onto replicas.' });
        } else pass('master-type', master, `Schema ${master.db.schema} is a Master Live Server repository (repository_server_type = publication)`);
        result.masterSchemaBytes = await schemaSizeBytes(masterClient, master.db.schema);
      } catch (e) {
        failure('master-type', master, e);
      }
    }

    // No replica may be the master's own schema, nor share a schema with another replica.
    const masterId = result.identities[master.name];
    for (const r of replicas) {
      const id = result.identities[r.name];
      if (!id || !masterId) continue;
      if (sameSchema(id, masterId)) {
        findings.push({ check: 'target', server: ref(r), ok: false, severity: 'error', message: `${ref(r)} resolves to the master's own schema: same cluster (${id.systemIdentifier}), database ${id.database} and schema ${id.schema}.`, hint: 'Fix the replica\'s db settings in the profile. Replica Desk never restores onto the master.' });
        continue;
      }
      const twin = replicas.find((o) => o !== r && result.identities[o.name] && sameSchema(result.identities[o.name]!, id));
      if (twin) {
        findings.push({ check: 'target', server: ref(r), ok: false, severity: 'error', message: `${ref(r)} and ${ref(twin)} point at the same schema (${id.database}.${id.schema}).`, hint: 'Each replica needs its own schema; fix the profile.' });
        continue;
      }
      pass('target', r, `${ref(r)} is a different schema from the master's (cluster ${id.systemIdentifier}, database ${id.database}, schema ${id.schema})`);
      await checkReplicaPrivileges(clients.get(r.name)!, r).then(
        (message) => pass('privileges', r, message),
        (e) => failure('privileges', r, e),
      );
      const client = clients.get(r.name)!;
      const space = await databaseSpace(client, r.db);
      if (input.mode !== 'in-place') {
        await checkSideBySide(client, r, ref(r), result.masterSchemaBytes, space).then(
          (found) => findings.push(...found),
          (e) => failure('side-by-side', r, e),
        );
      } else {
        // In place runs beside a leftover shadow, and says so (never drops it silently).
        await leftoverShadowFinding(client, r, ref(r), 'in-place').then(
          (found) => findings.push(found),
          (e) => failure('leftover-shadow', r, e, 'warning'),
        );
      }
      await listKeptSchemas(client, r.db.schema).then(
        (kept) => findings.push(keptSchemasFinding(ref(r), kept, space, input.runIdOfKept ?? (() => undefined))),
        (e) => failure('kept-schemas', r, e, 'warning'),
      );
    }

    // One run per replica: another run anywhere holds its lock in the replica's database.
    const locked = [...replicas, ...(runStopsMaster(installation) ? [master] : [])];
    for (const server of locked) {
      const client = clients.get(server.name);
      const id = result.identities[server.name];
      if (!client || !id) continue;
      try {
        const holder = await findAdvisoryLockHolder(client, runLockKey(id));
        if (holder) throw new RunLockHeldError(ref(server), describeHolder(holder));
        pass('run-in-progress', server, `No other run holds ${ref(server)}`);
      } catch (e) {
        failure('run-in-progress', server, e);
      }
    }

    // Client tools: present, and as new as every server.
    try {
      const tools: PgTools = await findPgTools({ env: input.env, ...(input.pgBinDir ? { binDir: input.pgBinDir } : {}) });
      const majors = [...clients.values()].length > 0 ? await Promise.all([...clients.values()].map(async (c) => (await readClusterIdentity(c)).serverMajor)) : [];
      if (majors.length > 0) requireToolsFor(tools, Math.max(...majors));
      result.tools = { pgDump: tools.pgDump.path, pgRestore: tools.pgRestore.path, psql: tools.psql.path, version: tools.pgDump.version };
      pass('pg-tools', null, `pg_dump, pg_restore and psql ${tools.pgDump.version} found in ${dirname(tools.pgDump.path)}`);
    } catch (e) {
      failure('pg-tools', null, e);
    }

    // Hosts: reachable (SSH host keys checked), the key file where it must be.
    const hostsNeeded = new Set<Server>(replicas.filter((r) => runNeedsHost(r, master.encryptedPasswords)));
    if (master.encryptedPasswords || (!installation.onlineBackup && master.control)) hostsNeeded.add(master);
    for (const server of hostsNeeded) {
      try {
        await onReachableHost(server, { installation: installation.name, server: server.name }, input.secretStore, input.env, input.timeoutMs, async (host) => {
          pass('host', server, `Host reachable: ${host.description}`);
          if (master.encryptedPasswords) {
            const file = keyFileFor(server);
            if (!file) throw new ReplicaDeskError('install-dir-missing', `installDir is not set for ${ref(server)}, so the key file cannot be ${server === master ? 'found' : 'placed'}.`, 'Set installDir (the server\'s $INSTALL_DIR) in the profile.');
            if (server === master) {
              if ((await host.sha256(file)) === null) throw new ReplicaDeskError('key-file-missing', `The master's key file ${file} does not exist on ${host.description}.`, 'Check installDir and encryptedPasswords in the profile; the file is <installDir>/etc/keys/<database>.<user>.rijndael.');
              pass('key-file', server, `Key file present: ${file}`);
            }
          }
        });
      } catch (e) {
        failure(server === master && master.encryptedPasswords ? 'key-file' : 'host', server, e);
      }
    }
    // Control commands run only once approved: the replicas', and the master's when the run stops it.
    for (const server of [...replicas, ...(runStopsMaster(installation) ? [master] : [])]) {
      const serverRef = { installation: installation.name, server: server.name };
      const commands = controlCommandsOf(serverRef, server);
      const unapproved = commands.filter((c) => !input.approvals.isApproved(serverRef, server, c.kind));
      for (const c of unapproved) failure('command-not-approved', server, new CommandNotApprovedError(serverRef, c.kind, c.command));
      if (commands.length > 0 && unapproved.length === 0) pass('command-approved', server, `${ref(server)}: the ${commands.map((c) => c.kind).join(', ')} command${commands.length > 1 ? 's are' : ' is'} approved`);
    }
    for (const r of replicas) {
      if (!r.control?.stop) pass('control', r, `${ref(r)} has no stop command: you will be asked to stop it by hand`, 'warning');
      if (!r.control?.status) pass('control', r, `${ref(r)} has no status command: stopping is proven by its database sessions alone`, 'warning');
    }

    // Backup: enough free disk for the dump, or an existing backup file.
    if (input.fromBackup) {
      if (existsSync(input.fromBackup)) pass('backup', null, `Existing backup ${input.fromBackup} will be used`);
      else findings.push({ check: 'backup', server: null, ok: false, severity: 'error', message: `The backup file ${input.fromBackup} does not exist.`, hint: 'Give the path of a pg_dump custom-format file of the master schema.' });
    } else if (result.masterSchemaBytes !== undefined) {
      const free = await freeBytes(input.backupDir);
      const needed = Math.ceil(result.masterSchemaBytes * DUMP_SPACE_FACTOR);
      if (free !== null && free < needed) {
        findings.push({ check: 'disk', server: null, ok: false, severity: 'error', message: `Not enough free space in ${input.backupDir}: ${formatByteSize(free)} free, the dump needs about ${formatByteSize(needed)}.`, hint: 'Free some space, or choose another directory with --backup-dir.' });
      } else pass('disk', null, `${free === null ? 'Unknown' : formatByteSize(free)} free in ${input.backupDir}; the dump needs about ${formatByteSize(needed)}`);
    }
  } finally {
    await Promise.allSettled([...clients.values()].map((c) => closeClient(c)));
  }
  // One mode for the whole run, from the side-by-side findings of every replica.
  const choice = chooseRestoreMode(findings, input.mode, replicas.map(ref));
  findings.splice(0, findings.length, ...choice.findings);
  result.mode = choice.mode;
  result.modeReason = choice.reason;
  result.ok = findings.every((f) => f.ok || f.severity !== 'error');
  input.log.info('preflight', { installation: installation.name, ok: result.ok, problems: findings.filter((f) => !f.ok).map((f) => f.message) });
  return result;
}

/** A run that stops the master holds the master's lock too. */
export function runStopsMaster(installation: Installation): boolean {
  return !installation.onlineBackup;
}

async function checkReplicaPrivileges(client: pg.Client, replica: Server): Promise<string> {
  const row = (
    await client.query<{ can_create: boolean; owner: string | null; me: string; superuser: boolean }>(
      `SELECT has_database_privilege(current_user, current_database(), 'CREATE') AS can_create,
              (SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = $1) AS owner,
              current_user AS me,
              (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser`,
      [replica.db.schema],
    )
  ).rows[0]!;
  if (!row.can_create && !row.superuser) {
    throw new ReplicaDeskError('insufficient-privilege', `${row.me} may not create schemas in database ${replica.db.database}, so the restored schema could not be created.`, `Ask the DBA to run: GRANT CREATE ON DATABASE ${replica.db.database} TO ${row.me};`);
  }
  if (row.owner !== null && row.owner !== row.me && !row.superuser) {
    throw new ReplicaDeskError('insufficient-privilege', `Schema ${replica.db.schema} is owned by ${row.owner}, not by ${row.me}, so ${row.me} cannot drop it.`, 'CoreMedia expects each schema to be owned by its own role; fix the ownership or the profile\'s db.user.');
  }
  return `${row.me} may drop and re-create schema ${replica.db.schema}${row.owner === null ? ' (it does not exist yet)' : ''}`;
}

async function freeBytes(dir: string): Promise<number | null> {
  let probe = resolve(dir);
  while (!existsSync(probe) && dirname(probe) !== probe) probe = dirname(probe);
  try {
    const s = await statfs(probe);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

