// Human-readable restore output: the plan with preflight findings, live progress lines,
// and a run's story. All of it goes to stderr except the final summary.
import type { RunRecord } from '../main/core/history/runRecord';
import type { RestoreEvent } from '../shared/restoreEvents';
import { kindOf, modeOf, type PreflightFinding, type RestorePlan } from '../shared/restorePlan';
import { dumpDeletedBy, type KeptSchemaRecord } from '../shared/runRecord';
import { formatByteSize } from '../shared/byteSize';
import { describeEncryption } from '../shared/connectionEncryption';
import { formatRoute } from '../shared/sshRoutes';

export function formatPreflight(preflight: { findings: PreflightFinding[] }): string {
  const lines = ['Preflight'];
  for (const f of preflight.findings) {
    const mark = f.ok ? (f.severity === 'warning' ? '!' : '✓') : f.severity === 'error' ? '✗' : '!';
    lines.push(`  ${mark} ${f.server ? `${f.server}: ` : ''}${f.message}`);
    if (!f.ok && f.hint) lines.push(`      hint: ${f.hint}`);
  }
  return lines.join('\n');
}

export function formatPlan(plan: RestorePlan): string {
  const master = plan.installation.servers.find((s) => s.name === plan.master)!;
  const lines = [
    kindOf(plan) === 'rollback'
      ? `Rollback plan for ${plan.installation.name}: ${plan.replicas.join(', ')} back to the schemas they had before run ${plan.rollbackOf}`
      : `Restore plan for ${plan.installation.name}: ${plan.replicas.join(', ')} from ${plan.backup.mode === 'existing' ? `the backup ${plan.backup.file}` : `one new backup of ${plan.master} (schema ${master.db.schema})`}`,
    '',
    `Mode: ${kindOf(plan) === 'rollback' ? 'rollback' : modeOf(plan)}`,
    ...(plan.modeReason ? [`  ${plan.modeReason}`] : []),
    '',
    ...formatRoutes(plan),
    'Steps',
  ];
  for (const s of plan.steps) {
    const flags = [s.destructive ? 'DESTRUCTIVE' : '', s.manual ? 'manual' : ''].filter(Boolean).join(', ');
    lines.push(`  ${String(s.seq).padStart(2)}. ${s.title}${flags ? `  [${flags}]` : ''}`);
    for (const a of s.actions) lines.push(`        ${a.kind.padEnd(7)} ${a.where}: ${a.text}`);
  }
  return lines.join('\n');
}

/** The SSH routes of tunnelled databases, each through the run's own local forward. */
function formatRoutes(plan: RestorePlan): string[] {
  const routes = Object.entries(plan.routes ?? {});
  if (routes.length === 0) return [];
  return ['Database routes (SSH tunnels, opened by the run and closed at its end)', ...routes.map(([server, route]) => `  ${server}: via ${formatRoute(route)}, local forward 127.0.0.1:<ephemeral>`), ''];
}

/** A printer for live events; progress lines at most once a second. */
export function eventPrinter(write: (text: string) => void, total: number): (e: RestoreEvent) => void {
  let lastProgress = 0;
  const started = new Map<number, number>();
  return (e) => {
    if (e.type === 'step') {
      const head = `[${String(e.seq).padStart(2)}/${total}]`;
      if (e.status === 'running') {
        started.set(e.seq, Date.now());
        write(`${head} ${e.title} …\n`);
      } else if (e.status !== 'pending') {
        const took = started.has(e.seq) ? ` (${((Date.now() - started.get(e.seq)!) / 1000).toFixed(1)} s)` : '';
        write(`${head} ${e.status}${took}: ${e.message ?? e.title}\n`);
      }
    } else if (e.type === 'progress') {
      if (Date.now() - lastProgress < 1000) return;
      lastProgress = Date.now();
      const tables = e.tablesTotal ? `${e.tablesDone}/${e.tablesTotal} tables` : `${e.tablesDone} tables`;
      write(`        ${e.replica ? `${e.replica} ` : ''}${e.phase}: ${tables}, ${formatByteSize(e.bytes)}${e.bytesTotal ? ` of ${formatByteSize(e.bytesTotal)}` : ''}\n`);
    } else if (e.type === 'log' && e.level !== 'info') {
      write(`        ${e.level}: ${e.message}\n`);
    }
  };
}

/** A kept schema in words: `previous schema kept as S (12 MB)`, `… discarded 2026-…`. */
export function describeKept(kept: KeptSchemaRecord): string {
  const what = kept.kind === 'prev' ? 'previous schema' : 'restored schema (set aside by the rollback)';
  const size = kept.bytes === null ? '' : ` (${formatByteSize(kept.bytes)})`;
  if (kept.state === 'discarded') return `${what} ${kept.schema} discarded ${kept.at}${size}`;
  if (kept.state === 'rolled-back') return `${what} ${kept.schema} is the replica's schema again`;
  return `${what} kept as ${kept.schema}${size}`;
}

/** The run's installation, marked `[sandbox]` for a sandbox run so it is never taken for production. */
export const runInstallationLabel = (run: Pick<RunRecord, 'installation' | 'sandbox'>): string => `${run.installation}${run.sandbox ? ' [sandbox]' : ''}`;

export function formatRunSummary(run: RunRecord): string {
  const kind = run.kind === 'rollback' ? `rollback of run ${run.rollbackOf}` : run.mode;
  const lines = [`Run ${run.runId} (${runInstallationLabel(run)}, ${kind}): ${run.status.toUpperCase()}${run.interrupted ? ' (interrupted)' : ''}`];
  if (run.message) lines.push(`  ${run.message.split('\n').join('\n  ')}`);
  if (run.changelog) lines.push(`  changelog head: sequenceno ${run.changelog.sequenceNo}, idtag ${run.changelog.idTag}`);
  if (run.dump) lines.push(`  dump: ${run.dump.file} ${run.dump.state === 'present' ? `(${run.dump.bytes} bytes)` : run.dump.state === 'deleted' ? `— dump deleted (${dumpDeletedBy(run.dump.deleted!.reason)}, ${run.dump.deleted!.at})` : '— missing from the disk'}`);
  for (const r of run.replicas) {
    const facts = [
      r.downtimeMs === null ? null : `downtime ${(r.downtimeMs / 1000).toFixed(1)} s`,
      r.kept ? describeKept(r.kept) : r.keptSchema ? `previous schema kept as ${r.keptSchema}` : null,
      r.rolledBack ? `rolled back by run ${r.rolledBack.byRun} at ${r.rolledBack.at}` : null,
    ].filter(Boolean);
    lines.push(`  ${r.replica}: ${r.status}${facts.length ? ` (${facts.join('; ')})` : ''}${r.message ? ` — ${r.message}` : ''}`);
  }
  for (const [server, e] of Object.entries(run.connections ?? {})) lines.push(`  database connection to ${server}: ${describeEncryption(e)}`);
  for (const c of run.compensation) lines.push(`  compensation: ${c.message} (${c.outcome})`);
  if (run.resumable) lines.push(`  resume with: replica-desk runs resume ${run.runId}`);
  return `${lines.join('\n')}\n`;
}

export function formatRunStory(run: RunRecord): string {
  const lines = [formatRunSummary(run).trimEnd(), '', 'Steps'];
  for (const s of run.steps) {
    const when = s.startedAt ? ` ${s.startedAt}${s.finishedAt ? ` → ${s.finishedAt}` : ''}` : '';
    lines.push(`  ${String(s.seq).padStart(2)}. [${s.status}] ${s.title}${when}`);
    if (s.message) lines.push(`        ${s.message}`);
  }
  if (run.log && run.log.length > 0) {
    lines.push('', 'Log');
    for (const l of run.log) lines.push(`  ${l.at} ${l.level.toUpperCase().padEnd(5)} ${l.message}`);
  }
  return `${lines.join('\n')}\n`;
}
