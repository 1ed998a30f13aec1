// Builds the RestorePlan for an installation and the chosen replicas: the procedure of
// shared/reference/coremedia-restore.md as concrete steps, each with the exact commands
// and SQL it will run. Pure: no I/O, so --dry-run and the tests see exactly what runs.
import { formatServerRef, type Installation, type Server } from '../../../shared/profiles';
import { InvalidInputError } from '../errors';
import { quoteIdent } from '../postgres/catalog';
import { DEFAULT_DUMP_COMPRESSION } from '../postgres/dumpSchema';
import { fixupStatements } from '../coremedia/replicaFixups';
import { defaultRepositoryTables, type RepositoryTables } from '../coremedia/repositoryTables';
import { downtimeWindows, type PlannedAction, type PlannedStep, type RestoreMode, type RestorePlan, type StepId } from '../../../shared/restorePlan';
import { derivedSchemaName, keptSchemaName, KEPT_SUFFIX_PREFIX, shadowSchemaName } from './sideBySideNames';
import { swapStatements } from './steps/swapStep';
import { swapLockTimeoutMs } from './swapLockTimeout';
import { formatRoute, type RouteView } from '../../../shared/sshRoutes';

export interface PlanOptions {
  /** Server names of the replicas to restore; all replicas when empty. */
  replicas: string[];
  backupDir: string;
  /** Start from this existing backup file instead of dumping the master. */
  fromBackup?: string;
  /** The master's repository tables as its catalog spells them (the dump carries them to the replica). */
  tables?: RepositoryTables;
  /** The run's mode as the preflight chose it (chooseRestoreMode.ts); in-place when absent. */
  mode?: RestoreMode;
  /** Why that mode (the preflight's words); the plan adds what the mode means and the downtime window. */
  modeWhy?: string;
  /** Known once the run is created: names the kept schema exactly (otherwise `<runtag>`). */
  runId?: string;
  /** `--lock-timeout`: the swap's lock_timeout; the default when absent (swapLockTimeout.ts). */
  swapLockTimeoutMs?: number;
  /** Per `installation/server` whose database is reached through SSH: the route (runTunnels.ts planRoutesOf). */
  routes?: Record<string, RouteView>;
}

/** Stands for the run's 8-hex tag until the run exists (same length, so the same 63-byte cut). */
const RUN_TAG_PLACEHOLDER = '<runtag>';

/** The name the replica's current schema is kept under by the swap. */
export function plannedKeptSchema(schema: string, runId: string | undefined): string {
  return runId ? keptSchemaName(schema, runId) : derivedSchemaName(schema, `${KEPT_SUFFIX_PREFIX}${RUN_TAG_PLACEHOLDER}`);
}

/** The swap's exact SQL, one statement per action. */
export function swapActions(replica: Server, runId: string | undefined, lockTimeoutMs: number, route?: RouteView): PlannedAction[] {
  const schema = replica.db.schema;
  const dbAt = (s: Server) => dbVia(s, route);
  const names = { schema, shadow: shadowSchemaName(schema), kept: plannedKeptSchema(schema, runId) };
  return [
    { kind: 'sql', where: dbAt(replica), text: `-- right before: ${replica.name} proved stopped again (status and sessions); if ${schema} does not exist yet, only the second rename runs` },
    ...swapStatements(names, lockTimeoutMs).map((text) => ({ kind: 'sql' as const, where: dbAt(replica), text })),
  ];
}

/** The swap step's title, naming the kept schema (a placeholder until the run id is known). */
const swapTitle = (replica: Server, runId: string | undefined, ref: string): string =>
  `Swap ${shadowSchemaName(replica.db.schema)} in as ${replica.db.schema} on ${ref}, keeping the current schema as ${plannedKeptSchema(replica.db.schema, runId)}`;

/** The plan with the run's own kept-schema names in its swap title and SQL (called once the run id is known). */
export function withRunId(plan: RestorePlan, runId: string): RestorePlan {
  const ref = (s: Server) => formatServerRef({ installation: plan.installation.name, server: s.name });
  return {
    ...plan,
    steps: plan.steps.map((s) => {
      if (s.id !== 'swap' || !s.replica) return s;
      const replica = plan.installation.servers.find((r) => r.name === s.replica)!;
      return { ...s, title: swapTitle(replica, runId, ref(replica)), actions: swapActions(replica, runId, swapLockTimeoutMs(plan), plan.routes?.[ref(replica)]) };
    }),
  };
}

export function masterOf(installation: Installation): Server {
  const master = installation.servers.find((s) => s.role === 'master');
  if (!master) throw new InvalidInputError(`Installation "${installation.name}" has no master.`);
  return master;
}

export function chooseReplicas(installation: Installation, names: string[]): Server[] {
  const replicas = installation.servers.filter((s) => s.role === 'replica');
  if (names.length === 0) {
    if (replicas.length === 0) throw new InvalidInputError(`Installation "${installation.name}" has no replicas to restore.`);
    return replicas;
  }
  const problems = names.flatMap((n, i) => {
    const server = installation.servers.find((s) => s.name.toLowerCase() === n.toLowerCase());
    if (!server) return [{ path: `--replica[${i}]`, message: `no server "${n}" in "${installation.name}"` }];
    if (server.role !== 'replica') return [{ path: `--replica[${i}]`, message: `"${n}" is the master; only replicas can be restored` }];
    return [];
  });
  if (problems.length > 0) throw new InvalidInputError('Some --replica names are wrong.', problems, 'Check the names with `replica-desk profiles list`; nothing was changed.');
  const chosen = names.map((n) => replicas.find((s) => s.name.toLowerCase() === n.toLowerCase())!);
  return chosen.filter((s, i) => chosen.indexOf(s) === i);
}

const hostOf = (s: Server) => (s.host.access === 'ssh' ? `ssh ${s.host.user}@${s.host.hostname}:${s.host.port}` : 'local');
export const dbOf = (s: Server) => `${s.db.host}:${s.db.port}/${s.db.database} as ${s.db.user}`;
/** Where a tunnelled database's work goes: the route, and the run's own forward (its port is chosen when the run opens it). */
export const dbVia = (s: Server, route: RouteView | undefined): string => (route ? `${dbOf(s)} via ${formatRoute(route)}, local forward 127.0.0.1:<ephemeral>` : dbOf(s));
const refIn = (installation: Installation, s: Server) => formatServerRef({ installation: installation.name, server: s.name });
const commandOn = (installation: Installation, s: Server, text: string): PlannedAction => ({ kind: 'command', where: `${refIn(installation, s)} (${hostOf(s)})`, text });
const confirmOn = (installation: Installation, s: Server, text: string): PlannedAction => ({ kind: 'confirm', where: refIn(installation, s), text });

/** A replica's stop or start: its control command (or the admin by hand), then its status command. */
function controlStep(installation: Installation, r: Server, which: 'stop' | 'start', title: string, statusNote: string, extra: PlannedAction[]): Omit<PlannedStep, 'seq'> {
  const command = r.control?.[which];
  const verb = which === 'stop' ? 'Stop' : 'Start';
  return {
    id: which === 'stop' ? 'stop-replica' : 'start-replica',
    replica: r.name,
    title,
    actions: [
      command ? commandOn(installation, r, command) : confirmOn(installation, r, `${verb} ${refIn(installation, r)} now (no ${which} command is configured).`),
      ...(r.control?.status ? [commandOn(installation, r, `${r.control.status}   # ${statusNote}`)] : []),
      ...extra,
    ],
    destructive: false,
    manual: !command,
  };
}

/** Step "stop-replica": its stop command (or the admin), then the proof: status and sessions. */
export const stopReplicaStep = (installation: Installation, r: Server, route?: RouteView): Omit<PlannedStep, 'seq'> =>
  controlStep(installation, r, 'stop', `Stop ${refIn(installation, r)} and prove it stopped`, 'must exit non-zero', [
    { kind: 'sql', where: dbVia(r, route), text: `SELECT pid FROM pg_stat_activity WHERE datname = '${r.db.database}' AND usename = '${r.db.user}' AND pid <> pg_backend_pid()   -- must be empty` },
  ]);

/** Step "start-replica": its start command (or the admin), then its status until it runs. */
export const startReplicaStep = (installation: Installation, r: Server): Omit<PlannedStep, 'seq'> =>
  controlStep(installation, r, 'start', `Start ${refIn(installation, r)} and wait until it runs`, 'until it exits 0', []);

export function keyFileFor(server: Server, owner: Server = server): string | null {
  if (!server.installDir) return null;
  return `${server.installDir.replace(/\/+$/, '')}/etc/keys/${owner.db.database}.${owner.db.user}.rijndael`;
}

export function planRestore(installation: Installation, options: PlanOptions): RestorePlan {
  const master = masterOf(installation);
  const replicas = chooseReplicas(installation, options.replicas);
  const tables = options.tables ?? defaultRepositoryTables(master.db.schema);
  const ref = (s: Server) => formatServerRef({ installation: installation.name, server: s.name });
  const routes = options.routes ?? {};
  // A tunnelled server's SQL and tools name the route they take.
  const dbAt = (s: Server) => dbVia(s, routes[ref(s)]);
  const viaMaster = routes[ref(master)] ? `   # via ${formatRoute(routes[ref(master)]!)}, local forward 127.0.0.1:<ephemeral>` : '';
  const steps: Omit<PlannedStep, 'seq'>[] = [];
  const add = (id: StepId, replica: Server | null, title: string, actions: PlannedAction[], flags: { destructive?: boolean; manual?: boolean } = {}) =>
    steps.push({ id, replica: replica?.name ?? null, title, actions, destructive: flags.destructive ?? false, manual: flags.manual ?? false });
  const confirm = (where: string, text: string): PlannedAction => ({ kind: 'confirm', where, text });
  const command = (s: Server, text: string): PlannedAction => ({ kind: 'command', where: `${ref(s)} (${hostOf(s)})`, text });

  if (!installation.onlineBackup) {
    add('confirm-publications', null, 'Confirm that all publications have finished and the last one succeeded, and freeze the master', [
      confirm(ref(master), 'All publications are finished, the last one succeeded, and the Master Live Server content is frozen (no new publications).'),
    ]);
  }
  const mode = options.mode ?? 'in-place';
  const addStop = (r: Server) => steps.push(stopReplicaStep(installation, r, routes[ref(r)]));
  // In place, every replica is stopped before the backup; side by side, each only for its swap.
  if (mode === 'in-place') for (const r of replicas) addStop(r);
  if (!installation.onlineBackup) {
    const stop = master.control?.stop;
    add('stop-master', null, `Stop the master ${ref(master)} if possible`, [stop ? command(master, stop) : confirm(ref(master), 'Stop the Master Live Server if possible (no stop command is configured).')], {
      manual: !stop,
    });
  }
  if (options.fromBackup) {
    add('dump-master', null, `Use the existing backup ${options.fromBackup}`, [{ kind: 'tool', where: 'this workstation', text: `pg_restore --list ${options.fromBackup}   # check it is a custom-format dump of schema ${master.db.schema}` }]);
  } else {
    add('dump-master', null, `Back up the master schema ${master.db.schema} with pg_dump`, [
      {
        kind: 'tool',
        where: 'this workstation',
        text: `pg_dump --format=custom --compress=${DEFAULT_DUMP_COMPRESSION} --schema=${quoteIdent(master.db.schema)} --verbose --no-password --snapshot=<exported by the run> --file=${options.backupDir}/${installation.name}/<run>-${master.db.schema}.dump --dbname='host=${master.db.host} port=${master.db.port} dbname=${master.db.database} user=${master.db.user}'   # password from a private temporary PGPASSFILE; row counts and changelog head read in the same snapshot${viaMaster}`,
      },
    ]);
  }
  if (!installation.onlineBackup) {
    const start = master.control?.start;
    add('start-master', null, `Start the master ${ref(master)} again (if it was stopped); publications may resume`, [
      start ? command(master, start) : confirm(ref(master), 'Start the Master Live Server again if you stopped it, and unfreeze publications.'),
    ], { manual: !start });
  }
  for (const r of replicas) {
    const schema = r.db.schema;
    if (mode === 'side-by-side') {
      addSideBySide(r);
      continue;
    }
    addCopyKey(r);
    add('drop-schema', r, `Drop the replica schema ${schema} on ${ref(r)}`, [{ kind: 'sql', where: dbAt(r), text: `DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE` }], { destructive: true });
    add('restore', r, `Restore the backup into ${schema} on ${ref(r)}`, [
      {
        kind: 'tool',
        where: dbAt(r),
        text: `pg_restore --file=- --no-owner --no-privileges --no-tablespaces <backup> | rename schema ${quoteIdent(master.db.schema)} → ${quoteIdent(schema)} where SQL names it (data rows pass through untouched) | psql -X -q -w -v ON_ERROR_STOP=1 -f - --dbname='host=${r.db.host} port=${r.db.port} dbname=${r.db.database} user=${r.db.user}'   # one transaction: COMMIT is sent only after pg_restore succeeded`,
      },
      { kind: 'sql', where: dbAt(r), text: `-- then: row count of every table compared with the master's at dump time` },
    ]);
    add(
      'fixups',
      r,
      `Set the replicator position, clear licenses and set the server type on ${ref(r)}`,
      fixupStatements({ ...tables, schema }).map((f) => ({ kind: 'sql' as const, where: dbAt(r), text: `${f.sql}   -- ${f.purpose}` })),
    );
    addStartAndVerify(r);
  }

  function addCopyKey(r: Server): void {
    if (!master.encryptedPasswords) return;
    add('copy-key', r, `Copy the master's key file to ${ref(r)}`, [
      { kind: 'copy', where: `${ref(master)} → ${ref(r)}`, text: `${keyFileFor(master) ?? '<master installDir is not set>'} → ${keyFileFor(r) ?? '<replica installDir is not set>'}   # mode 0600, SHA-256 verified` },
    ]);
  }

  function addStartAndVerify(r: Server): void {
    steps.push(startReplicaStep(installation, r));
    add('verify', r, `Verify ${ref(r)}`, [
      { kind: 'sql', where: dbAt(r), text: 'replicator_* equal the changelog head; repository_server_type = live; cmlicenses empty; row counts equal the master\'s; master changelog head unchanged or grown' },
    ]);
  }

  /** Shadow restore, fix-ups and checks while the replica serves; then stop, swap, start, verify. */
  function addSideBySide(r: Server): void {
    const schema = r.db.schema;
    const shadow = shadowSchemaName(schema);
    add('restore-shadow', r, `Restore the backup into the shadow schema ${shadow} on ${ref(r)} while it keeps serving`, [
      { kind: 'sql', where: dbAt(r), text: `-- ${shadow} must not exist yet unless this run left it (a leftover of another run is refused)` },
      {
        kind: 'tool',
        where: dbAt(r),
        text: `pg_restore --file=- --no-owner --no-privileges --no-tablespaces <backup> | rename schema ${quoteIdent(master.db.schema)} → ${quoteIdent(shadow)} where SQL names it (data rows pass through untouched) | psql -X -q -w -v ON_ERROR_STOP=1 -f - --dbname='host=${r.db.host} port=${r.db.port} dbname=${r.db.database} user=${r.db.user}'   # one transaction, as ${r.db.user}, so ${r.db.user} owns ${shadow}`,
      },
      { kind: 'sql', where: dbAt(r), text: `COMMENT ON SCHEMA ${quoteIdent(shadow)} IS 'replica-desk shadow of run <run id>'   -- then: row count of every table compared with the master's at dump time` },
    ]);
    add(
      'fixups-shadow',
      r,
      `Set the replicator position, clear licenses and set the server type in ${shadow} on ${ref(r)}`,
      fixupStatements({ ...tables, schema: shadow }).map((f) => ({ kind: 'sql' as const, where: dbAt(r), text: `${f.sql}   -- ${f.purpose}` })),
    );
    add('verify-shadow', r, `Verify the shadow schema ${shadow} on ${ref(r)}`, [
      { kind: 'sql', where: dbAt(r), text: `in ${shadow}: replicator_* equal the changelog head; repository_server_type = live; cmlicenses empty; row counts equal the master's at dump time` },
    ]);
    addStop(r);
    // The running server keeps its own key file until it is stopped: the master's arrives with the master's data.
    addCopyKey(r);
    add('swap', r, swapTitle(r, options.runId, ref(r)), swapActions(r, options.runId, swapLockTimeoutMs(options), routes[ref(r)]), { destructive: true });
    addStartAndVerify(r);
  }

  const numbered = steps.map((s, i) => ({ ...s, seq: i + 1 }));
  return {
    installation,
    master: master.name,
    replicas: replicas.map((r) => r.name),
    backup: options.fromBackup ? { mode: 'existing', file: options.fromBackup } : { mode: 'dump', dir: options.backupDir },
    mode,
    modeReason: modeReason(mode, numbered, replicas, options.modeWhy),
    ...(options.swapLockTimeoutMs !== undefined ? { swapLockTimeoutMs: options.swapLockTimeoutMs } : {}),
    ...(Object.keys(routes).length > 0 ? { routes } : {}),
    steps: numbered,
  };
}

/** Which mode runs and why, and each replica's downtime window by step number. */
function modeReason(mode: RestoreMode, steps: PlannedStep[], replicas: Server[], why: string | undefined): string {
  const windows = downtimeWindows({ replicas: replicas.map((r) => r.name), steps })
    .map((w) => `${w.replica}: steps ${w.fromSeq}–${w.toSeq}`)
    .join('; ');
  const prefix = why ? `${why} ` : '';
  if (mode === 'side-by-side') {
    return (
      prefix +
      'Each replica keeps serving during the backup and while its next schema is restored, fixed up and verified in a shadow schema; ' +
      `it is down only from its stop until it runs again after the swap (downtime window: ${windows}), whatever the size of the database. ` +
      'Its previous schema is kept beside it for rollback until discarded (`replica-desk runs discard RUN_ID`).'
    );
  }
  return (
    prefix +
    `The vendor's procedure: each replica is down from its stop until it runs again (downtime window: ${windows}), through the backup, the drop and the whole restore. ` +
    'Side-by-side, the default where the replica\'s database allows it, keeps it serving until a short swap.'
  );
}
