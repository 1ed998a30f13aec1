// Reads a file while another process is still writing it (a pg_dump archive being written):
// a stream of its bytes from offset 0 that waits on growth until the writer says it ended.
// The writer's outcome arrives as a promise: resolved means the file is complete, so the
// reader drains it to its end and ends; rejected means the writer failed, so the stream
// fails with that error (the consumer must never take the bytes read so far for a whole
// file). Waiting is an fs.watch on the file with a slow poll as a safety net (a change the
// watcher misses, or a file system without notifications), never a busy loop; each reader
// holds one buffer, so memory is flat however far it lags behind the writer.
import { watch, type FSWatcher } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { CancelledError } from '../cancellation';

export interface GrowingFileOptions {
  /** Settles when the writer is done: resolved = the file is complete, rejected = it failed. */
  written: Promise<unknown>;
  /**
   * The name the file gets once complete (the writer links it there, then unlinks `file`): a
   * reader that starts after the writer finished opens it there. At every moment one of the
   * two names exists, unless the writer failed and removed its file.
   */
  completeFile?: string;
  signal?: AbortSignal;
  /** Bytes per read (default 1 MiB). */
  chunkBytes?: number;
  /** The safety-net poll while waiting for growth (default 250 ms). */
  pollMs?: number;
  /** Called each time the reader starts waiting for the writer (for a watchdog: the reader is alive). */
  onWait?: () => void;
}

const DEFAULT_CHUNK = 1024 * 1024;
const DEFAULT_POLL_MS = 250;

/** The bytes of `file` as they are written; see the top of this file. */
export function followGrowingFile(file: string, options: GrowingFileOptions): Readable {
  // The generator below starts on the first read; a writer failing before that is not unhandled.
  void options.written.catch(() => undefined);
  return Readable.from(chunksOf(file, options), { objectMode: false, highWaterMark: 1 });
}

async function* chunksOf(file: string, options: GrowingFileOptions): AsyncGenerator<Buffer> {
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK;
  const handle: FileHandle = await openEitherName(file, options);
  const growth = new GrowthSignal(file, options.pollMs ?? DEFAULT_POLL_MS);
  let outcome: { ok: true } | { ok: false; error: unknown } | null = null;
  // One subscription for the whole read (not one per wait): memory stays flat.
  void options.written.then(
    () => void (outcome = { ok: true }),
    (error: unknown) => void (outcome = { ok: false, error }),
  ).finally(() => growth.wakeNow());
  let position = 0;
  try {
    for (;;) {
      if (options.signal?.aborted) throw new CancelledError();
      // What the writer had reached before this read: complete only if it ended before.
      const ended = outcome as { ok: true } | { ok: false; error: unknown } | null;
      if (ended && !ended.ok) throw ended.error;
      const buffer = Buffer.allocUnsafe(chunkBytes);
      const { bytesRead } = await handle.read(buffer, 0, chunkBytes, position);
      if (bytesRead > 0) {
        position += bytesRead;
        yield buffer.subarray(0, bytesRead);
        continue;
      }
      if (ended) return; // the writer had finished before this empty read: this is the end
      options.onWait?.();
      await growth.next(options.signal);
    }
  } finally {
    growth.close();
    await handle.close();
  }
}

/** `file`, or its complete name when the writer already moved it; a writer's failure wins over a missing file. */
async function openEitherName(file: string, options: GrowingFileOptions): Promise<FileHandle> {
  try {
    return await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !options.completeFile) throw error;
    try {
      return await open(options.completeFile, 'r');
    } catch (missing) {
      // Neither name: the writer failed and removed its file; its own error says why.
      await options.written;
      throw missing;
    }
  }
}

/** One wait at a time for: the file changed, the poll interval passed, the writer ended (wakeNow), or a cancel. */
class GrowthSignal {
  private watcher: FSWatcher | null = null;
  private wake: (() => void) | null = null;

  constructor(file: string, private readonly pollMs: number) {
    try {
      this.watcher = watch(file, { persistent: false }, () => this.wake?.());
      this.watcher.on('error', () => this.close());
    } catch {
      this.watcher = null; // polling alone still works
    }
  }

  private writerEnded = false;

  /** The writer ended: this wait and every later one return at once. */
  wakeNow(): void {
    this.writerEnded = true;
    this.wake?.();
  }

  next(signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.writerEnded) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, this.pollMs);
      this.wake = done;
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  close(): void {
    this.watcher?.close();
    this.watcher = null;
    this.wake = null;
  }
}
