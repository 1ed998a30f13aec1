// Parses the command line and dispatches to a command. The work happens in core.
import { parseArgs } from 'node:util';
import { openReplicaDesk, type ReplicaDesk } from '../main/core/replicaDesk';
import { testConnection } from './commands/connection';
import { exportProfiles, importProfiles, listProfiles } from './commands/profiles';
import { approveCommands } from './commands/approveCommands';
import { confirmSecret, deleteSecret, setSecret } from './commands/secrets';
import { restore, resume } from './commands/restore';
import { listRuns, showRun } from './commands/runs';
import { discard, keptList, rollback } from './commands/rollback';
import { listDumps, pruneDumps } from './commands/dumps';
import { topology } from './commands/topology';
import { UsageError, type Command, type CommandContext } from './context';
import { EXIT_OK, EXIT_USAGE, formatError, processOutput, reportError, type Output } from './output';
import { USAGE } from './usage';

type OptionSpec = { type: 'string' | 'boolean'; multiple?: boolean; short?: string };

interface CommandSpec {
  words: string[];
  run: Command;
  options?: Record<string, OptionSpec>;
}

const commands: CommandSpec[] = [
  { words: ['profiles', 'import'], run: importProfiles, options: { replace: { type: 'boolean' }, 'approve-commands': { type: 'boolean' } } },
  { words: ['profiles', 'approve'], run: approveCommands, options: { yes: { type: 'boolean' } } },
  { words: ['profiles', 'export'], run: exportProfiles },
  { words: ['profiles', 'list'], run: listProfiles },
  { words: ['secrets', 'set'], run: setSecret },
  { words: ['secrets', 'delete'], run: deleteSecret },
  { words: ['secrets', 'confirm'], run: confirmSecret, options: { yes: { type: 'boolean' } } },
  { words: ['connection', 'test'], run: testConnection },
  { words: ['topology'], run: topology, options: { 'timeout-ms': { type: 'string' }, cached: { type: 'boolean' } } },
  {
    words: ['restore'],
    run: restore,
    options: {
      replica: { type: 'string', multiple: true },
      'dry-run': { type: 'boolean' },
      yes: { type: 'boolean' },
      'from-backup': { type: 'string' },
      'backup-dir': { type: 'string' },
      'pg-bin': { type: 'string' },
      'stall-timeout': { type: 'string' },
      'side-by-side': { type: 'boolean' },
      'in-place': { type: 'boolean' },
      'lock-timeout': { type: 'string' },
    },
  },
  { words: ['runs', 'list'], run: listRuns, options: { installation: { type: 'string' }, limit: { type: 'string' }, offset: { type: 'string' } } },
  { words: ['runs', 'show'], run: showRun },
  { words: ['runs', 'resume'], run: resume, options: { yes: { type: 'boolean' }, 'pg-bin': { type: 'string' }, 'stall-timeout': { type: 'string' } } },
  { words: ['runs', 'rollback'], run: rollback, options: { replica: { type: 'string', multiple: true }, yes: { type: 'boolean' }, 'lock-timeout': { type: 'string' } } },
  { words: ['runs', 'discard'], run: discard, options: { replica: { type: 'string', multiple: true }, yes: { type: 'boolean' } } },
  { words: ['runs', 'kept'], run: keptList },
  { words: ['runs', 'dumps'], run: listDumps, options: { installation: { type: 'string' } } },
  { words: ['runs', 'prune'], run: pruneDumps, options: { keep: { type: 'string' }, installation: { type: 'string' }, 'dry-run': { type: 'boolean' } } },
];

const globalOptions: Record<string, OptionSpec> = {
  home: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
};

/** The command words, found with every known option so an option's value is not taken for one. */
function leadingWords(argv: string[]): string[] {
  const all = Object.assign({}, globalOptions, ...commands.map((c) => c.options ?? {})) as Record<string, OptionSpec>;
  return parseArgs({ args: argv, options: all, allowPositionals: true, strict: false }).positionals.slice(0, 2);
}

export interface CliEnvironment {
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadStream;
  output?: Output;
  version: string;
}

export async function runCli(argv: string[], environment: CliEnvironment): Promise<number> {
  const wantsJson = argv.includes('--json');
  const out = environment.output ?? processOutput(wantsJson);
  let core: ReplicaDesk | null = null;
  try {
    const words = leadingWords(argv);
    const spec = commands.find((c) => c.words.every((w, i) => words[i] === w));
    const parsed = parseArgs({
      args: argv,
      options: { ...globalOptions, ...(spec?.options ?? {}) },
      allowPositionals: true,
      strict: true,
    });
    const values = parsed.values as CommandContext['options'];
    if (values.version) {
      out.stdout(`${environment.version}\n`);
      return EXIT_OK;
    }
    if (values.help || argv.length === 0) {
      (argv.length === 0 ? out.stderr : out.stdout)(USAGE);
      return argv.length === 0 ? EXIT_USAGE : EXIT_OK;
    }
    if (!spec) throw new UsageError(`unknown command "${parsed.positionals.slice(0, 2).join(' ')}"`);
    const home = typeof values.home === 'string' ? values.home : undefined;
    const ctx: CommandContext = {
      args: parsed.positionals.slice(spec.words.length),
      options: values,
      out,
      stdin: environment.stdin,
      core: () => (core ??= openReplicaDesk({ env: environment.env, ...(home ? { home } : {}) })),
    };
    return await spec.run(ctx);
  } catch (e) {
    if (e instanceof TypeError && 'code' in e && String((e as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS')) {
      out.stderr(formatError({ code: 'usage', message: e.message, hint: 'Run `replica-desk --help` for usage; nothing was changed.' }));
      if (out.json) out.stdout(`${JSON.stringify({ ok: false, error: { code: 'usage', message: e.message, hint: 'Run `replica-desk --help` for usage.' } })}\n`);
      return EXIT_USAGE;
    }
    return reportError(out, e);
  } finally {
    (core as ReplicaDesk | null)?.close();
  }
}
