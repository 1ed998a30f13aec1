// Control commands and key files on a server's host over SSH (ssh2). Commands go to the
// remote login shell as the admin wrote them; files go over SFTP (sftpFiles.ts).
import type { Client, ClientChannel } from 'ssh2';
import { CancelledError, throwIfAborted } from '../cancellation';
import { CommandTimeoutError, HostUnreachableError, OutputTail, type CommandResult, type Host, type RunOptions, type WritePrivateFileOptions } from './host';
import { SftpFiles } from './sftpFiles';
import { connectSsh, type SshConnectOptions } from './sshConnection';

export { probeSshHostKey, sshFingerprint, type SshConnectOptions } from './sshConnection';

/**
 * Stopping a remote command cannot rely on the SSH protocol: OpenSSH ignores a closed
 * channel until the command exits, and refuses "signal" requests for root logins (which
 * skip privilege separation). sshd makes every session's shell a process-group leader, so
 * the shell's pid, printed on stderr before the admin's command line runs, is the group a
 * second session kills. The admin's command follows on its own line, unchanged.
 */
const PID_MARKER = 'replica-desk-remote-pid:';
const PID_PREAMBLE = `echo ${PID_MARKER}$$ >&2`;
const SIGNAL_GRACE_STEPS = 20; // × 0.1 s between SIGTERM and SIGKILL
/** How long a stopped command's channel may take to close before it is abandoned. */
const STOP_WAIT_MS = 8000;
const HASH_TIMEOUT_MS = 60_000;
const CLOSE_WAIT_MS = 2000;

const killGroupCommand = (pid: number): string =>
  `kill -TERM -${pid} 2>/dev/null; i=0; while kill -0 -${pid} 2>/dev/null && [ $i -lt ${SIGNAL_GRACE_STEPS} ]; do sleep 0.1; i=$((i+1)); done; kill -KILL -${pid} 2>/dev/null; exit 0`;

/** Takes the pid line off the front of stderr; the rest goes to the captured output. */
class StderrWithPid {
  pid: number | null = null;
  private head: Buffer | null = Buffer.alloc(0);
  constructor(private readonly tail: OutputTail) {}

  push(chunk: Buffer): void {
    if (!this.head) return this.tail.push(chunk);
    this.head = Buffer.concat([this.head, chunk]);
    const newline = this.head.indexOf(10);
    if (newline < 0 && this.head.length < 128) return;
    const line = this.head.subarray(0, Math.max(newline, 0)).toString('latin1');
    const match = new RegExp(`^${PID_MARKER}(\\d+)$`).exec(line);
    if (match) this.pid = Number(match[1]);
    const rest = match ? this.head.subarray(newline + 1) : this.head;
    this.head = null;
    if (rest.length) this.tail.push(rest);
  }

  /** At the end: a short stderr that never finished its first line. */
  flush(): void {
    if (this.head?.length) this.tail.push(this.head);
    this.head = null;
  }
}

export class SshHost implements Host {
  private readonly files: SftpFiles;
  private lost: Error | null = null;

  constructor(
    private readonly client: Client,
    readonly description: string,
    /** The host key the server presented, for trust on first use when the profile has none. */
    readonly hostKeyFingerprint: string,
    /** After the connection closed: the jump hosts' pool it came through (openHost.ts). */
    private readonly afterClose?: () => Promise<void>,
  ) {
    this.files = new SftpFiles(client, description);
    client.on('error', (error: Error) => (this.lost ??= error));
    client.on('close', () => (this.lost ??= new Error('the SSH connection was closed')));
  }

  private openChannel(command: string): Promise<ClientChannel> {
    if (this.lost) return Promise.reject(new HostUnreachableError(this.description, `the connection is gone (${this.lost.message})`, { cause: this.lost }));
    return new Promise((resolve, reject) => {
      this.client.exec(command, (error, channel) => {
        if (error) reject(new HostUnreachableError(this.description, `cannot start a command: ${error.message}`, { cause: error }));
        else resolve(channel);
      });
    });
  }

  async run(command: string, options: RunOptions = {}): Promise<CommandResult> {
    throwIfAborted(options.signal);
    const started = performance.now();
    const channel = await this.openChannel(`${PID_PREAMBLE}\n${command}`);
    channel.end(); // stdin: the command gets EOF at once
    const stdout = new OutputTail();
    const stderrTail = new OutputTail();
    const stderr = new StderrWithPid(stderrTail);
    channel.on('data', (chunk: Buffer) => stdout.push(chunk));
    let onStderr = (): void => undefined;
    channel.stderr.on('data', (chunk: Buffer) => {
      stderr.push(chunk);
      onStderr();
    });

    return new Promise<CommandResult>((resolve, reject) => {
      let exit: { code: number | null; signal: string | null } | null = null;
      let stoppedBy: 'timeout' | 'abort' | null = null;
      let settled = false;
      let abandonTimer: NodeJS.Timeout | undefined;
      const settle = (): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(abandonTimer);
        stderr.flush();
        options.signal?.removeEventListener('abort', onAbort);
        if (stoppedBy === 'timeout') reject(new CommandTimeoutError(this.description, command, options.timeoutMs ?? 0, stdout.text(), stderrTail.text()));
        else if (stoppedBy === 'abort') reject(new CancelledError());
        else if (!exit) reject(new HostUnreachableError(this.description, `the connection was lost while \`${command}\` ran; its outcome is unknown`));
        else resolve({ exitCode: exit.code, signal: exit.signal, stdout: stdout.text(), stderr: stderrTail.text(), elapsedMs: Math.round(performance.now() - started) });
      };
      let killSent = false;
      const killGroup = (): void => {
        if (killSent || stderr.pid === null) return;
        killSent = true;
        void this.openChannel(killGroupCommand(stderr.pid)).then(
          (killer) => {
            killer.resume();
            killer.stderr.resume();
            killer.end();
          },
          () => undefined,
        );
      };
      const stop = (why: 'timeout' | 'abort'): void => {
        if (stoppedBy || settled) return;
        stoppedBy = why;
        if (stderr.pid !== null) killGroup();
        // Too early for the pid (a slow login, a busy host): ask sshd, which works for
        // accounts other than root, and kill the group as soon as the pid line arrives.
        else channel.signal('TERM');
        abandonTimer = setTimeout(() => {
          channel.close();
          settle();
        }, STOP_WAIT_MS);
      };
      onStderr = () => {
        if (stoppedBy && !settled) killGroup();
      };
      const timer = options.timeoutMs !== undefined ? setTimeout(() => stop('timeout'), options.timeoutMs) : undefined;
      const onAbort = (): void => stop('abort');
      options.signal?.addEventListener('abort', onAbort, { once: true });
      channel.on('exit', (code: number | null, signal?: string) => (exit = { code: code ?? null, signal: signal ?? null }));
      channel.once('close', settle);
    });
  }

  readFile(path: string, options?: { signal?: AbortSignal; maxBytes?: number }): Promise<Buffer> {
    return this.files.readFile(path, options);
  }

  writePrivateFile(path: string, data: Buffer, options?: WritePrivateFileOptions): Promise<void> {
    return this.files.writePrivateFile(path, data, options);
  }

  sha256(path: string): Promise<string | null> {
    return this.files.sha256(path, (command) => this.run(command, { timeoutMs: HASH_TIMEOUT_MS }));
  }

  async close(): Promise<void> {
    try {
      await this.closeConnection();
    } finally {
      await this.afterClose?.();
    }
  }

  private async closeConnection(): Promise<void> {
    await this.files.end();
    if (this.lost) return;
    await new Promise<void>((resolve) => {
      const gone = setTimeout(() => {
        this.client.destroy();
        resolve();
      }, CLOSE_WAIT_MS);
      this.client.once('close', () => {
        clearTimeout(gone);
        resolve();
      });
      this.client.end();
    });
  }
}

export async function openSshHost(options: SshConnectOptions): Promise<SshHost> {
  const connection = await connectSsh(options);
  return new SshHost(connection.client, connection.description, connection.hostKeyFingerprint);
}
