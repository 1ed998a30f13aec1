// A run as a report for a change ticket: Markdown for people, JSON for tools.
import type { RunReport } from '../../../shared/api';
import type { RunRecord } from '../../../shared/runRecord';
import { describeEncryption } from '../../../shared/connectionEncryption';

export function formatRunReport(run: RunRecord, format: 'markdown' | 'json'): RunReport {
  if (format === 'json') {
    return { fileName: `replica-desk-run-${run.runId}.json`, mimeType: 'application/json', text: `${JSON.stringify(run, null, 2)}\n` };
  }
  const lines = [
    `# Replica Desk restore ${run.runId}`,
    '',
    `- Installation: ${run.installation}`,
    `- Status: **${run.status}**${run.interrupted ? ' (interrupted)' : ''}`,
    `- Started: ${run.createdAt}`,
    `- Finished: ${run.finishedAt ?? '—'}`,
    ...(run.changelog ? [`- Changelog head: sequenceno \`${run.changelog.sequenceNo}\`, idtag \`${run.changelog.idTag}\``] : []),
    ...(run.message ? ['', `> ${run.message.split('\n').join('\n> ')}`] : []),
    '',
    '## Replicas',
    '',
    '| Replica | Status | Message |',
    '| --- | --- | --- |',
    ...run.replicas.map((r) => `| ${r.replica} | ${r.status} | ${cell(r.message ?? '')} |`),
    '',
    '## Steps',
    '',
    '| # | Step | Status | Started | Finished | Message |',
    '| --- | --- | --- | --- | --- | --- |',
    ...run.steps.map((s) => `| ${s.seq} | ${cell(s.title)} | ${s.status} | ${s.startedAt ?? ''} | ${s.finishedAt ?? ''} | ${cell(s.message ?? '')} |`),
  ];
  const connections = Object.entries(run.connections ?? {});
  if (connections.length > 0) {
    lines.push('', '## Database connections', '', ...connections.map(([server, e]) => `- ${server}: ${describeEncryption(e)}`));
  }
  if (run.compensation.length > 0) {
    lines.push('', '## Compensation', '', ...run.compensation.map((c) => `- ${c.at}: ${c.message} (${c.outcome})`));
  }
  if (run.log && run.log.length > 0) {
    lines.push('', '## Log', '', '```', ...run.log.map((l) => `${l.at} ${l.level.toUpperCase()} ${l.message}`), '```');
  }
  return { fileName: `replica-desk-run-${run.runId}.md`, mimeType: 'text/markdown', text: `${lines.join('\n')}\n` };
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
