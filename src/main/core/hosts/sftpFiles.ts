// Key files on an SSH host, over SFTP: read a small file, write one privately (missing
// directories 0700, a temporary name moved into place without replacing anything, mode 0600), and hash one, by
// sha256sum/shasum on the host when it has them, else by streaming it here.
import { createHash, randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { Client, SFTPWrapper, Stats } from 'ssh2';
import { CancelledError, throwIfAborted } from '../cancellation';
import { DEFAULT_MAX_READ_BYTES, HostFileError, tooLarge, type CommandResult, type WritePrivateFileOptions } from './host';

const SFTP_NO_SUCH_FILE = 2;
const SFTP_PERMISSION_DENIED = 3;

type Callback<T> = (error: Error | null | undefined, value: T) => void;
const call = <T>(fn: (cb: Callback<T>) => void): Promise<T> =>
  new Promise<T>((resolve, reject) => fn((error, value) => (error ? reject(error) : resolve(value))));

/** SFTP resolves relative paths against the login directory, which is what `~/` means. */
export function sftpPath(path: string): string {
  if (path === '~') return '.';
  if (path.startsWith('~/')) return path.slice(2) || '.';
  return path;
}

/** Quotes a path for a POSIX shell; a leading dash would otherwise read as an option. */
export const shellQuotePath = (path: string): string => `'${(path.startsWith('-') ? `./${path}` : path).replace(/'/g, `'\\''`)}'`;

const isMissing = (error: unknown): boolean => (error as { code?: unknown })?.code === SFTP_NO_SUCH_FILE;

export class SftpFiles {
  private session: Promise<SFTPWrapper> | null = null;

  constructor(
    private readonly client: Client,
    private readonly host: string,
  ) {}

  private sftp(path: string): Promise<SFTPWrapper> {
    if (!this.session) {
      this.session = call<SFTPWrapper>((cb) => this.client.sftp(cb));
      this.session.catch(() => (this.session = null));
    }
    return this.session.catch((error: unknown) => {
      throw new HostFileError(
        this.host,
        path,
        'failed',
        `SFTP is not available (${error instanceof Error ? error.message : String(error)}); the host's sshd_config needs a "Subsystem sftp" line`,
        { cause: error },
      );
    });
  }

  private fileError(path: string, error: unknown): Error {
    if (error instanceof HostFileError || error instanceof CancelledError) return error;
    const code = (error as { code?: unknown })?.code;
    const message = error instanceof Error ? error.message : String(error);
    if (code === 'EEXIST') return new HostFileError(this.host, path, 'exists', message, { cause: error });
    if (code === SFTP_NO_SUCH_FILE) return new HostFileError(this.host, path, 'missing', 'no such file or directory', { cause: error });
    if (code === SFTP_PERMISSION_DENIED) return new HostFileError(this.host, path, 'permission-denied', 'permission denied', { cause: error });
    return new HostFileError(this.host, path, 'failed', message, { cause: error });
  }

  async readFile(path: string, options: { signal?: AbortSignal; maxBytes?: number } = {}): Promise<Buffer> {
    throwIfAborted(options.signal);
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_READ_BYTES;
    try {
      const sftp = await this.sftp(path);
      const remote = sftpPath(path);
      const stats = await call<Stats>((cb) => sftp.stat(remote, cb));
      if (!stats.isFile()) throw new HostFileError(this.host, path, 'not-a-file', 'not a regular file');
      if (stats.size > maxBytes) throw tooLarge(this.host, path, stats.size, maxBytes);
      const data = await call<Buffer>((cb) => sftp.readFile(remote, cb));
      if (data.length > maxBytes) throw tooLarge(this.host, path, data.length, maxBytes);
      throwIfAborted(options.signal);
      return data;
    } catch (error) {
      throw this.fileError(path, error);
    }
  }

  async writePrivateFile(path: string, data: Buffer, options: WritePrivateFileOptions = {}): Promise<void> {
    throwIfAborted(options.signal);
    const sftp = await this.sftp(path);
    const remote = sftpPath(path);
    const dir = posix.dirname(remote);
    // Readers see no file or the whole new one, never half of one.
    const temporary = posix.join(dir, `.${posix.basename(remote)}.${randomBytes(6).toString('hex')}.tmp`);
    let created = false;
    try {
      await this.ensureDirectory(sftp, dir, path);
      const handle = await call<Buffer>((cb) => sftp.open(temporary, 'wx', { mode: 0o600 }, cb));
      created = true;
      try {
        await call<void>((cb) => sftp.write(handle, data, 0, data.length, 0, cb as () => void));
        // The server's umask may have narrowed the mode at creation; make it exact.
        await call<void>((cb) => sftp.fchmod(handle, 0o600, cb as () => void));
      } finally {
        await call<void>((cb) => sftp.close(handle, cb as () => void));
      }
      throwIfAborted(options.signal);
      if (options.keepExistingAs) {
        const keep = options.keepExistingAs;
        await this.moveWithoutReplacing(sftp, remote, sftpPath(keep)).catch((error: unknown) => {
          if (!isMissing(error)) throw this.fileError(keep, error);
        });
      }
      await this.moveWithoutReplacing(sftp, temporary, remote).catch((error: unknown) => {
        throw this.fileError(path, error);
      });
      created = false;
    } catch (error) {
      if (created) await call<void>((cb) => sftp.unlink(temporary, cb as () => void)).catch(() => undefined);
      throw this.fileError(path, error);
    }
  }

  /**
   * Plain SFTP rename, never OpenSSH's posix-rename: the protocol's rename fails when the
   * target exists (OpenSSH's sftp-server links and unlinks), so nothing is replaced. The
   * server answers a generic failure; a stat tells "exists" from other causes.
   */
  private async moveWithoutReplacing(sftp: SFTPWrapper, from: string, to: string): Promise<void> {
    try {
      await call<void>((cb) => sftp.rename(from, to, cb as () => void));
    } catch (error) {
      const there = await call<Stats>((cb) => sftp.lstat(to, cb)).catch(() => null);
      throw there ? Object.assign(new Error('a file already exists there'), { code: 'EEXIST', cause: error }) : error;
    }
  }

  /** mkdir -p, new directories 0700; walks up only as far as something exists. */
  private async ensureDirectory(sftp: SFTPWrapper, dir: string, forPath: string): Promise<void> {
    const missing: string[] = [];
    for (let current = dir; ; current = posix.dirname(current)) {
      const stats = await call<Stats>((cb) => sftp.stat(current, cb)).catch((error: unknown) => {
        if (isMissing(error)) return null;
        throw error;
      });
      if (stats) {
        if (!stats.isDirectory()) throw new HostFileError(this.host, forPath, 'not-a-file', `${current} is not a directory`);
        break;
      }
      missing.unshift(current);
      if (posix.dirname(current) === current) break;
    }
    for (const d of missing) {
      await call<void>((cb) => sftp.mkdir(d, { mode: 0o700 }, cb as () => void)).catch(async (error: unknown) => {
        // Someone else may have created it in the meantime; that is fine.
        const stats = await call<Stats>((cb) => sftp.stat(d, cb)).catch(() => null);
        if (!stats?.isDirectory()) throw error;
      });
    }
  }

  /**
   * `run` executes a command on the same host; hashing there saves moving the file. Hosts
   * without sha256sum or shasum (or without a POSIX shell) get the file streamed here.
   */
  async sha256(path: string, run: (command: string) => Promise<CommandResult>): Promise<string | null> {
    const sftp = await this.sftp(path);
    const remote = sftpPath(path);
    try {
      const stats = await call<Stats>((cb) => sftp.stat(remote, cb));
      if (!stats.isFile()) throw new HostFileError(this.host, path, 'not-a-file', 'not a regular file');
    } catch (error) {
      if (isMissing(error)) return null;
      throw this.fileError(path, error);
    }
    for (const tool of ['sha256sum', 'shasum -a 256']) {
      const result = await run(`${tool} ${shellQuotePath(remote)}`).catch(() => null);
      // sha256sum prefixes the line with a backslash when the name needs escaping.
      const hex = result?.exitCode === 0 ? /^\\?([0-9a-fA-F]{64})\s/.exec(result.stdout)?.[1] : undefined;
      if (hex) return hex.toLowerCase();
    }
    const hash = createHash('sha256');
    try {
      for await (const chunk of sftp.createReadStream(remote)) hash.update(chunk as Buffer);
    } catch (error) {
      throw this.fileError(path, error);
    }
    return hash.digest('hex');
  }

  async end(): Promise<void> {
    const session = this.session;
    this.session = null;
    const sftp = await session?.catch(() => null);
    sftp?.end();
  }
}
