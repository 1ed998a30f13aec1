// The sandbox's CoreMedia databases: the master (a generated content server of about sizeMb,
// its changelog head above 2^53), rls2 in the master's shared database on cluster a, and rls1
// in a database of its own on cluster b, built stale (its replicator well behind the master's
// head, so the topology shows it lagging) while rls2 is current (lag 0). Each generation runs
// in one transaction, so a database whose rows are there is complete; one that is half there
// (a kill between steps) is dropped and made again. The servers' passwords live in the
// sandbox's pgpass file, which the stand-ins read and `sandbox up` reads back on a reuse.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createContentServer, type ContentServerCluster } from '../coremedia/contentServerDatabase';
import { qualified, quoteIdent } from '../postgres/catalog';
import { escapePgpassField } from '../secrets/privatePgpassFile';
import type { SandboxProgress } from '../../../shared/sandbox';
import { throwIfAborted } from '../cancellation';
import { clusterAccess } from './sandboxCluster';
import type { SandboxClusterName, SandboxManifestCluster, SandboxServerName } from './sandboxManifest';

export interface SandboxServerSpec {
  name: SandboxServerName;
  role: 'master' | 'replica';
  layout: 'shared-database' | 'database-per-server';
  cluster: SandboxClusterName;
  database: string;
  /** The role; its schema has the same name. */
  user: string;
  builtStale: boolean;
}

export const SANDBOX_SERVERS: readonly SandboxServerSpec[] = [
  { name: 'mls', role: 'master', layout: 'shared-database', cluster: 'a', database: 'coremedia', user: 'cm_master', builtStale: false },
  { name: 'rls1', role: 'replica', layout: 'database-per-server', cluster: 'b', database: 'cm_rls1', user: 'cm_rls1', builtStale: true },
  { name: 'rls2', role: 'replica', layout: 'shared-database', cluster: 'a', database: 'coremedia', user: 'cm_rls2', builtStale: false },
];

/** How many changelog events the stale replica is behind the master's head (fewer on a tiny master). */
export const STALE_REPLICA_LAG = 250;

export type SandboxPasswords = Record<SandboxServerName, string>;

const quoteLiteral = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/** The passwords already in the pgpass file, new ones for the servers it lacks. */
export function sandboxPasswords(pgpassFile: string): SandboxPasswords {
  const known = new Map<string, string>();
  if (existsSync(pgpassFile)) {
    for (const line of readFileSync(pgpassFile, 'utf8').split('\n')) {
      // Our own lines: the passwords are base64url, so no field holds an escaped colon.
      const [, , , user, password] = line.split(':');
      if (user && password) known.set(user, password);
    }
  }
  const entries = SANDBOX_SERVERS.map((s) => [s.name, known.get(s.user) ?? randomBytes(18).toString('base64url')] as const);
  return Object.fromEntries(entries) as SandboxPasswords;
}

/** Writes the servers' passwords (any port: a cluster may move), mode 0600, atomically. */
export function writeSandboxPgpass(pgpassFile: string, passwords: SandboxPasswords): void {
  const lines = SANDBOX_SERVERS.map((s) => ['127.0.0.1', '*', s.database, s.user, passwords[s.name]].map((f) => (f === '*' ? f : escapePgpassField(f))).join(':'));
  const temporary = `${pgpassFile}.${process.pid}.tmp`;
  writeFileSync(temporary, `${lines.join('\n')}\n`, { mode: 0o600 });
  renameSync(temporary, pgpassFile);
}

/** Whether the server's database was generated to the end (and, for a replica, positioned). */
export async function serverDatabaseComplete(cluster: ContentServerCluster, s: SandboxServerSpec): Promise<boolean> {
  const db = await cluster.query('SELECT 1 FROM pg_database WHERE datname = $1', [s.database]);
  if (!db.rowCount) return false;
  const system = qualified(s.user, 'system');
  const table = await cluster.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [system], s.database);
  if (!table.rows[0]?.t) return false;
  const wanted = s.role === 'master' ? 'repository_server_type' : 'replicator_remote';
  const rows = await cluster.query('SELECT 1 FROM ' + system + ' WHERE property = $1', [wanted], s.database);
  return (rows.rowCount ?? 0) > 0;
}

/** Keeps the role's password what the pgpass file says (it may have been made again). */
export async function ensureRolePassword(cluster: ContentServerCluster, s: SandboxServerSpec, password: string): Promise<void> {
  await cluster.query(`ALTER ROLE ${quoteIdent(s.user)} LOGIN PASSWORD ${quoteLiteral(password)}`);
}

/** Drops what an interrupted generation left (the schema); the database itself stays. */
async function dropPartial(cluster: ContentServerCluster, s: SandboxServerSpec): Promise<void> {
  const db = await cluster.query('SELECT 1 FROM pg_database WHERE datname = $1', [s.database]);
  if (db.rowCount) await cluster.query(`DROP SCHEMA IF EXISTS ${quoteIdent(s.user)} CASCADE`, [], s.database);
}

export async function generateMaster(
  cluster: ContentServerCluster,
  s: SandboxServerSpec,
  o: { password: string; sizeMb: number; onProgress: (doneMb: number, totalMb: number) => void; signal?: AbortSignal },
): Promise<void> {
  await dropPartial(cluster, s);
  await createContentServer(cluster, {
    layout: s.layout,
    database: s.database,
    role: s.user,
    password: o.password,
    serverType: 'publication',
    sizeMb: o.sizeMb,
    largeSequenceNumbers: true,
    onProgress: o.onProgress,
    signal: o.signal,
  });
}

/**
 * A replica's content: a small live content server. Its role may create in its database (a
 * restore drops and re-creates its schema). It is complete once positioned (positionReplica).
 */
export async function generateReplica(cluster: ContentServerCluster, s: SandboxServerSpec, o: { password: string; signal?: AbortSignal }): Promise<void> {
  await dropPartial(cluster, s);
  await createContentServer(cluster, { layout: s.layout, database: s.database, role: s.user, password: o.password, serverType: 'live', largeSequenceNumbers: true, signal: o.signal });
  await cluster.query(`GRANT CREATE ON DATABASE ${quoteIdent(s.database)} TO ${quoteIdent(s.user)}`);
}

/** Puts the replica's replicator at the master's head, or STALE_REPLICA_LAG events behind it when built stale. */
export async function positionReplica(cluster: ContentServerCluster, master: { cluster: ContentServerCluster; spec: SandboxServerSpec }, s: SandboxServerSpec): Promise<void> {
  const changelog = qualified(master.spec.user, 'changelog');
  const count = await master.cluster.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${changelog}`, [], master.spec.database);
  const behind = s.builtStale ? Math.min(STALE_REPLICA_LAG, Math.max(0, (count.rows[0]?.n ?? 1) - 1)) : 0;
  const position = await master.cluster.query<{ seq: string; idtag: string }>(
    `SELECT sequenceno::text AS seq, idtag FROM ${changelog} ORDER BY sequenceno DESC OFFSET $1 LIMIT 1`,
    [behind],
    master.spec.database,
  );
  const row = position.rows[0];
  if (!row) throw new Error(`the master's changelog in ${master.spec.database}.${master.spec.user} is empty`);
  // The position last: a replica with replicator_remote is complete (serverDatabaseComplete).
  const system = qualified(s.user, 'system');
  await cluster.query(
    `WITH gone AS (DELETE FROM ${system} WHERE property LIKE 'replicator\\_%')
     INSERT INTO ${system} (property, content) VALUES ('replicator_local', $1), ('replicator_tag', $2), ('replicator_remote', $1)`,
    [row.seq, row.idtag],
    s.database,
  );
}

const specOf = (name: SandboxServerName): SandboxServerSpec => SANDBOX_SERVERS.find((s) => s.name === name)!;

export type PhaseReport = (phase: 'master' | 'replicas', message: string, extra?: Partial<SandboxProgress>) => void;

/**
 * The master and the replicas, made where missing (the replicas' content on cluster b while the
 * master is generated on cluster a) and kept where complete; reports the master and replicas phases.
 */
export async function ensureDatabases(clusters: readonly SandboxManifestCluster[], sizeMb: number, passwords: SandboxPasswords, report: PhaseReport, signal?: AbortSignal): Promise<void> {
  const access = Object.fromEntries(clusters.map((c) => [c.name, clusterAccess(c)]));
  const mls = specOf('mls');
  const master = { cluster: access[mls.cluster]!, spec: mls };
  const replicas = SANDBOX_SERVERS.filter((s) => s.role === 'replica');

  const masterComplete = await serverDatabaseComplete(master.cluster, mls);
  const missing: SandboxServerSpec[] = [];
  for (const s of replicas) if (!(await serverDatabaseComplete(access[s.cluster]!, s))) missing.push(s);
  for (const s of [mls, ...replicas]) if (s === mls ? masterComplete : !missing.includes(s)) await ensureRolePassword(access[s.cluster]!, s, passwords[s.name]);

  // The replicas' content is made on cluster b while the master is generated on cluster a.
  const otherCluster = missing.filter((s) => s.cluster !== mls.cluster);
  const besideMaster = missing.filter((s) => s.cluster === mls.cluster);
  const onOtherCluster = Promise.all(otherCluster.map((s) => generateReplica(access[s.cluster]!, s, { password: passwords[s.name], signal })));
  onOtherCluster.catch(() => undefined);
  if (masterComplete) {
    report('master', `The master's database (${sizeMb} MB) is there already.`, { reused: true });
  } else {
    report('master', `Generating the master's content-server database (about ${sizeMb} MB)…`, { doneMb: 0, totalMb: sizeMb });
    let last = 0;
    await generateMaster(master.cluster, mls, {
      password: passwords.mls,
      sizeMb,
      signal,
      onProgress: (doneMb, totalMb) => {
        // At most about ten reports a second.
        if (doneMb < totalMb && performance.now() - last < 100) return;
        last = performance.now();
        report('master', `Generating the master's content-server database: ${Math.round(doneMb)} of ${totalMb} MB`, { doneMb, totalMb });
      },
    });
  }

  if (missing.length === 0) {
    report('replicas', 'The replicas are there already (rls1 in a database of its own, rls2 beside the master).', { reused: true });
    return;
  }
  report('replicas', `Making ${missing.map((s) => `${s.name} (${s.layout === 'shared-database' ? "in the master's database" : 'a database of its own'}${s.builtStale ? ', stale' : ''})`).join(' and ')}…`);
  for (const s of besideMaster) await generateReplica(access[s.cluster]!, s, { password: passwords[s.name], signal });
  await onOtherCluster;
  for (const s of missing) {
    throwIfAborted(signal);
    await positionReplica(access[s.cluster]!, master, s);
  }
}
