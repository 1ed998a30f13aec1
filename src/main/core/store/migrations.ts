// Numbered schema migrations, keyed to PRAGMA user_version. Append only: never edit a
// migration that has shipped; add the next number instead.
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

// Migration 10's summaries. The triggers refresh them with every write of a run or a step,
// in that write's own statement; the migration fills them in for runs recorded before.
// Part of migration 10: never change them; a later version drops and recreates the triggers.
const PLAN_SUMMARY_OF = (plan: string) => `json_extract(${plan}, '$.kind', '$.mode', '$.rollbackOf', '$.backup', '$.replicas')`;
const DUMP_BACKUP_OF = (runId: string) =>
  `(SELECT s.captured -> '$.backup' FROM run_steps s WHERE s.run_id = ${runId} AND s.id = 'dump-master' ORDER BY s.seq LIMIT 1)`;
/** The first step `ids` of the replica, as `fields` (a json_object argument list over s), or NULL. */
const firstStep = (runId: string, replica: string, ids: string, fields: string) =>
  `json((SELECT json_object(${fields}) FROM run_steps s WHERE s.run_id = ${runId} AND s.replica = ${replica} AND s.id IN (${ids}) ORDER BY s.seq LIMIT 1))`;
const REPLICA_SUMMARY_OF = (runId: string, replica: string) => `json_object(
        'fixups', ${firstStep(runId, replica, "'fixups', 'fixups-shadow'", "'captured', json_object('changelog', s.captured -> '$.changelog')")},
        'verify', ${firstStep(runId, replica, "'verify'", "'captured', json_object('checks', s.captured -> '$.checks')")},
        'stop', ${firstStep(runId, replica, "'stop-replica'", "'status', s.status, 'captured', json_object('stopRequestedAt', s.captured -> '$.stopRequestedAt')")},
        'start', ${firstStep(runId, replica, "'start-replica'", "'status', s.status, 'captured', json_object('runningAt', s.captured -> '$.runningAt')")},
        'swap', ${firstStep(runId, replica, "'swap'", "'status', s.status, 'finishedAt', s.finished_at, 'captured', json_object('keptSchema', s.captured -> '$.keptSchema', 'keptBytes', s.captured -> '$.keptBytes')")},
        'restoreLeft', json(CASE WHEN EXISTS (SELECT 1 FROM run_steps s WHERE s.run_id = ${runId} AND s.replica = ${replica} AND s.id = 'restore' AND s.status NOT IN ('done', 'skipped')) THEN 'true' ELSE 'false' END))`;
const RUN_SUMMARY_TRIGGERS = `
      CREATE TRIGGER runs_plan_summary AFTER INSERT ON runs BEGIN
        UPDATE runs SET plan_summary = ${PLAN_SUMMARY_OF('NEW.plan')} WHERE id = NEW.id;
      END;
      CREATE TRIGGER runs_plan_summary_changed AFTER UPDATE OF plan ON runs BEGIN
        UPDATE runs SET plan_summary = ${PLAN_SUMMARY_OF('NEW.plan')} WHERE id = NEW.id;
      END;
      CREATE TRIGGER run_replicas_summary AFTER INSERT ON run_replicas BEGIN
        UPDATE run_replicas SET summary = ${REPLICA_SUMMARY_OF('NEW.run_id', 'NEW.replica')} WHERE run_id = NEW.run_id AND replica = NEW.replica;
      END;
      CREATE TRIGGER run_steps_summary_inserted AFTER INSERT ON run_steps BEGIN
        UPDATE run_replicas SET summary = ${REPLICA_SUMMARY_OF('NEW.run_id', 'NEW.replica')} WHERE run_id = NEW.run_id AND replica = NEW.replica;
        UPDATE runs SET dump_backup = ${DUMP_BACKUP_OF('NEW.run_id')} WHERE NEW.id = 'dump-master' AND id = NEW.run_id;
      END;
      CREATE TRIGGER run_steps_summary_updated AFTER UPDATE ON run_steps BEGIN
        UPDATE run_replicas SET summary = ${REPLICA_SUMMARY_OF('NEW.run_id', 'NEW.replica')} WHERE run_id = NEW.run_id AND replica = NEW.replica;
        UPDATE runs SET dump_backup = ${DUMP_BACKUP_OF('NEW.run_id')} WHERE NEW.id = 'dump-master' AND id = NEW.run_id;
      END;`;

export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: 'installations and servers',
    sql: `
      CREATE TABLE installations (
        id            INTEGER PRIMARY KEY,
        name          TEXT NOT NULL COLLATE NOCASE UNIQUE,
        description   TEXT,
        online_backup INTEGER NOT NULL DEFAULT 1 CHECK (online_backup IN (0, 1)),
        position      INTEGER NOT NULL DEFAULT 0,
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL
      );
      CREATE TABLE servers (
        id              INTEGER PRIMARY KEY,
        installation_id INTEGER NOT NULL REFERENCES installations(id) ON DELETE CASCADE,
        name            TEXT NOT NULL COLLATE NOCASE,
        role            TEXT NOT NULL CHECK (role IN ('master', 'replica')),
        position        INTEGER NOT NULL,
        -- The server's profiles@1 object (no secrets: the format has no field for them).
        definition      TEXT NOT NULL CHECK (json_valid(definition)),
        UNIQUE (installation_id, name)
      );
      CREATE INDEX servers_by_installation ON servers(installation_id, position);
    `,
  },
  {
    version: 2,
    description: 'restore runs, their replicas, steps and log',
    sql: `
      CREATE TABLE runs (
        id            TEXT PRIMARY KEY,
        installation  TEXT NOT NULL,
        status        TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled')),
        -- The plan as it was run: the installation snapshot, replicas and step list (no secrets).
        plan          TEXT NOT NULL CHECK (json_valid(plan)),
        -- Values captured along the way: backup file, master counts at dump time, heads, confirmations.
        captured      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(captured)),
        compensation  TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(compensation)),
        message       TEXT,
        -- Host and pid of the process driving the run, to tell a live run from an interrupted one.
        owner_host    TEXT,
        owner_pid     INTEGER,
        created_at    TEXT NOT NULL,
        finished_at   TEXT
      );
      CREATE INDEX runs_by_installation ON runs(installation, created_at);
      CREATE TABLE run_replicas (
        run_id   TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        replica  TEXT NOT NULL,
        status   TEXT NOT NULL CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'cancelled')),
        message  TEXT,
        PRIMARY KEY (run_id, replica)
      );
      CREATE TABLE run_steps (
        run_id      TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        seq         INTEGER NOT NULL,
        id          TEXT NOT NULL,
        replica     TEXT,
        title       TEXT NOT NULL,
        status      TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed', 'skipped', 'cancelled')),
        started_at  TEXT,
        finished_at TEXT,
        message     TEXT,
        captured    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(captured)),
        PRIMARY KEY (run_id, seq)
      );
      CREATE TABLE run_log (
        id       INTEGER PRIMARY KEY,
        run_id   TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        at       TEXT NOT NULL,
        level    TEXT NOT NULL,
        step_seq INTEGER,
        message  TEXT NOT NULL
      );
      CREATE INDEX run_log_by_run ON run_log(run_id, id);
    `,
  },
  {
    version: 3,
    description: 'last topology snapshot per installation',
    sql: `
      -- One row per installation: the newest probe, so the topology view works offline.
      CREATE TABLE topology_snapshots (
        installation TEXT PRIMARY KEY COLLATE NOCASE,
        probed_at    TEXT NOT NULL,
        -- A shared/topology.ts TopologySnapshot (no secrets: error texts are masked).
        snapshot     TEXT NOT NULL CHECK (json_valid(snapshot))
      );
    `,
  },
  {
    version: 4,
    description: 'child processes of restore runs',
    sql: `
      -- Each child a run spawned (pg_dump, pg_restore, psql, control commands), so that a later
      -- run can end what a killed one left running, and only that: pid, start time and boot
      -- together identify a process; the command line double-checks.
      CREATE TABLE run_processes (
        run_id           TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        pid              INTEGER NOT NULL,
        start_time       TEXT NOT NULL,
        boot_id          TEXT,
        pgid             INTEGER NOT NULL,
        cmdline          TEXT NOT NULL CHECK (json_valid(cmdline)),
        role             TEXT NOT NULL,
        description      TEXT NOT NULL,
        host             TEXT NOT NULL,
        -- The process that spawned it: while that one lives, the child is not a leftover.
        owner_pid        INTEGER NOT NULL,
        owner_start_time TEXT NOT NULL,
        state            TEXT NOT NULL CHECK (state IN ('running', 'exited')),
        recorded_at      TEXT NOT NULL,
        ended_at         TEXT,
        PRIMARY KEY (run_id, pid, start_time)
      );
      CREATE INDEX run_processes_running ON run_processes(state, host) WHERE state = 'running';
    `,
  },
  {
    version: 5,
    description: 'approved control commands',
    sql: `
      -- One row per approved control command: the SHA-256 of the installation, server, kind,
      -- the host it runs on and its exact text (see profiles/commandApprovals.ts). Names are
      -- kept beside the hash so an installation's approvals can be found, moved and removed.
      CREATE TABLE command_approvals (
        hash         TEXT PRIMARY KEY,
        installation TEXT NOT NULL COLLATE NOCASE,
        server       TEXT NOT NULL COLLATE NOCASE,
        kind         TEXT NOT NULL CHECK (kind IN ('stop', 'start', 'status')),
        approved_at  TEXT NOT NULL
      );
      CREATE INDEX command_approvals_by_server ON command_approvals(installation, server);
    `,
  },
  {
    version: 6,
    description: 'the endpoint each keychain secret was entered for',
    sql: `
      -- A keychain entry (account installation/server/db|ssh) may only go to the endpoint it
      -- was entered for; the keychain keeps the plain secret, this table the endpoint
      -- (src/main/core/secrets/secretEndpoint.ts has its JSON shape). No secret here.
      CREATE TABLE secret_bindings (
        account  TEXT PRIMARY KEY,
        kind     TEXT NOT NULL CHECK (kind IN ('db', 'ssh')),
        endpoint TEXT NOT NULL CHECK (json_valid(endpoint)),
        origin   TEXT NOT NULL,
        bound_at TEXT NOT NULL
      );
      -- Entries written before this version were entered for the servers as they are now:
      -- bind them to that, so a later change of the profile is seen.
      INSERT INTO secret_bindings (account, kind, endpoint, origin, bound_at)
        SELECT i.name || '/' || s.name || '/db', 'db',
               json_object('kind', 'db',
                           'host', json_extract(s.definition, '$.db.host'),
                           'port', COALESCE(json_extract(s.definition, '$.db.port'), 5432),
                           'database', json_extract(s.definition, '$.db.database'),
                           'user', json_extract(s.definition, '$.db.user')),
               'upgrade', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
        FROM servers s JOIN installations i ON i.id = s.installation_id;
      INSERT INTO secret_bindings (account, kind, endpoint, origin, bound_at)
        SELECT i.name || '/' || s.name || '/ssh', 'ssh',
               CASE WHEN json_extract(s.definition, '$.host.access') = 'ssh'
                 THEN json_object('kind', 'ssh', 'access', 'ssh',
                                  'hostname', json_extract(s.definition, '$.host.hostname'),
                                  'port', COALESCE(json_extract(s.definition, '$.host.port'), 22),
                                  'user', json_extract(s.definition, '$.host.user'),
                                  'hostKey', json_extract(s.definition, '$.host.hostKey'))
                 ELSE json_object('kind', 'ssh', 'access', 'local')
               END,
               'upgrade', strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
        FROM servers s JOIN installations i ON i.id = s.installation_id;
    `,
  },
  {
    version: 7,
    description: 'app settings',
    sql: `
      -- One row per setting (shared/settings.ts names them and checks their values), e.g.
      -- dumpsKept: how many dumps of each installation retention keeps.
      CREATE TABLE settings (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL CHECK (json_valid(value))
      );
    `,
  },
  {
    version: 8,
    description: 'schemas kept aside by side-by-side runs and rollbacks',
    sql: `
      -- One row per schema a side-by-side run set aside beside a replica's schema: the
      -- previous one after its swap (kind prev), the restored one after a rollback of it
      -- (kind undone). run_id is the side-by-side run whose tag the name carries; by_run the
      -- rollback run that swapped it back in or aside. history/keptSchemaStore.ts writes it.
      CREATE TABLE kept_schemas (
        run_id   TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        replica  TEXT NOT NULL,
        name     TEXT NOT NULL,
        kind     TEXT NOT NULL CHECK (kind IN ('prev', 'undone')),
        bytes    INTEGER,
        state    TEXT NOT NULL CHECK (state IN ('kept', 'rolled-back', 'discarded')),
        at       TEXT NOT NULL,
        by_run   TEXT,
        PRIMARY KEY (run_id, replica, kind)
      );
      CREATE INDEX kept_schemas_by_state ON kept_schemas(state, run_id);
    `,
  },
  {
    version: 9,
    description: 'runs by start time',
    sql: `
      -- The history lists every run newest first and pages through it (history/runStore.ts
      -- list): this index gives that order, and the count of all runs, without reading
      -- the run table itself.
      CREATE INDEX runs_by_created_at ON runs(created_at, id);
    `,
  },
  {
    version: 10,
    description: 'run summaries kept beside the steps',
    sql: `
      -- What the run list shows of a run's steps, kept beside the run by triggers, so that a
      -- list of thousands of runs reads no step rows (history/runListQuery.ts). Values only,
      -- picked out of the first matching step; history/runRecord.ts makes the record of them.
      --   runs.plan_summary:     the plan's small fields, a JSON array in PLAN_SUMMARY order
      --                          (kind, mode, rollbackOf, backup, replicas);
      --   runs.dump_backup:      the dump-master step's captured backup (JSON), or NULL;
      --   run_replicas.summary:  per replica the fix-ups' changelog, the verification's checks,
      --                          the stop, start and swap steps' status and captured values
      --                          the record uses, and whether its restore step is still to do.
      ALTER TABLE runs ADD COLUMN plan_summary TEXT;
      ALTER TABLE runs ADD COLUMN dump_backup TEXT;
      ALTER TABLE run_replicas ADD COLUMN summary TEXT NOT NULL DEFAULT '{}';
      -- Every column the list reads, newest first, in one index: the list never reads the
      -- run rows, whose large plan comes before these columns and spans overflow pages.
      CREATE INDEX runs_list ON runs(created_at, id, installation, status, captured, dump_backup, compensation, message, owner_host, owner_pid, finished_at, plan_summary);
      ${RUN_SUMMARY_TRIGGERS}
      -- Runs recorded before this version: the same values, once.
      UPDATE runs SET plan_summary = ${PLAN_SUMMARY_OF('runs.plan')},
                      dump_backup = ${DUMP_BACKUP_OF('runs.id')};
      UPDATE run_replicas SET summary = ${REPLICA_SUMMARY_OF('run_replicas.run_id', 'run_replicas.replica')};
    `,
  },
  {
    version: 11,
    description: 'the sandbox installation, its lock, and runs marked as sandbox runs',
    sql: `
      -- The sandbox (\`replica-desk sandbox up\`, sandbox/sandboxStore.ts): at most one per data
      -- directory. Its row is written before anything is built and removed last by
      -- \`sandbox down\`. It says where the sandbox lives (its manifest is <dir>/sandbox.json,
      -- written by sandbox/sandboxMachine.ts; manifest_at is when the build last reported
      -- it) and which installation the sandbox owns: while the row exists, that installation
      -- is written and deleted by the sandbox alone (profile import, save and delete refuse).
      CREATE TABLE sandbox (
        id           INTEGER PRIMARY KEY CHECK (id = 1),
        installation TEXT NOT NULL COLLATE NOCASE,
        dir          TEXT NOT NULL,
        size_mb      INTEGER NOT NULL CHECK (size_mb > 0),
        created_at   TEXT NOT NULL,
        manifest_at  TEXT
      );
      -- Held while a \`sandbox up\` or \`down\` works (CLI or app, any process on this data
      -- directory): a second one is refused. A holder whose process is gone (pid and start
      -- time, processes/processIdentity.ts) is taken over.
      CREATE TABLE sandbox_lock (
        id         INTEGER PRIMARY KEY CHECK (id = 1),
        action     TEXT NOT NULL CHECK (action IN ('up', 'down')),
        host       TEXT NOT NULL,
        pid        INTEGER NOT NULL,
        start_time TEXT,
        boot_id    TEXT,
        started_at TEXT NOT NULL
      );
      -- A run of the sandbox's installation is marked when it is created, by the trigger, in
      -- the statement that inserts it (whichever code creates runs); the mark stays after
      -- \`sandbox down\`, as the run does.
      ALTER TABLE runs ADD COLUMN sandbox INTEGER NOT NULL DEFAULT 0 CHECK (sandbox IN (0, 1));
      CREATE TRIGGER runs_sandbox_mark AFTER INSERT ON runs
        WHEN EXISTS (SELECT 1 FROM sandbox WHERE installation = NEW.installation COLLATE NOCASE)
      BEGIN
        UPDATE runs SET sandbox = 1 WHERE id = NEW.id;
      END;
      -- Migration 10's covering index for the run list, with the mark (runRows.ts RUN_COLUMNS).
      DROP INDEX runs_list;
      CREATE INDEX runs_list ON runs(created_at, id, installation, status, captured, dump_backup, compensation, message, owner_host, owner_pid, finished_at, sandbox, plan_summary);
    `,
  },
  {
    version: 12,
    description: "a copy of the sandbox's manifest",
    sql: `
      -- The sandbox's manifest as the build last reported it (the JSON of <dir>/sandbox.json, no
      -- secrets in it), so that \`sandbox down\` still finds the clusters and processes to stop
      -- when the file is gone (the clusters may live outside the sandbox's directory).
      ALTER TABLE sandbox ADD COLUMN manifest TEXT CHECK (manifest IS NULL OR json_valid(manifest));
    `,
  },
];

export const LATEST_SCHEMA_VERSION = migrations.reduce((max, m) => Math.max(max, m.version), 0);
