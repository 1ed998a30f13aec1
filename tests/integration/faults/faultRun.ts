// Driving the CLI the way an admin's bad night does: restores started in the background,
// watched through `runs show`, killed, raced and resumed. Shared by the fault scenarios.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../harness/cli';
import type { RestoreEnvironment } from '../../harness/restoreEnvironment';

export interface BackgroundCli {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** Starts `replica-desk ARGS` in the background with the environment's data directory (or `home`). */
export function startCli(env: RestoreEnvironment, args: string[], options: { home?: string; extraEnv?: NodeJS.ProcessEnv } = {}): BackgroundCli {
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'replica-desk.js'), ...args], {
    env: { ...process.env, ...env.env, REPLICA_DESK_HOME: options.home ?? env.home, ...options.extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

export const startRestore = (env: RestoreEnvironment, extra: string[] = [], options: { home?: string; extraEnv?: NodeJS.ProcessEnv } = {}) =>
  startCli(env, ['restore', env.installation, '--yes', '--json', ...extra], options);

/** Polls the newest run (in `home`) until a step with this id (and replica, if given) is running; returns the run id. */
export async function waitForStep(env: RestoreEnvironment, id: string, options: { replica?: string; home?: string; timeoutMs?: number } = {}): Promise<string> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const cli = (args: string[]) => (options.home ? env.cli(args, { REPLICA_DESK_HOME: options.home }) : env.cli(args));
  while (Date.now() < deadline) {
    const list = await cli(['runs', 'list', '--json']);
    const runId = list.code === 0 ? (JSON.parse(list.stdout).runs[0]?.runId as string | undefined) : undefined;
    if (runId) {
      const run = JSON.parse((await cli(['runs', 'show', runId, '--json'])).stdout);
      const match = run.steps.some((s: any) => s.id === id && s.status === 'running' && (!options.replica || s.replica === `${env.installation}/${options.replica}`));
      if (match) return runId;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`step ${id} never ran`);
}

export const stepOf = (record: any, id: string, replica: string | null) =>
  record.steps.find((s: any) => s.id === id && (replica === null ? s.replica === null : s.replica?.endsWith(`/${replica}`)));
