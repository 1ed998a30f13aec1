import { readFile, writeFile, rename } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { ReplicaDeskError } from '../../main/core/errors';
import type { ControlCommand } from '../../shared/commandApprovals';
import { formatServerRef, type Installation, type Server } from '../../shared/profiles';
import { approvalSummary, formatCommands } from '../commandApprovalOutput';
import { requireArgs, UsageError, type Command } from '../context';
import { EXIT_OK, printJson, table } from '../output';

export const importProfiles: Command = async (ctx) => {
  const [file] = requireArgs(ctx, 1, 'FILE: profiles import FILE [--replace] [--approve-commands]');
  let text: string;
  try {
    text = await readFile(file!, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const summary = await ctx.core().profiles.importText(text, { replace: ctx.options.replace === true, approveCommands: ctx.options['approve-commands'] === true });
  if (ctx.out.json) printJson(ctx.out, { ok: true, ...summary });
  else {
    const parts = [
      summary.created.length ? `created ${summary.created.join(', ')}` : '',
      summary.replaced.length ? `replaced ${summary.replaced.join(', ')}` : '',
    ].filter(Boolean);
    ctx.out.stdout(`Imported ${summary.created.length + summary.replaced.length} installation(s)${parts.length ? `: ${parts.join('; ')}` : ''}.\n`);
    const approved = summary.commands.filter((c) => c.approved);
    const awaiting = summary.commands.filter((c) => !c.approved);
    if (approved.length > 0) ctx.out.stdout(`Control commands approved by --approve-commands:\n${formatCommands(approved)}\n`);
    if (awaiting.length > 0) {
      const installations = [...new Set(awaiting.map((c) => c.ref.split('/')[0]!))];
      ctx.out.stdout(
        `Control commands awaiting approval (they will not run until approved: ${installations.map((i) => `replica-desk profiles approve ${i}`).join(', ')}):\n${formatCommands(awaiting)}\n`,
      );
    }
  }
  return EXIT_OK;
};

export const exportProfiles: Command = async (ctx) => {
  if (ctx.args.length > 1) throw new UsageError('expected at most one FILE: profiles export [FILE]');
  const text = `${JSON.stringify(ctx.core().profiles.exportFile(), null, 2)}\n`;
  const file = ctx.args[0];
  if (!file || file === '-') {
    ctx.out.stdout(text);
    return EXIT_OK;
  }
  // Write beside the target and rename, so an interrupted export never leaves half a file.
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    await writeFile(temp, text, { mode: 0o600 });
    await rename(temp, file);
  } catch (e) {
    throw new ReplicaDeskError('export-failed', `Cannot write ${file}: ${(e as Error).message}`, 'Check that the directory exists, is writable and that the disk is not full.');
  }
  ctx.out.stderr(`Exported profiles to ${file}.\n`);
  if (ctx.out.json) printJson(ctx.out, { ok: true, file });
  return EXIT_OK;
};

export const listProfiles: Command = async (ctx) => {
  requireArgs(ctx, 0, 'no arguments: profiles list [--json]');
  const core = ctx.core();
  const installations = core.profiles.list();
  const commands = installations.flatMap((i) => core.commands.list({ installation: i.name }));
  if (ctx.out.json) {
    printJson(ctx.out, { installations, commands });
    return EXIT_OK;
  }
  if (installations.length === 0) {
    ctx.out.stdout('No installations yet. Import a profiles file: replica-desk profiles import FILE\n');
    return EXIT_OK;
  }
  ctx.out.stdout(`${installations.map((i) => describeInstallation(i, commands)).join('\n\n')}\n`);
  return EXIT_OK;
};

function describeInstallation(inst: Installation, commands: readonly ControlCommand[]): string {
  const head = `${inst.name}${inst.description ? ` — ${inst.description}` : ''}${inst.onlineBackup ? '' : ' (no online backup)'}`;
  const ofServer = (s: Server) => commands.filter((c) => c.ref === formatServerRef({ installation: inst.name, server: s.name }));
  return `${head}\n${table(inst.servers.map((s) => describeServer(s, ofServer(s))), '  ')}`;
}

function describeServer(s: Server, commands: readonly ControlCommand[]): string[] {
  const host = s.host.access === 'ssh' ? `ssh ${s.host.user}@${s.host.hostname}:${s.host.port}` : 'local';
  return [s.name, s.role, `${s.db.host}:${s.db.port}/${s.db.database}`, `schema ${s.db.schema}`, `user ${s.db.user}`, host, approvalSummary(commands)];
}
