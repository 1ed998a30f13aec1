// How `replica-desk sandbox up|status|down` speak to a person: progress lines on stderr
// ("[3/8] master: generating the content-server database… 20/50 MB"), the sandbox's state
// and what `down` removed on stdout.
import type { SandboxDownReport, SandboxProgress, SandboxStatus } from '../shared/sandbox';
import { table } from './output';

/** One progress line per event; MB counts of one phase at most once a second (and the last). */
export function sandboxProgressPrinter(write: (text: string) => void, now: () => number = Date.now): (p: SandboxProgress) => void {
  let last = '';
  let lastPhase = '';
  let lastMbAt = 0;
  return (p) => {
    // A message that states its MB count already is not given a second one.
    const mb = p.doneMb !== undefined && !/\bMB\b/.test(p.message) ? ` ${Math.floor(p.doneMb)}${p.totalMb !== undefined ? `/${Math.round(p.totalMb)}` : ''} MB` : '';
    const line = `[${p.index}/${p.count}] ${p.phase}: ${p.message}${mb}${p.reused ? ' (reused)' : ''}`;
    if (line === last) return;
    const finished = p.doneMb === undefined || p.totalMb === undefined || p.doneMb >= p.totalMb;
    if (mb && !finished && p.phase === lastPhase && now() - lastMbAt < 1000) return;
    if (mb) lastMbAt = now();
    last = line;
    lastPhase = p.phase;
    write(`${line}\n`);
  };
}

const yesNo = (running: boolean, yes: string, no: string) => (running ? yes : no);

export function formatSandboxStatus(status: SandboxStatus): string {
  if (!status.exists) return 'No sandbox here. Build one with `replica-desk sandbox up`.\n';
  const lines = [`Sandbox "${status.installation}" in ${status.dir}${status.sizeMb !== null ? ` (${status.sizeMb} MB master` : ' ('}${status.createdAt ? `, created ${status.createdAt})` : ')'}`];
  if (status.busy) lines.push(`  a sandbox ${status.busy.action} is at work now (pid ${status.busy.pid}, started ${status.busy.startedAt})`);
  if (status.clusters.length > 0) {
    lines.push('Clusters');
    lines.push(table(status.clusters.map((c) => [c.name, `port ${c.port}`, yesNo(c.running, 'running', 'stopped'), c.version !== null ? `PostgreSQL ${c.version}` : '', c.dataDir]), '  '));
  }
  if (status.servers.length > 0) {
    lines.push('Servers');
    lines.push(
      table(
        status.servers.map((s) => [s.name, s.role, s.layout, `cluster ${s.cluster}`, `${s.database}.${s.schema}`, yesNo(s.running, 'running', 'stopped'), s.builtStale ? 'built stale (lagging)' : '']),
        '  ',
      ),
    );
  }
  if (status.keychain) {
    const stored = status.keychain.filter((k) => k.stored).length;
    lines.push(`Keychain: ${stored} of ${status.keychain.length} password(s) stored`);
  }
  if (status.profileImported !== undefined) lines.push(`Profile: ${status.profileImported ? `installation "${status.installation}" imported, its control commands approved` : 'not imported'}`);
  if (status.problems.length > 0) {
    lines.push('Problems (`replica-desk sandbox up` repairs them; `sandbox down` removes everything):');
    for (const p of status.problems) lines.push(`  - ${p}`);
  }
  return `${lines.join('\n')}\n`;
}

/** After `up`: the state, and what to do with the sandbox next. */
export function formatSandboxReady(status: SandboxStatus): string {
  const name = status.installation;
  return `${formatSandboxStatus(status)}
Next:
  replica-desk topology ${name}              the lagging replica is flagged
  replica-desk restore ${name} --yes         restore every replica from one master backup
  npm start                                  the same in the app
  replica-desk sandbox down                  remove everything the sandbox made
`;
}

export function formatSandboxDown(report: SandboxDownReport): string {
  const lines = report.existed ? ['Sandbox removed:', ...report.removed.map((r) => `  ${r}`)] : ['No sandbox to remove.'];
  if (report.keptRuns > 0) lines.push(`${report.keptRuns} sandbox run(s) stay in the history, marked [sandbox] (\`replica-desk runs list\`).`);
  return `${lines.join('\n')}\n`;
}
