// Where a server's control commands run and its key file lives: this workstation or an SSH
// host. The restore steps see only this interface, so a local and a remote server are
// handled by the same code. Its errors carry the host's description and what to do next.
import { ReplicaDeskError } from '../errors';
import { maskSecrets } from '../secrets/secret';

export interface CommandResult {
  /** null when the command was ended by a signal. */
  exitCode: number | null;
  signal: string | null;
  /** The last OUTPUT_LIMIT_BYTES of each stream. */
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

export interface RunOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface WritePrivateFileOptions {
  signal?: AbortSignal;
  /** Where a file already at the path is kept (moved, never replaced) before the new one takes its place. */
  keepExistingAs?: string;
}

export interface Host {
  /** "local" or "ssh user@hostname:port". */
  readonly description: string;
  /**
   * Runs a control command from the profile: a shell command line written by the admin.
   * A non-zero exit code is a result, not an error (`status` exits non-zero while stopped).
   * Throws CommandTimeoutError or CancelledError after killing what the command started.
   */
  run(command: string, options?: RunOptions): Promise<CommandResult>;
  /** A small file (a key file); refuses one larger than maxBytes (default 1 MiB). */
  readFile(path: string, options?: { signal?: AbortSignal; maxBytes?: number }): Promise<Buffer>;
  /**
   * Creates missing parent directories (0700), writes a temporary file and links it into
   * place; mode 0600. Never replaces a file: one already at `path` is first moved to
   * `keepExistingAs` when given (itself never replaced), else the write fails with reason `exists`.
   */
  writePrivateFile(path: string, data: Buffer, options?: WritePrivateFileOptions): Promise<void>;
  /** Lower-case hex SHA-256 of the file, or null when it does not exist. */
  sha256(path: string): Promise<string | null>;
  close(): Promise<void>;
}

/** How much of each output stream a CommandResult keeps: the end, where errors are. */
export const OUTPUT_LIMIT_BYTES = 64 * 1024;
export const DEFAULT_MAX_READ_BYTES = 1024 * 1024;

/** Keeps the last `limit` bytes of a stream without holding more than that. */
export class OutputTail {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly limit = OUTPUT_LIMIT_BYTES) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - this.chunks[0]!.length >= this.limit) this.size -= this.chunks.shift()!.length;
    if (this.size > this.limit) {
      this.chunks[0] = this.chunks[0]!.subarray(this.size - this.limit);
      this.size = this.limit;
    }
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

const formatDuration = (ms: number): string => (ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`);

export class CommandTimeoutError extends ReplicaDeskError {
  constructor(
    readonly host: string,
    readonly command: string,
    readonly timeoutMs: number,
    readonly stdout = '',
    readonly stderr = '',
  ) {
    super(
      'command-timeout',
      maskSecrets(`The command \`${command}\` did not finish within ${formatDuration(timeoutMs)} on ${host}; it was stopped.`),
      'Run the command by hand on that host to see where it hangs, fix it in the profile (control.*), or allow it more time.',
    );
  }
}

export class HostUnreachableError extends ReplicaDeskError {
  constructor(readonly host: string, reason: string, options?: { cause?: unknown }) {
    super(
      'host-unreachable',
      maskSecrets(`Cannot reach ${host}: ${reason}`),
      'Check host.hostname and host.port in the profile, that the host is up and sshd listens there, and that no firewall blocks the port (try `ssh -p PORT USER@HOST` from this machine).',
      options,
    );
  }
}

export class HostKeyMismatchError extends ReplicaDeskError {
  constructor(
    readonly host: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      'host-key-mismatch',
      `The SSH host key of ${host} is ${actual}, but the profile expects ${expected}. Nothing was sent to that host.`,
      'The host may have been reinstalled, or someone may be intercepting the connection. Verify the key with the server admin ' +
        '(on the host: `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub`, or from here: `ssh-keyscan -p PORT HOST | ssh-keygen -lf -`), then update host.hostKey in the profile.',
    );
  }
}

export class SshAuthError extends ReplicaDeskError {
  constructor(
    readonly host: string,
    readonly methodsTried: readonly string[],
    readonly secretsCommand: string,
    detail?: string,
  ) {
    super(
      'ssh-auth-failed',
      maskSecrets(
        `Could not log in to ${host}. ` +
          (methodsTried.length ? `Tried: ${methodsTried.join('; ')}.` : 'No way to authenticate was available (no identity file, ssh-agent or password).') +
          (detail ? ` ${detail}` : ''),
      ),
      `Store the identity file's passphrase (or, without an identity file, the password) with \`${secretsCommand}\`, ` +
        'add your key to the ssh-agent (SSH_AUTH_SOCK), or set host.identityFile in the profile to a key listed in ~/.ssh/authorized_keys on that host.',
    );
  }
}

export class HostFileError extends ReplicaDeskError {
  constructor(
    readonly host: string,
    readonly path: string,
    readonly reason: 'missing' | 'exists' | 'permission-denied' | 'too-large' | 'not-a-file' | 'failed',
    detail: string,
    options?: { cause?: unknown },
  ) {
    super('host-file', maskSecrets(`${path} on ${host}: ${detail}`), hostFileHint(reason), options);
  }
}

export const tooLarge = (host: string, path: string, size: number, maxBytes: number): HostFileError =>
  new HostFileError(host, path, 'too-large', `is ${size} bytes, more than the ${maxBytes} bytes expected of a key file`);

function hostFileHint(reason: HostFileError['reason']): string {
  switch (reason) {
    case 'missing':
      return 'Check installDir in the profile, and that the file exists on that host.';
    case 'permission-denied':
      return 'The user that Replica Desk runs as (or host.user over SSH) needs read access to the file and write access to the target directory.';
    case 'exists':
      return 'Replica Desk never overwrites a file. Move the file aside (or remove it if it is not needed), then run the step again.';
    case 'too-large':
      return 'This is not the file Replica Desk expects there (key files are small); check installDir in the profile.';
    default:
      return 'Check the path in the profile and the file system on that host.';
  }
}

/** Maps a Node.js file-system error to HostFileError. */
export function toHostFileError(host: string, path: string, error: unknown): HostFileError {
  if (error instanceof HostFileError) return error;
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ENOENT') return new HostFileError(host, path, 'missing', 'no such file or directory', { cause: error });
  if (code === 'EEXIST') return new HostFileError(host, path, 'exists', 'a file already exists there', { cause: error });
  if (code === 'EACCES' || code === 'EPERM') return new HostFileError(host, path, 'permission-denied', 'permission denied', { cause: error });
  if (code === 'EISDIR' || code === 'ENOTDIR') return new HostFileError(host, path, 'not-a-file', message, { cause: error });
  return new HostFileError(host, path, 'failed', message, { cause: error });
}
