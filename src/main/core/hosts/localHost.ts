// Control commands and key files on this workstation. A control command is a shell command
// line by contract, so it runs as `/bin/sh -c COMMAND` (cmd.exe on Windows) with argv and
// shell: false; nothing else is ever spliced into it.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, lstat, mkdir, open, rm, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CancelledError, throwIfAborted } from '../cancellation';
import { ReplicaDeskError } from '../errors';
import { trackChild } from '../processes/childProcesses';
import {
  CommandTimeoutError,
  DEFAULT_MAX_READ_BYTES,
  HostFileError,
  OutputTail,
  tooLarge,
  toHostFileError,
  type CommandResult,
  type Host,
  type RunOptions,
  type WritePrivateFileOptions,
} from './host';

/** Time a command gets between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 2000;
/**
 * After the shell exits, how long its output may still flow. A start command that leaves a
 * daemon holding our stdout would otherwise keep the pipe, and the run, open for ever.
 */
const OUTPUT_DRAIN_MS = 500;

const isWindows = process.platform === 'win32';

function shellInvocation(command: string): { file: string; args: string[]; verbatim: boolean } {
  if (isWindows) return { file: process.env.ComSpec ?? 'cmd.exe', args: ['/d', '/s', '/c', `"${command}"`], verbatim: true };
  return { file: '/bin/sh', args: ['-c', command], verbatim: false };
}

/** Kills the command's whole process group (it runs detached, so it leads one), or its tree on Windows. */
function killTree(pid: number, signal: NodeJS.Signals): void {
  if (isWindows) {
    spawn('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true }).on('error', () => undefined);
    return;
  }
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

export class LocalHost implements Host {
  readonly description = 'local';

  async run(command: string, options: RunOptions = {}): Promise<CommandResult> {
    throwIfAborted(options.signal);
    const started = performance.now();
    const { file, args, verbatim } = shellInvocation(command);
    // Detached: the command and whatever it starts form their own process group, which a
    // timeout can kill as a whole and which a Ctrl-C meant for the CLI does not reach.
    // No parent-death signal (unlike pg tools): it would kill the shell alone and orphan what
    // it runs. Instead the group is recorded, and if we die while the command still runs, the
    // next run ends the group after checking its leader is still this shell. A command that
    // exits is written off, so a daemon it started on purpose is never touched.
    const child = spawn(file, args, {
      shell: false,
      detached: !isWindows,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
      windowsVerbatimArguments: verbatim,
    });
    trackChild(child, { role: 'control', description: command, cmdline: [file, ...args] });
    const stdout = new OutputTail();
    const stderr = new OutputTail();
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));

    return new Promise<CommandResult>((resolve, reject) => {
      let stoppedBy: 'timeout' | 'abort' | null = null;
      let settled = false;
      let killTimer: NodeJS.Timeout | undefined;
      const stop = (why: 'timeout' | 'abort'): void => {
        if (stoppedBy || settled || child.pid === undefined) return;
        stoppedBy = why;
        killTree(child.pid, 'SIGTERM');
        const pid = child.pid;
        killTimer = setTimeout(() => killTree(pid, 'SIGKILL'), KILL_GRACE_MS);
      };
      const timer = options.timeoutMs !== undefined ? setTimeout(() => stop('timeout'), options.timeoutMs) : undefined;
      const onAbort = (): void => stop('abort');
      options.signal?.addEventListener('abort', onAbort, { once: true });

      const settle = (exitCode: number | null, signal: string | null): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        child.stdout.destroy();
        child.stderr.destroy();
        if (stoppedBy === 'timeout') reject(new CommandTimeoutError(this.description, command, options.timeoutMs ?? 0, stdout.text(), stderr.text()));
        else if (stoppedBy === 'abort') reject(new CancelledError());
        else resolve({ exitCode, signal, stdout: stdout.text(), stderr: stderr.text(), elapsedMs: Math.round(performance.now() - started) });
        // Left running after a kill, so a member of the group that ignored SIGTERM still goes.
        if (!stoppedBy) clearTimeout(killTimer);
      };

      child.once('error', (error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(killTimer);
        options.signal?.removeEventListener('abort', onAbort);
        reject(new ReplicaDeskError('command-not-started', `Could not run \`${command}\` on this machine: ${error.message}`, `Check that ${file} exists and can be executed.`, { cause: error }));
      });
      child.once('exit', (code, signal) => {
        let open = 2;
        const drained = (): void => {
          open -= 1;
          if (open === 0) settle(code, signal);
        };
        for (const stream of [child.stdout, child.stderr]) {
          if (stream.readableEnded || stream.destroyed) drained();
          else stream.once('close', drained);
        }
        // After a kill, the pipes closing is the sign that the group's members are gone too.
        setTimeout(() => settle(code, signal), stoppedBy ? KILL_GRACE_MS + OUTPUT_DRAIN_MS : OUTPUT_DRAIN_MS).unref();
      });
    });
  }

  async readFile(path: string, options: { signal?: AbortSignal; maxBytes?: number } = {}): Promise<Buffer> {
    throwIfAborted(options.signal);
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_READ_BYTES;
    let handle: FileHandle | undefined;
    try {
      handle = await open(path, 'r');
      const stat = await handle.stat();
      if (!stat.isFile()) throw new HostFileError(this.description, path, 'not-a-file', 'not a regular file');
      if (stat.size > maxBytes) throw tooLarge(this.description, path, stat.size, maxBytes);
      const data = await handle.readFile();
      if (data.length > maxBytes) throw tooLarge(this.description, path, data.length, maxBytes);
      throwIfAborted(options.signal);
      return data;
    } catch (error) {
      if (error instanceof CancelledError) throw error;
      throw toHostFileError(this.description, path, error);
    } finally {
      await handle?.close();
    }
  }

  async writePrivateFile(path: string, data: Buffer, options: WritePrivateFileOptions = {}): Promise<void> {
    throwIfAborted(options.signal);
    const dir = dirname(path);
    // Readers see no file or the whole new one, never half of one.
    const temporary = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const handle = await open(temporary, 'wx', 0o600);
      try {
        await handle.writeFile(data);
        // The umask may have narrowed the mode at creation, never widened it; make it exact.
        if (!isWindows) await handle.chmod(0o600);
        await handle.sync();
      } finally {
        await handle.close();
      }
      throwIfAborted(options.signal);
      if (options.keepExistingAs) await moveWithoutReplacing(path, options.keepExistingAs).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw toHostFileError(this.description, options.keepExistingAs!, error);
      });
      await moveWithoutReplacing(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true });
      if (error instanceof CancelledError) throw error;
      throw toHostFileError(this.description, path, error);
    }
  }

  async sha256(path: string): Promise<string | null> {
    const hash = createHash('sha256');
    try {
      for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw toHostFileError(this.description, path, error);
    }
    return hash.digest('hex');
  }

  async close(): Promise<void> {}
}

/**
 * rename(2) replaces its target; link(2) refuses with EEXIST, so link and unlink never do. A
 * process killed between the two left both names on one inode: the move is then finished, not
 * refused (so a resumed copy-key or restore-key goes on).
 */
async function moveWithoutReplacing(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !(await sameFile(from, to))) throw error;
  }
  await unlink(from);
}

async function sameFile(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([lstat(a), lstat(b)]);
  return x.dev === y.dev && x.ino === y.ino;
}
