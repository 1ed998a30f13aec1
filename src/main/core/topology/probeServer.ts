// One server's state, as far as it can be learnt within a timeout: its database (version,
// cluster, repository_server_type, replicator rows, the master's changelog head) and its
// process (control.status, only once approved). One deadline per server covers all its
// phases (keychain read, connect, queries; waiting for a slot in the status-command pool,
// opening the host, the command), so a dead host answers "unreachable" or "timeout" within
// the timeout instead of holding up the installation's picture. Time spent on our own side
// (the keychain read, the wait for a pool slot) is given back up to a cap just past the
// timeout (deadline.ts), so a busy tool does not report a healthy server as timed out. A
// failure is part of the result, never thrown.
import type pg from 'pg';
import { formatServerRef, type Server, type ServerRef } from '../../../shared/profiles';
import {
  DEFAULT_TOPOLOGY_TIMEOUT_MS,
  type DatabaseProbe,
  type ProcessProbe,
  type ServerProbe,
} from '../../../shared/topology';
import { readChangelogHead } from '../coremedia/changelog';
import { resolveRepositoryTables } from '../coremedia/repositoryTables';
import { readReplicaState } from '../coremedia/serverType';
import { ReplicaDeskError, toErrorPayload } from '../errors';
import type { LocalForward } from '../tunnels/localForward';
import { CommandTimeoutError, HostUnreachableError, type Host } from '../hosts/host';
import { openHost } from '../hosts/openHost';
import type { Logger } from '../logging/logger';
import { CommandNotApprovedError, type CommandApprovalCheck } from '../profiles/commandApprovals';
import { readClusterIdentity } from '../postgres/clusterIdentity';
import { openClient } from '../postgres/connect';
import { connectionEncryption } from '../postgres/connectionEncryption';
import { ConnectionTimeoutError, classifyConnectionError } from '../postgres/connectionErrors';
import { resolveDbPassword } from '../secrets/dbPassword';
import type { EndpointBoundSecretStore } from '../secrets/endpointBoundSecretStore';
import { RouteAttempt } from '../tunnels/routeAttempt';
import { routeViewOf } from '../tunnels/routeView';
import type { SshRoute } from '../tunnels/sshRoute';
import { BoundedPool } from './boundedPool';
import { Deadline } from './deadline';
import { ProbeTunnels, type ProbeTunnelSources } from './probeTunnel';

export { DEFAULT_TOPOLOGY_TIMEOUT_MS };

export interface ProbeDeps {
  secretStore: EndpointBoundSecretStore;
  env: NodeJS.ProcessEnv;
  log?: Logger;
  /** control.status runs only when approved; otherwise the process state is `not-approved`. */
  approvals: CommandApprovalCheck;
  /** Where status commands wait for a slot; default statusCommandPool. */
  statusPool?: BoundedPool;
  /** Hop secrets and ~/.ssh/config for servers whose database is behind an SSH tunnel. */
  hopSecrets?: ProbeTunnelSources['hopSecrets'];
  routeContext?: ProbeTunnelSources['routeContext'];
  /** The topology call's tunnels, shared by its servers; without it a probe opens (and closes) its own. */
  tunnels?: ProbeTunnels;
}

/**
 * How many status commands run at once, across every installation being probed: enough to
 * keep the probe short, few enough that starting them does not stall the event loop.
 */
export const STATUS_POOL_SIZE = 8;
export const statusCommandPool = new BoundedPool(STATUS_POOL_SIZE);

export interface ProbeOptions {
  /**
   * Bounds the whole probe of the server, all phases together: finding the password,
   * connecting, reading the repository; waiting for a pool slot, opening the host, running
   * control.status. Default 5 s.
   */
  timeoutMs?: number;
}

/** A status command that never started: its server's time ran out while it waited for a slot. */
export class StatusCommandQueuedTooLongError extends ReplicaDeskError {
  constructor(ref: ServerRef, timeoutMs: number, poolSize: number) {
    super(
      'command-timeout',
      `The status command of ${formatServerRef(ref)} did not get its turn within ${Math.round(timeoutMs / 100) / 10} s: at most ${poolSize} status commands run at once, and the others took the time.`,
      'Probe again with a longer --timeout-ms, or make the slow status commands quicker (run them by hand on their hosts to see which).',
    );
  }
}

const elapsedSince = (started: number): number => Math.round(performance.now() - started);

/** A database probe that learned nothing yet (unreachable until shown otherwise). */
export const emptyDatabaseProbe = (): DatabaseProbe => ({
  reachable: false,
  error: null,
  serverVersion: null,
  serverVersionNum: null,
  encryption: null,
  cluster: null,
  serverType: null,
  serverTypeRows: [],
  replicator: null,
  changelogHead: null,
  elapsedMs: 0,
});

async function connect(server: Server, ref: ServerRef, deps: ProbeDeps, deadline: Deadline, connectTo?: { host: string; port: number }): Promise<pg.Client> {
  const { db } = server;
  const timedOut = () => new ConnectionTimeoutError(db, deadline.ms, 'connect');
  // The keychain read is our own work: its time is given back (up to the cap), so a busy keychain does not eat the server's timeout.
  const password = await deadline.own(resolveDbPassword(deps.secretStore, ref, db, deps.env), timedOut);
  if (password.warning) deps.log?.warn(`topology ${formatServerRef(ref)}: ${password.warning}`);
  if (deadline.expired()) throw timedOut();
  // openClient's own guard may fire up to 250 ms after its timeout (pg cleans up first);
  // the race keeps the answer on time.
  const opening = openClient(connectTo ? { ...db, connectTo } : db, password.secret, {
    timeoutMs: deadline.remainingMs(),
    statementTimeoutMs: deadline.remainingMs(),
    applicationName: 'replica-desk topology',
    ref,
    passwordSource: password.source,
    env: deps.env,
  });
  let abandoned = false;
  opening.then((late) => (abandoned ? late.end().catch(() => undefined) : undefined)).catch(() => undefined);
  return deadline.race(opening, timedOut, () => (abandoned = true));
}

/** Fills `probe` as far as reading gets; throws what stopped it. */
async function readRepository(client: pg.Client, server: Server, probe: DatabaseProbe): Promise<void> {
  const version = await client.query<{ version: string; num: string }>(
    "SELECT current_setting('server_version') AS version, current_setting('server_version_num') AS num",
  );
  probe.serverVersion = version.rows[0]?.version ?? null;
  probe.serverVersionNum = version.rows[0] ? Number(version.rows[0].num) : null;
  try {
    const identity = await readClusterIdentity(client);
    probe.cluster = { systemIdentifier: identity.systemIdentifier, database: identity.database };
  } catch (error) {
    // Without it only the shared-schema check is blind; the repository can still be read.
    if (!(error instanceof ReplicaDeskError)) throw error;
    probe.error = error.toPayload();
  }
  const schema = server.db.schema;
  const tables = await resolveRepositoryTables(client, schema);
  const state = await readReplicaState(client, schema, tables);
  probe.serverType = state.serverType;
  probe.serverTypeRows = state.serverTypeRows;
  probe.replicator = state.replicator;
  if (server.role === 'master') {
    const head = await readChangelogHead(client, schema, tables);
    probe.changelogHead = head && {
      sequenceNo: head.sequenceNo,
      idTag: head.idTag,
      lastNonLocal: head.lastNonLocal,
      newestIsLocal: head.newestIsLocal,
    };
  }
}

/** A tunnelled server's route for one probe: what it is, and how far opening it got. */
export interface ProbeRoute {
  tunnels: ProbeTunnels;
  attempt: RouteAttempt;
}

export async function probeDatabase(server: Server, ref: ServerRef, deps: ProbeDeps, deadline: Deadline, route?: ProbeRoute): Promise<DatabaseProbe> {
  const started = performance.now();
  const probe = emptyDatabaseProbe();
  const { db } = server;
  let client: pg.Client | undefined;
  let forward: LocalForward | undefined;
  try {
    // Opening the tunnel is the server's time, like the TCP connect it stands for.
    if (route) forward = await route.tunnels.open(ref, route.attempt, deadline, () => new ConnectionTimeoutError(db, deadline.ms, 'connect'));
    client = await connect(server, ref, deps, deadline, forward);
    probe.reachable = true;
    probe.encryption = connectionEncryption(client);
    const open = client;
    await deadline.race(
      readRepository(open, server, probe),
      () => new ConnectionTimeoutError(db, deadline.ms, 'query'),
      () => void open.end().catch(() => undefined),
    );
  } catch (error) {
    // Through a tunnel, "connection closed" may really be a dropped hop or a refused forward.
    const onRoute = route && forward && !probe.reachable ? route.tunnels.routeFailure(route.attempt, forward) : null;
    const classified = onRoute ?? (error instanceof ReplicaDeskError ? error : classifyConnectionError(error, db, { ref, timeoutMs: deadline.ms }));
    // What stopped the probe outranks a missing cluster identity noted on the way.
    probe.error = classified.toPayload();
  } finally {
    // Closing is not part of the answer: on a loaded machine the goodbye to the server can take
    // longer than the probe itself, and the picture must not wait for it.
    void client?.end().catch(() => undefined);
  }
  probe.elapsedMs = elapsedSince(started);
  return probe;
}

export async function probeProcess(server: Server, ref: ServerRef, deps: ProbeDeps, deadline: Deadline): Promise<ProcessProbe> {
  const command = server.control?.status;
  if (!command) return { state: 'not-configured', exitCode: null, error: null, elapsedMs: null };
  if (!deps.approvals.isApproved(ref, server, 'status')) {
    return { state: 'not-approved', exitCode: null, error: new CommandNotApprovedError(ref, 'status', command).toPayload(), elapsedMs: null };
  }
  const started = performance.now();
  const hostTimedOut = () =>
    new HostUnreachableError(`the host of ${formatServerRef(ref)}`, `no answer within ${Math.round(deadline.ms / 100) / 10} s`);
  const pool = deps.statusPool ?? statusCommandPool;
  // Waiting for a slot is our own queueing: its time is given back, up to the deadline's cap; a
  // server whose cap passed in the queue is never asked.
  const queueTimeout = AbortSignal.timeout(Math.max(1, deadline.capRemainingMs()));
  try {
    const result = await pool.run(async () => {
      deadline.giveBack(performance.now() - started);
      let host: Host | undefined;
      let abandoned = false;
      try {
        const opening = openHost(server, ref, deps.secretStore, deps.env, { timeoutMs: deadline.remainingMs() });
        // An SSH host given up on here may still connect later; close it when it does.
        opening.then((late) => (abandoned ? late.close() : undefined)).catch(() => undefined);
        host = await deadline.race(opening, hostTimedOut, () => (abandoned = true));
        const open = host;
        // The command is killed at the deadline; the race answers without waiting for its grace time.
        return await deadline.race(
          open.run(command, { timeoutMs: Math.max(1, deadline.remainingMs()) }),
          () => new CommandTimeoutError(open.description, command, deadline.ms),
        );
      } finally {
        await host?.close().catch(() => undefined);
      }
    }, queueTimeout).catch((error: unknown) => {
      throw queueTimeout.aborted && !(error instanceof ReplicaDeskError) ? new StatusCommandQueuedTooLongError(ref, deadline.ms, pool.size) : error;
    });
    return {
      state: result.exitCode === null ? 'unknown' : result.exitCode === 0 ? 'running' : 'stopped',
      exitCode: result.exitCode,
      error: null,
      elapsedMs: elapsedSince(started),
    };
  } catch (error) {
    return { state: 'unknown', exitCode: null, error: toErrorPayload(error), elapsedMs: elapsedSince(started) };
  }
}

/**
 * Probes one server's database and process side by side. Position, lag and the last restore
 * need the other servers and the history; probeTopology fills them in.
 */
export async function probeServer(installation: string, server: Server, deps: ProbeDeps, options: ProbeOptions = {}): Promise<ServerProbe> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TOPOLOGY_TIMEOUT_MS;
  const ref: ServerRef = { installation, server: server.name };
  const started = performance.now();
  const deadline = new Deadline(timeoutMs);
  // A probe of its own (not part of a topology call) owns its tunnels.
  const ownTunnels = !deps.tunnels && server.db.tunnel ? new ProbeTunnels(deps, timeoutMs) : null;
  const tunnels = deps.tunnels ?? ownTunnels;
  try {
    let sshRoute: SshRoute | null = null;
    let routeError: unknown = null;
    const resolving = performance.now();
    try {
      sshRoute = tunnels ? await tunnels.routeOf(server) : null;
    } catch (error) {
      routeError = error;
    }
    // Reading ~/.ssh/config is our own work, not the server's.
    deadline.giveBack(performance.now() - resolving);
    const attempt = sshRoute && tunnels ? new RouteAttempt(sshRoute) : null;
    const [database, process] = await Promise.all([
      routeError ? { ...emptyDatabaseProbe(), error: toErrorPayload(routeError) } : probeDatabase(server, ref, deps, deadline, attempt && tunnels ? { tunnels, attempt } : undefined),
      probeProcess(server, ref, deps, deadline.split()),
    ]);
    const routeBreak = attempt?.routeBreakOrNull;
    return {
      ...probeResult(server, ref, database, process, started),
      ...(sshRoute ? { route: routeViewOf(sshRoute) } : {}),
      ...(routeBreak ? { routeBreak } : {}),
    };
  } finally {
    await ownTunnels?.close();
  }
}

function probeResult(server: Server, ref: ServerRef, database: DatabaseProbe, process: ProcessProbe, started: number): ServerProbe {
  const { db } = server;
  return {
    name: server.name,
    ref: formatServerRef(ref),
    role: server.role,
    connection: { host: db.host, port: db.port, database: db.database, user: db.user, schema: db.schema, sslmode: db.sslmode ?? 'prefer' },
    database,
    process,
    position: null,
    lag: null,
    lastRestore: null,
    elapsedMs: elapsedSince(started),
  };
}
