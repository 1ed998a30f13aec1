// Topology for the CLI and the app: probe one installation or all of them, keep each
// result in the cache, and hand back the cached picture when nothing can be probed.
import type { Installation } from '../../../shared/profiles';
import { DEFAULT_TOPOLOGY_TIMEOUT_MS, type TopologySnapshot } from '../../../shared/topology';
import type { RunStore } from '../history/runStore';
import type { Logger } from '../logging/logger';
import type { CommandApprovalCheck } from '../profiles/commandApprovals';
import type { ProfileService } from '../profiles/profileService';
import type { EndpointBoundSecretStore } from '../secrets/endpointBoundSecretStore';
import { probeTopology, type ProbeTopologyOptions } from './probeTopology';
import { ProbeTunnels } from './probeTunnel';
import type { TopologyCache } from './topologyCache';

/** How many of an installation's newest runs are searched for each replica's last restore. */
const HISTORY_DEPTH = 200;

export class TopologyService {
  constructor(
    private readonly profiles: ProfileService,
    private readonly cache: TopologyCache,
    private readonly runs: Pick<RunStore, 'list'>,
    private readonly secretStore: EndpointBoundSecretStore,
    private readonly env: NodeJS.ProcessEnv,
    private readonly log: Logger,
    private readonly approvals: CommandApprovalCheck,
  ) {}

  /**
   * Probes the named installation (NotFoundError if there is none) or every installation,
   * all at once, and stores each snapshot in the cache. Down servers are in the snapshot.
   */
  async probe(installation?: string, options: ProbeTopologyOptions = {}): Promise<TopologySnapshot[]> {
    const targets = this.targets(installation);
    const timeoutMs = options.timeoutMs ?? DEFAULT_TOPOLOGY_TIMEOUT_MS;
    const deps = {
      secretStore: this.secretStore,
      env: this.env,
      log: this.log,
      approvals: this.approvals,
      history: (name: string) => this.runs.list({ installation: name, limit: HISTORY_DEPTH }),
    };
    // One set of SSH tunnels for the whole call: installations behind the same bastion share its connection.
    const tunnels = ProbeTunnels.for(
      targets.flatMap((i) => i.servers),
      deps,
      timeoutMs,
    );
    let snapshots: TopologySnapshot[];
    try {
      snapshots = await Promise.all(targets.map((i) => probeTopology(i, tunnels ? { ...deps, tunnels } : deps, { timeoutMs })));
    } finally {
      await tunnels?.close();
    }
    for (const snapshot of snapshots) this.cache.put(snapshot);
    return snapshots;
  }

  /**
   * The last snapshot of the named installation (NotFoundError if there is none; [] if it
   * was never probed), or of every installation that has one, in profile order.
   */
  cached(installation?: string): TopologySnapshot[] {
    return this.targets(installation).flatMap((i) => {
      const snapshot = this.cache.get(i.name);
      return snapshot ? [snapshot] : [];
    });
  }

  private targets(installation?: string): Installation[] {
    return installation === undefined ? this.profiles.list() : [this.profiles.get(installation)];
  }
}
