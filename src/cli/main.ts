// Parses the command line and dispatches to a command. The work happens in core.
import { parseArgs } from 'node:util';
import type { ReplicaDesk } from '../main/core/replicaDesk';
import { openRunHistory, type OpenedRunHistory } from '../main/core/history/openRunHistory';
import { listRuns, showRun } from './commands/runs';
import { UsageError, type Command, type CommandContext } from './context';
import { EXIT_OK, EXIT_USAGE, formatError, processOutput, reportError, type Output } from './output';
import { USAGE } from './usage';

/** A command whose module loads when it runs: the others' modules (and the core they import) stay unloaded. */
const lazy =
  <M>(load: () => Promise<M>, pick: (module: M) => Command): Command =>
  async (ctx) =>
    pick(await load())(ctx);

type OptionSpec = { type: 'string' | 'boolean'; multiple?: boolean; short?: string };

interface CommandSpec {
  words: string[];
  run: Command;
  options?: Record<string, OptionSpec>;
  /** Reads only the history (ctx.history()): the core's modules (PostgreSQL, SSH, keychain) are not loaded. */
  light?: true;
  /** Checks the keychain itself and fails when it cannot be used: no warning line first. */
  checksKeychain?: true;
}

const commands: CommandSpec[] = [
  { words: ['profiles', 'import'], run: lazy(() => import('./commands/profiles'), (m) => m.importProfiles), options: { replace: { type: 'boolean' }, 'approve-commands': { type: 'boolean' } } },
  { words: ['profiles', 'approve'], run: lazy(() => import('./commands/approveCommands'), (m) => m.approveCommands), options: { yes: { type: 'boolean' } } },
  { words: ['profiles', 'export'], run: lazy(() => import('./commands/profiles'), (m) => m.exportProfiles) },
  { words: ['profiles', 'list'], run: lazy(() => import('./commands/profiles'), (m) => m.listProfiles) },
  { words: ['profiles', 'format'], run: lazy(() => import('./commands/profilesFormat'), (m) => m.profilesFormat), light: true },
  { words: ['secrets', 'set'], run: lazy(() => import('./commands/secrets'), (m) => m.setSecret) },
  { words: ['secrets', 'delete'], run: lazy(() => import('./commands/secrets'), (m) => m.deleteSecret) },
  { words: ['secrets', 'confirm'], run: lazy(() => import('./commands/secrets'), (m) => m.confirmSecret), options: { yes: { type: 'boolean' } } },
  { words: ['connection', 'test'], run: lazy(() => import('./commands/connection'), (m) => m.testConnection), options: { 'host-keys': { type: 'boolean' } } },
  { words: ['topology'], run: lazy(() => import('./commands/topology'), (m) => m.topology), options: { 'timeout-ms': { type: 'string' }, cached: { type: 'boolean' } } },
  {
    words: ['restore'],
    run: lazy(() => import('./commands/restore'), (m) => m.restore),
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
  { words: ['sandbox', 'up'], run: lazy(() => import('./commands/sandbox'), (m) => m.sandboxUp), options: { size: { type: 'string' }, dir: { type: 'string' } }, checksKeychain: true },
  { words: ['sandbox', 'status'], run: lazy(() => import('./commands/sandbox'), (m) => m.sandboxStatus) },
  { words: ['sandbox', 'down'], run: lazy(() => import('./commands/sandbox'), (m) => m.sandboxDown) },
  { words: ['runs', 'list'], run: listRuns, light: true, options: { installation: { type: 'string' }, limit: { type: 'string' }, offset: { type: 'string' } } },
  { words: ['runs', 'show'], run: showRun },
  { words: ['runs', 'resume'], run: lazy(() => import('./commands/restore'), (m) => m.resume), options: { yes: { type: 'boolean' }, 'pg-bin': { type: 'string' }, 'stall-timeout': { type: 'string' } } },
  { words: ['runs', 'rollback'], run: lazy(() => import('./commands/rollback'), (m) => m.rollback), options: { replica: { type: 'string', multiple: true }, yes: { type: 'boolean' }, 'lock-timeout': { type: 'string' } } },
  { words: ['runs', 'discard'], run: lazy(() => import('./commands/rollback'), (m) => m.discard), options: { replica: { type: 'string', multiple: true }, yes: { type: 'boolean' } } },
  { words: ['runs', 'kept'], run: lazy(() => import('./commands/rollback'), (m) => m.keptList) },
  { words: ['runs', 'dumps'], run: lazy(() => import('./commands/dumps'), (m) => m.listDumps), options: { installation: { type: 'string' } } },
  { words: ['runs', 'prune'], run: lazy(() => import('./commands/dumps'), (m) => m.pruneDumps), options: { keep: { type: 'string' }, installation: { type: 'string' }, 'dry-run': { type: 'boolean' } } },
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
  let history: OpenedRunHistory | null = null;
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
    // One harmless keychain read, answered before the command runs, so a missing or locked keychain is named first.
    const keychainChecked = spec.light || spec.checksKeychain ? null : import('./keychainWarning').then((m) => m.startKeychainCheck(environment.env, out));
    // The core's modules load only for commands that use it: `runs list` starts without them.
    const openReplicaDesk = spec.light ? null : (await import('../main/core/replicaDesk')).openReplicaDesk;
    const ctx: CommandContext = {
      args: parsed.positionals.slice(spec.words.length),
      options: values,
      out,
      stdin: environment.stdin,
      core: () => {
        if (!openReplicaDesk) throw new Error(`replica-desk ${spec.words.join(' ')} is a light command: it reads ctx.history(), not the core`);
        return (core ??= openReplicaDesk({ env: environment.env, ...(home ? { home } : {}) }));
      },
      history: () => (history ??= openRunHistory({ env: environment.env, ...(home ? { home } : {}) })).history,
    };
    await (await keychainChecked)?.();
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
    (history as OpenedRunHistory | null)?.close();
  }
}
