// A prepared restore as Markdown, for a change ticket before anything runs: what is
// restored from where, what the preflight found, and every step with the exact SQL and
// commands (already masked by the core). Pure, so what the admin exports is what was shown.
import { formatServerRef } from '../../../shared/profiles';
import { modeOf, type PlannedAction, type PlannedStep, type PreflightFinding, type RestorePlan } from '../../../shared/restorePlan';
import { formatRoute } from '../../../shared/sshRoutes';
import { actionRuns } from './actionRuns';
import { MODE_LABEL } from './stepPhases';

export interface PlanMarkdownInput {
  plan: RestorePlan;
  preflight: { ok: boolean; findings: PreflightFinding[] };
  preparedAt: Date;
}

const FENCE_LANGUAGE: Record<PlannedAction['kind'], string> = { sql: 'sql', command: 'sh', tool: 'sh', copy: 'text', confirm: 'text' };
const ACTION_LABEL: Record<PlannedAction['kind'], string> = { sql: 'SQL', command: 'Command', tool: 'Tool', copy: 'Copy', confirm: 'Manual' };

/** A code fence longer than any run of backticks inside the text, so no text can close it. */
function fenced(text: string, language: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${language}\n${text}\n${fence}`;
}

const cell = (text: string): string => text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const inline = (text: string): string => (text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``);

function stepFlags(step: PlannedStep): string {
  const flags = [step.destructive ? '**destructive**' : '', step.manual ? '**manual**' : ''].filter(Boolean);
  return flags.length ? ` — ${flags.join(', ')}` : '';
}

function stepSection(plan: RestorePlan, step: PlannedStep): string {
  const server = formatServerRef({ installation: plan.installation.name, server: step.replica ?? plan.master });
  const on = step.replica ? inline(server) : `${inline(server)} (master)`;
  const lines = [`### ${step.seq}. ${step.title}${stepFlags(step)}`, '', `Server: ${on} · step ${inline(step.id)}`, ''];
  for (const run of actionRuns(step.actions)) {
    lines.push(`**${ACTION_LABEL[run.kind]}** on ${inline(run.where)}:`, '', fenced(run.texts.join('\n'), FENCE_LANGUAGE[run.kind]), '');
  }
  return lines.join('\n');
}

function findingsTable(findings: PreflightFinding[]): string {
  if (findings.length === 0) return 'No findings.';
  const rows = findings.map((f) => {
    const result = f.ok ? 'ok' : f.severity;
    const finding = f.hint && !f.ok ? `${f.message} — ${f.hint}` : f.message;
    return `| ${result} | ${cell(f.check)} | ${cell(f.server ?? '—')} | ${cell(finding)} |`;
  });
  return ['| Result | Check | Server | Finding |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

export function planMarkdown({ plan, preflight, preparedAt }: PlanMarkdownInput): string {
  const name = plan.installation.name;
  const replicas = plan.replicas.map((r) => inline(formatServerRef({ installation: name, server: r }))).join(', ');
  const backup = plan.backup.mode === 'dump' ? `a new pg_dump of the master, written under ${inline(plan.backup.dir)}` : `the existing backup ${inline(plan.backup.file)}`;
  const destructive = plan.steps.filter((s) => s.destructive).length;
  const manual = plan.steps.filter((s) => s.manual).length;
  const errors = preflight.findings.filter((f) => !f.ok && f.severity === 'error').length;
  return [
    `# Restore plan for ${name}`,
    '',
    `- Installation: ${inline(name)}${plan.installation.description ? ` (${plan.installation.description})` : ''}`,
    `- Master Live Server: ${inline(formatServerRef({ installation: name, server: plan.master }))}`,
    `- Replication Live Servers to restore: ${replicas}`,
    `- Source: ${backup}`,
    `- Mode: ${MODE_LABEL[modeOf(plan)]}${plan.modeReason ? `. ${plan.modeReason}` : ''}`,
    `- Steps: ${plan.steps.length} (${destructive} destructive, ${manual} manual)`,
    `- Prepared: ${preparedAt.toISOString()} with Replica Desk; secrets are masked`,
    ...Object.entries(plan.routes ?? {}).map(([ref, route]) => `- Database of ${inline(ref)} through SSH: ${inline(formatRoute(route))}`),
    '',
    `## Preflight: ${preflight.ok ? 'passed' : `${errors} blocking problem${errors === 1 ? '' : 's'}`}`,
    '',
    findingsTable(preflight.findings),
    '',
    '## Steps',
    '',
    ...plan.steps.map((step) => stepSection(plan, step)),
  ].join('\n');
}

/** e.g. `restore-plan-prod-eu-2026-11-23T10-15-00Z.md`. */
export function planFileName(plan: RestorePlan, preparedAt: Date): string {
  const stamp = preparedAt.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  return `restore-plan-${plan.installation.name.replace(/[^A-Za-z0-9._-]+/g, '_')}-${stamp}.md`;
}
