import type { ReplicaDesk } from '../main/core/replicaDesk';
import type { RunHistory } from '../main/core/history/runHistory';
import { InvalidInputError } from '../main/core/errors';
import { parseServerRef, type ServerRef } from '../shared/profiles';
import type { Output } from './output';

export interface CommandContext {
  /** Positionals after the command words. */
  args: string[];
  options: Record<string, string | boolean | string[] | undefined>;
  out: Output;
  /** Opens the core on first use, so `--help` and usage errors touch no files. Not for a `light` command. */
  core(): ReplicaDesk;
  /** The history alone (history/openRunHistory.ts), opened on first use: what a `light` command reads. */
  history(): RunHistory;
  stdin: NodeJS.ReadStream;
}

export type Command = (ctx: CommandContext) => Promise<number>;

export class UsageError extends InvalidInputError {
  constructor(message: string) {
    super(message, [], 'Run `replica-desk --help` for usage; nothing was changed.');
  }
}

export function requireArgs(ctx: CommandContext, count: number, names: string): string[] {
  if (ctx.args.length !== count) throw new UsageError(`expected ${names}`);
  return ctx.args;
}

export function serverRefArg(text: string): ServerRef {
  const ref = parseServerRef(text);
  if (!ref) throw new UsageError(`"${text}" is not INSTALLATION/SERVER (e.g. prod-eu/rls1)`);
  return ref;
}

/** A whole-number option between `min` and `max`, or undefined when it is not given. */
export function wholeNumberOption(ctx: CommandContext, name: string, min: number, max: number): number | undefined {
  const value = ctx.options[name];
  if (value === undefined) return undefined;
  const text = String(value);
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) throw new UsageError(`--${name} must be a whole number between ${min} and ${max} (got "${text}")`);
  return n;
}
