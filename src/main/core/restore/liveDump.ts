// The run's dump while it is being written, for the restores that read it at the same time
// (the overlap of dump and restores, see overlappedPhases.ts). The backup step reports its
// stages here; each restore step waits for `started` (the file being written), follows it,
// and commits only once `recorded` resolved (the dump finished and its SHA-256 is in the
// run's record). A failure or cancel of the dump rejects every stage not reached yet.
import type { BackupInfo } from './steps/backupMaster';

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A stage nobody waits for (no replica left to follow) must not become an unhandled rejection.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

export interface DumpFileNames {
  partialFile: string;
  completeFile: string;
}

export class LiveDump {
  private readonly writing = deferred<DumpFileNames>();
  private readonly complete = deferred<void>();
  private readonly record = deferred<BackupInfo>();

  /**
   * The path pg_dump writes (FILE.partial), and FILE, where the archive is moved once complete
   * (a restore that starts reading after that opens it there; an open descriptor stays valid).
   */
  get started(): Promise<DumpFileNames> {
    return this.writing.promise;
  }

  /** pg_dump exited 0: the file is complete. */
  get written(): Promise<void> {
    return this.complete.promise;
  }

  /** The finished backup, with its SHA-256, is recorded in the run. */
  get recorded(): Promise<BackupInfo> {
    return this.record.promise;
  }

  markStarted(names: DumpFileNames): void {
    this.writing.resolve(names);
  }

  markWritten(): void {
    this.complete.resolve();
  }

  markRecorded(backup: BackupInfo): void {
    this.writing.resolve({ partialFile: backup.file, completeFile: backup.file });
    this.complete.resolve();
    this.record.resolve(backup);
  }

  /** The dump failed or was cancelled: every stage still pending fails with `error`. */
  fail(error: unknown): void {
    this.writing.reject(error);
    this.complete.reject(error);
    this.record.reject(error);
  }
}
