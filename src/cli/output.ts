// How the CLI speaks: results on stdout (one JSON document with --json), progress and
// errors on stderr, and the contract's exit codes (0 ok, 1 failed, 2 bad usage/input).
import { isUsageError, toErrorPayload } from '../main/core/errors';
import type { ErrorPayload } from '../shared/result';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export interface Output {
  json: boolean;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export const processOutput = (json: boolean): Output => ({
  json,
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
});

export function printJson(out: Output, value: unknown): void {
  out.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

// Stands for the list in printJsonList's outline of the object; no value has it.
const LIST_MARK = '\u0000list\u0000';

/**
 * printJson's exact text of `value`, whose top-level `key` is a long list: written `batch`
 * items at a time, so a list of thousands never becomes one string of tens of megabytes.
 * `each` makes each item what is printed of it, a batch at a time (default: the item).
 */
export function printJsonList<T extends object>(out: Output, value: T, key: keyof T & string, batch = 500, each: (item: never) => unknown = (item) => item): void {
  const items = value[key] as unknown[];
  const [head, tail] = JSON.stringify({ ...value, [key]: LIST_MARK }, null, 2).split(JSON.stringify(LIST_MARK)) as [string, string];
  if (items.length === 0) {
    out.stdout(`${head}[]${tail}\n`);
    return;
  }
  // A batch in an object of its own sits as deep as in `value`: its text is the part
  // between `{\n  "k": [` and `\n  ]\n}`.
  const open = `{\n  "k": [`.length;
  const close = `\n  ]\n}`.length;
  out.stdout(`${head}[`);
  for (let i = 0; i < items.length; i += batch) {
    const text = JSON.stringify({ k: items.slice(i, i + batch).map((item) => each(item as never)) }, null, 2);
    out.stdout(`${text.slice(open, text.length - close)}${i + batch < items.length ? ',' : ''}`);
  }
  out.stdout(`\n  ]${tail}\n`);
}

export function formatError(error: ErrorPayload): string {
  const lines = [`replica-desk: ${error.message}`];
  for (const p of error.problems ?? []) lines.push(`  ${p.path}: ${p.message}`);
  if (error.hint) lines.push(`hint: ${error.hint}`);
  return `${lines.join('\n')}\n`;
}

/** Reports an error in the requested form and returns the exit code it maps to. */
export function reportError(out: Output, e: unknown): number {
  const error = toErrorPayload(e);
  if (out.json) printJson(out, { ok: false, error });
  out.stderr(formatError(error));
  return isUsageError(e) ? EXIT_USAGE : EXIT_FAILED;
}

/** Aligns rows of cells into columns for human output. */
export function table(rows: string[][], indent = ''): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) => indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd())
    .join('\n');
}
