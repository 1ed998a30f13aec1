// The benchmarks' way of running things: a program timed (argv only, stopped by a signal),
// its success required, a wait that gives up with the signal, and a preload that records a
// Node process's peak RSS at exit. Shared by bench:restore and bench:tunnel.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
/** The preload writes the peak RSS (KB) of the process that has this variable into the file it names. */
export const RSS_FILE_ENV = 'REPLICA_DESK_BENCH_RSS_FILE';

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  seconds: number;
  stdout: string;
  stderr: string;
}

export const log = (text: string): void => void process.stderr.write(`[bench] ${text}\n`);
export const mb = (bytes: number): number => bytes / (1024 * 1024);

/**
 * Runs a program (argv array, no shell), timed. The signal stops it with SIGTERM (the CLI then
 * cancels its run), SIGKILL if it lingers; the promise settles only once it is gone.
 */
export function runTimed(file: string, args: string[], options: { env?: NodeJS.ProcessEnv; signal: AbortSignal }): Promise<Finished> {
  return new Promise((resolveRun, reject) => {
    const { signal } = options;
    if (signal.aborted) return reject(signal.reason);
    const started = process.hrtime.bigint();
    const child = spawn(file, args, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      child.kill('SIGTERM');
      killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    // Only the tail matters for an error message; the CLI narrates progress here.
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-16_384)));
    child.on('error', (error) => {
      signal.removeEventListener('abort', onAbort);
      reject(error);
    });
    child.on('close', (code, exitSignal) => {
      signal.removeEventListener('abort', onAbort);
      clearTimeout(killer);
      if (signal.aborted) reject(signal.reason);
      else resolveRun({ code, signal: exitSignal, seconds: Number(process.hrtime.bigint() - started) / 1e9, stdout, stderr });
    });
  });
}

export function requireSuccess(what: string, run: Finished): Finished {
  if (run.code === 0) return run;
  throw new Error(`${what} failed (exit ${run.code ?? run.signal}):\n${run.stderr.trim().split('\n').slice(-15).join('\n')}`);
}

/** Rejects as soon as the signal aborts, for awaits that cannot be cancelled themselves. */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolveWork, reject) => {
    const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolveWork, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** A preload that records the process's own peak RSS (KB) at exit, in the file named by the env var. */
export function writeRssPreload(): string {
  const dir = join(projectRoot, '.cache', 'bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'peak-rss-preload.cjs');
  writeFileSync(
    file,
    [
      '// Written by scripts/bench/restoreBenchmark.ts. Node children inherit NODE_OPTIONS, so the',
      '// variable is removed here: only the first process (the CLI) writes its figure.',
      `const file = process.env.${RSS_FILE_ENV};`,
      `delete process.env.${RSS_FILE_ENV};`,
      "if (file) process.on('exit', () => require('node:fs').writeFileSync(file, String(process.resourceUsage().maxRSS)));",
      '',
    ].join('\n'),
  );
  return file;
}

/** `--sizes 30,300`: MB as positive numbers. */
export function parseSizes(text: string): number[] {
  const sizes = text.split(',').map((s) => Number(s.trim()));
  if (sizes.some((s) => !Number.isFinite(s) || s <= 0)) throw new Error(`--sizes takes MB as positive numbers, e.g. --sizes 30,300 (got ${text})`);
  return sizes;
}

/** `--repeat N`: a whole number of runs, each of `what`. */
export function parseRepeat(text: string, what: string): number {
  const repeat = Number(text);
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`--repeat takes a whole number of runs per ${what}, e.g. --repeat 3 (got ${text})`);
  return repeat;
}

/** The benchmark's signal: aborted after `timeoutMin` minutes, on Ctrl-C and on SIGTERM. */
export function benchSignal(timeoutMin: number): AbortSignal {
  // One controller, held here: Node 20 may collect an AbortSignal.timeout() that only
  // AbortSignal.any() refers to, and then it never fires.
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error(`gave up after --timeout-min ${timeoutMin}`)), timeoutMin * 60_000).unref();
  const stop = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return controller.signal;
}
