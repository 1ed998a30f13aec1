// An installation's picture at one moment: every server probed at once, then each replica
// set against the master's changelog head and its own restore history, and the
// inconsistencies flagged. A server that is down is part of the picture, not an error.
// Servers whose database is behind SSH share one set of tunnels for the call (probeTunnel.ts),
// closed when it ends.
import type { Installation, Server } from '../../../shared/profiles';
import { formatServerRef } from '../../../shared/profiles';
import { DEFAULT_TOPOLOGY_TIMEOUT_MS, type ServerProbe, type TopologySnapshot } from '../../../shared/topology';
import { ReplicaDeskError, toErrorPayload } from '../errors';
import { withDeadline } from './deadline';
import { deriveFlags, lastRestoreByReplica, withDerivedFields, type RestoreHistoryEntry } from './deriveTopology';
import { emptyDatabaseProbe, probeServer, type ProbeDeps } from './probeServer';
import { ProbeTunnels } from './probeTunnel';

export interface TopologyDeps extends ProbeDeps {
  /** The installation's restore runs (e.g. RunStore.list); any order. */
  history?: (installation: string) => readonly RestoreHistoryEntry[];
  /** Stands in for probeServer in tests of the assembly. */
  probe?: typeof probeServer;
}

export interface ProbeTopologyOptions {
  /** Bounds each server's probe, all its phases together. Default 5 s. */
  timeoutMs?: number;
}

/**
 * Each probe keeps its own deadline (one for all its phases); this one is only the net under
 * it, for a library that ignores it.
 */
const overallDeadlineMs = (timeoutMs: number): number => timeoutMs + 2_000;

/** The master first, then the replicas in profile order. */
export function probeOrder(installation: Installation): Server[] {
  return [...installation.servers.filter((s) => s.role === 'master'), ...installation.servers.filter((s) => s.role !== 'master')];
}

/** What a probe that never came back (or threw, which is a bug) shows. */
function failedProbe(installation: string, server: Server, error: unknown): ServerProbe {
  const { db } = server;
  return {
    name: server.name,
    ref: formatServerRef({ installation, server: server.name }),
    role: server.role,
    connection: { host: db.host, port: db.port, database: db.database, user: db.user, schema: db.schema, sslmode: db.sslmode ?? 'prefer' },
    database: { ...emptyDatabaseProbe(), error: toErrorPayload(error) },
    process: { state: 'unknown', exitCode: null, error: null, elapsedMs: null },
    position: null,
    lag: null,
    lastRestore: null,
    elapsedMs: 0,
  };
}

export class ProbeOverdueError extends ReplicaDeskError {
  constructor(ms: number) {
    super(
      'probe-overdue',
      `The probe did not finish within ${Math.round(ms / 1000)} s, although each of its steps has a shorter deadline.`,
      'The server or its host hangs in a way Replica Desk cannot interrupt. Test the connection with `replica-desk connection test INSTALLATION/SERVER`; the Replica Desk log has details.',
    );
  }
}

export async function probeTopology(
  installation: Installation,
  deps: TopologyDeps,
  options: ProbeTopologyOptions = {},
): Promise<TopologySnapshot> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TOPOLOGY_TIMEOUT_MS;
  const probe = deps.probe ?? probeServer;
  const probedAt = new Date();
  const started = performance.now();
  const servers = probeOrder(installation);
  // One pool for the call: servers behind the same hops share each hop's connection.
  const tunnels = deps.tunnels ?? ProbeTunnels.for(servers, deps, timeoutMs);
  const probeDeps = tunnels ? { ...deps, tunnels } : deps;
  let settled: PromiseSettledResult<ServerProbe>[];
  try {
    settled = await Promise.allSettled(
      servers.map((server) =>
        withDeadline(probe(installation.name, server, probeDeps, { timeoutMs }), overallDeadlineMs(timeoutMs), () => new ProbeOverdueError(overallDeadlineMs(timeoutMs))),
      ),
    );
  } finally {
    if (tunnels !== deps.tunnels) await tunnels?.close();
  }
  const probes = settled.map((result, i) => {
    if (result.status === 'fulfilled') return result.value;
    deps.log?.error(`topology ${installation.name}/${servers[i]!.name}: probe failed`, { error: String(result.reason) });
    return failedProbe(installation.name, servers[i]!, result.reason);
  });

  let history: readonly RestoreHistoryEntry[] = [];
  try {
    history = deps.history?.(installation.name) ?? [];
  } catch (error) {
    // The live picture matters more than the history column; say why it is empty.
    deps.log?.warn(`topology ${installation.name}: restore history unavailable`, { error: String(error) });
  }
  const derived = withDerivedFields(probes, lastRestoreByReplica(history));
  const snapshot: TopologySnapshot = {
    installation: installation.name,
    probedAt: probedAt.toISOString(),
    timeoutMs,
    elapsedMs: Math.round(performance.now() - started),
    servers: derived,
    flags: deriveFlags(derived),
  };
  deps.log?.info(`topology ${installation.name} probed`, {
    elapsedMs: snapshot.elapsedMs,
    reachable: derived.filter((s) => s.database.reachable).length,
    servers: derived.length,
    flags: snapshot.flags.map((f) => f.code),
  });
  return snapshot;
}
