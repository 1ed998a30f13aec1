// What the sandbox's clusters and stand-in servers are doing now, for `sandbox status`: each
// cluster running or not (pg_ctl status on its data directory), each stand-in's status
// command, and the problems a `sandbox up` would repair or a `sandbox down` remove.
import { existsSync } from 'node:fs';
import type { SandboxCluster, SandboxServer, SandboxStatus } from '../../../shared/sandbox';
import { portInUse } from './postgresServer';
import { clusterState, clusterVersion } from './sandboxCluster';
import type { SandboxManifest } from './sandboxManifest';
import { runControlCommand } from './standInServer';

export async function inspectSandbox(m: SandboxManifest): Promise<Pick<SandboxStatus, 'clusters' | 'servers' | 'problems'>> {
  const problems: string[] = [];
  const programs = existsSync(m.pg.binDir);
  if (!programs) problems.push(`The PostgreSQL server programs the sandbox was built with (${m.pg.binDir}) are gone.`);
  const clusters: SandboxCluster[] = await Promise.all(
    m.clusters.map(async (c) => {
      const state = programs ? await clusterState(m.pg.binDir, c) : existsSync(c.dataDir) ? 'stopped' : 'missing';
      if (state === 'missing') problems.push(`Cluster ${c.name}: its data directory ${c.dataDir} is gone.`);
      else if (state === 'stopped') {
        problems.push(
          (await portInUse(c.port))
            ? `Cluster ${c.name} is stopped, and its port ${c.port} is taken by another process (it will move to a free port).`
            : `Cluster ${c.name} (port ${c.port}) is stopped.`,
        );
      }
      return { name: c.name, port: c.port, dataDir: c.dataDir, running: state === 'running', version: clusterVersion(c) };
    }),
  );
  const servers: SandboxServer[] = await Promise.all(
    m.servers.map(async (s) => {
      const running = (await runControlCommand(s.control.status)).code === 0;
      if (!running) problems.push(`The stand-in server ${s.name} is not running.`);
      return {
        name: s.name,
        role: s.role,
        layout: s.layout,
        database: s.database,
        schema: s.schema,
        cluster: s.cluster,
        running,
        builtStale: s.builtStale,
      };
    }),
  );
  return { clusters, servers, problems };
}
