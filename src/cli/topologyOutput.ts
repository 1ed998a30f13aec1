// The human form of a topology snapshot: a tree per installation, the master at the root
// and its replicas below it, each with what the probe found and the flags that concern it.
import type { ServerProbe, TopologyFlag, TopologySnapshot } from '../shared/topology';
import { describeEncryption } from '../shared/connectionEncryption';
import { formatRoute, formatRouteBreak } from '../shared/sshRoutes';

const seconds = (ms: number): string => `${Math.round(ms / 100) / 10} s`;

function describeDatabase(s: ServerProbe): string {
  const d = s.database;
  if (!d.reachable) return `UNREACHABLE (${d.error?.code ?? 'unknown'})`;
  const parts = ['reachable'];
  if (d.serverVersion) parts.push(`PostgreSQL ${d.serverVersion}`);
  if (d.encryption) parts.push(describeEncryption(d.encryption));
  if (d.replicator) {
    const rows = d.serverTypeRows;
    parts.push(rows.length === 0 ? 'no repository_server_type' : `repository_server_type ${rows.map((r) => `'${r}'`).join(', ')}`);
  }
  if (d.error) parts.push(`${d.replicator ? '' : 'repository not read: '}${d.error.code}`);
  return parts.join(', ');
}

function describeProcess(s: ServerProbe): string {
  const p = s.process;
  switch (p.state) {
    case 'not-configured':
      return 'not checked (no control.status in the profile)';
    case 'not-approved':
      return `command not approved (control.status was not run; review it with \`replica-desk profiles approve ${s.ref}\`)`;
    case 'running':
      return 'running (control.status exited 0)';
    case 'stopped':
      return `STOPPED (control.status exited ${p.exitCode})`;
    case 'unknown':
      return `unknown${p.error ? ` (${p.error.code}): ${p.error.message}` : ' (control.status was killed)'}`;
  }
}

function describePosition(s: ServerProbe, snapshot: TopologySnapshot): string {
  const replicator = s.database.replicator;
  if (!replicator) return 'unknown (not read)';
  if (s.position === null) {
    const remote = replicator.remote;
    return remote.length === 0 ? 'none (no replicator_remote row)' : `ambiguous (replicator_remote ${remote.map((v) => `'${v}'`).join(', ')})`;
  }
  const head = snapshot.servers.find((m) => m.role === 'master')?.database.changelogHead;
  if (s.lag === null) return `${s.position}, lag unknown (${head === undefined || head === null ? "the master's changelog head is unknown" : 'not comparable'})`;
  const lag = BigInt(s.lag);
  const tag = replicator.tag.length === 1 ? `, idtag ${replicator.tag[0]}` : '';
  if (lag < 0n) return `${s.position}${tag}, AHEAD of the master by ${(-lag).toString()}`;
  return `${s.position}${tag}, lag ${s.lag}${lag === 0n ? ' (up to date)' : ''}`;
}

function describeLastRestore(s: ServerProbe): string {
  const r = s.lastRestore;
  if (!r) return 'none recorded';
  const when = (a: { finishedAt: string | null; startedAt: string }) => (a.finishedAt ? `finished ${a.finishedAt}` : `started ${a.startedAt}`);
  const back = r.rollback ? `; rollback since: ${r.rollback.status}, ${when(r.rollback)} (run ${r.rollback.runId}${r.rollback.rollbackOf ? `, rollback of ${r.rollback.rollbackOf}` : ''})` : '';
  return `${r.status}, ${when(r)} (run ${r.runId})${back}`;
}

function flagLines(flags: TopologyFlag[], indent: string): string[] {
  return flags.flatMap((f) => [`${indent}${f.severity === 'error' ? '✗' : '!'} ${f.code}: ${f.message}`, `${indent}  hint: ${f.hint}`]);
}

function serverLines(s: ServerProbe, snapshot: TopologySnapshot, indent: string): string[] {
  const field = (label: string, text: string) => `${indent}${label.padEnd(13)}${text}`;
  const d = s.database;
  const lines = [field('database', describeDatabase(s))];
  if (s.route) lines.push(field('route', `via ${formatRoute(s.route)}`));
  // The message and hint are the `unreachable` flag's, printed below.
  if (s.route && s.routeBreak) lines.push(field('', `✗ broke at ${formatRouteBreak(s.route, s.routeBreak)}`));
  if (s.role === 'master') {
    const head = d.changelogHead;
    if (head) {
      const nonLocal = head.newestIsLocal ? `; newest non-local ${head.lastNonLocal?.sequenceNo ?? 'none'}` : '';
      lines.push(field('changelog', `head ${head.sequenceNo}, idtag ${head.idTag}${nonLocal}`));
    } else if (d.replicator) lines.push(field('changelog', 'empty'));
  } else {
    lines.push(field('position', describePosition(s, snapshot)));
  }
  lines.push(field('process', describeProcess(s)));
  if (s.role === 'replica') lines.push(field('last restore', describeLastRestore(s)));
  const own = snapshot.flags.filter((f) => f.servers.length === 1 && f.servers[0] === s.name);
  const shared = snapshot.flags
    .filter((f) => f.servers.length > 1 && f.servers.includes(s.name))
    .map((f) => `${indent}${f.severity === 'error' ? '✗' : '!'} ${f.code} with ${f.servers.filter((n) => n !== s.name).join(', ')} (see below)`);
  return [...lines, ...flagLines(own, indent), ...shared];
}

const heading = (s: ServerProbe): string =>
  `${s.name} [${s.role}]  ${s.connection.host}:${s.connection.port}/${s.connection.database}, schema ${s.connection.schema}`;

export function formatTopology(snapshot: TopologySnapshot): string {
  const lines = [`${snapshot.installation} — probed ${snapshot.probedAt} in ${seconds(snapshot.elapsedMs)} (timeout ${seconds(snapshot.timeoutMs)} per step)`];
  const master = snapshot.servers.find((s) => s.role === 'master');
  const replicas = snapshot.servers.filter((s) => s.role === 'replica');
  if (master) {
    lines.push(`└─ ${heading(master)}`, ...serverLines(master, snapshot, '   '));
  }
  const base = master ? '   ' : '';
  replicas.forEach((r, i) => {
    const last = i === replicas.length - 1;
    lines.push(`${base}${last ? '└─' : '├─'} ${heading(r)}`, ...serverLines(r, snapshot, `${base}${last ? '   ' : '│  '}`));
  });
  if (replicas.length === 0) lines.push(`${base}(no replicas)`);
  const shared = snapshot.flags.filter((f) => f.servers.length !== 1);
  if (shared.length > 0) lines.push(...flagLines(shared, ''));
  const errors = snapshot.flags.filter((f) => f.severity === 'error').length;
  const warnings = snapshot.flags.length - errors;
  const reachable = snapshot.servers.filter((s) => s.database.reachable).length;
  lines.push(
    `${reachable} of ${snapshot.servers.length} databases reachable; ` +
      (snapshot.flags.length === 0 ? 'no inconsistencies.' : `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}.`),
  );
  return `${lines.join('\n')}\n`;
}
