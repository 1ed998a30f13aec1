// pg_dump of one schema into a custom-format archive in the backups directory. The archive
// is written as FILE.partial (mode 0600 from its first byte) and moved to FILE only when
// pg_dump succeeded, so a file without the suffix is always a complete dump; a failure or
// cancel removes the partial file. FILE is never replaced: if something is there, the dump
// fails with BackupFileExistsError and the file stays as it was. The SHA-256 is computed by streaming the finished file.
// Restores may read FILE.partial while it is written (onWriting/onWritten); the file name
// changes at the end by link+unlink, so a reader's open descriptor keeps the same file.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, link, mkdir, open, rm, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { PasswordSource } from '../../../shared/api';
import type { ServerRef } from '../../../shared/profiles';
import { CancelledError, throwIfAborted } from '../cancellation';
import { ReplicaDeskError } from '../errors';
import { withPrivatePgpassFile } from '../secrets/privatePgpassFile';
import type { Secret } from '../secrets/secret';
import type { DbSettings } from './connect';
import { DumpFailedError, StreamStalledError, classifyToolFailure } from './pgToolErrors';
import { PG_CONNECT_TIMEOUT_S, conninfoFor, pgToolEnv, pgpassEntriesFor, startTool, throttled } from './pgToolProcess';
import type { PgTools } from './pgTools';
import { DEFAULT_STALL_TIMEOUT_MS, watchProgress } from './progressWatchdog';

/**
 * pg_dump's -Z. Measured on the build machine (2 cores, PostgreSQL 15.18, a generated CoreMedia
 * schema of 211 MB, mostly incompressible bytea blobs; dump to a file, then restoreIntoSchema;
 * two runs each):
 *
 *   -Z  dump       file      restore   dump+restore
 *   6   14.0-14.2s 228 MiB   4.0s      18.0-18.2s   (pg_dump's default)
 *   3   8.3-9.1s   232 MiB   3.6-4.5s  11.9-13.6s
 *   1   5.2-5.3s   234 MiB   3.6-3.8s  8.8-9.0s
 *   0   1.4-2.2s   401 MiB   3.3-3.4s  4.8-5.6s
 *   by hand: pg_dump -Fc 13.4s + pg_restore 2.9s = 16.3s
 *
 * Issue 10, bench:restore's media-heavy shape (1/2 incompressible bytea, 1/4 text; 165 MB on
 * disk), pg_dump 15 to a file on a loaded 2-core machine: -Z0 5.6 s 377 MB, -Z1 15.1 s 177 MB,
 * default 42.0 s 172 MB. And the restores now read the dump while it is written, so the dump's
 * speed is the restore's pace: compression would slow both.
 *
 * gzip is single-threaded and dominates; lz4/zstd need pg_dump 16+ (15 rejects them; not
 * measured here, only pg_dump 15 is installed). So no compression, at the price of a backup
 * about twice the size of bytea data (COPY writes it as hex); a caller short of disk can pass '1'.
 */
export const DEFAULT_DUMP_COMPRESSION = '0';

export interface DumpProgress {
  phase: 'dump';
  tablesDone: number;
  tablesTotal: number | null;
  bytes: number;
}

export interface DumpSchemaOptions {
  tools: PgTools;
  db: DbSettings;
  password: Secret | null;
  schema: string;
  file: string;
  /** pg_dump's -Z value; default DEFAULT_DUMP_COMPRESSION. */
  compression?: string;
  signal?: AbortSignal;
  onProgress?: (p: DumpProgress) => void;
  /**
   * A snapshot exported by the caller's open transaction (pg_export_snapshot()), so that what
   * the caller read there is exactly what the dump holds; that transaction must stay open
   * until pg_dump has started.
   */
  snapshot?: string;
  /**
   * A stall is this long without the archive growing or pg_dump saying anything (default
   * DEFAULT_STALL_TIMEOUT_MS; 0 turns the watchdog off). Then pg_dump is stopped and the
   * dump fails with StreamStalledError.
   */
  stallTimeoutMs?: number;
  /** How many tables the schema has, if the caller counted them; only for progress. */
  tablesTotal?: number;
  /** Only improve error hints. */
  ref?: ServerRef;
  passwordSource?: PasswordSource;
  /** Base environment of the child; default process.env. */
  env?: NodeJS.ProcessEnv;
  /**
   * pg_dump started writing `partialFile` (restores may follow it as it grows, see
   * growingFileReader.ts); then `onWritten` once pg_dump exited 0 (the file is complete and
   * will not change; its SHA-256 is computed next).
   */
  onWriting?: (partialFile: string) => void;
  onWritten?: () => void;
}

export interface DumpResult {
  file: string;
  bytes: number;
  sha256: string;
  elapsedMs: number;
  format: 'custom';
  compression: string;
}

export class BackupFileExistsError extends ReplicaDeskError {
  constructor(readonly file: string) {
    super('backup-file-exists', `The backup file ${file} already exists; Replica Desk never overwrites a file.`, 'Move that file aside (or delete it if it is not needed) and run again.');
  }
}

/**
 * A pg_dump pattern matching exactly `schema`: inside double quotes the case is kept and
 * the pattern characters * ? . lose their meaning.
 */
export const exactSchemaPattern = (schema: string): string => `"${schema.replace(/"/g, '""')}"`;

const DUMPING_TABLE = /dumping contents of table /;
// --verbose narrates every step; an error message should quote what went wrong instead.
const isChatter = (line: string): boolean => /^pg_dump: (?!error|warning|detail|hint|fatal)/i.test(line);

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function prepareDirectory(dir: string): Promise<void> {
  // Only a directory we create is made private; an existing one is the admin's choice.
  const created = await mkdir(dir, { recursive: true, mode: 0o700 });
  if (created) await chmod(dir, 0o700);
}

/** The name pg_dump writes under until the archive is complete and moved to `file`. */
export const partialFileOf = (file: string): string => `${file}.partial`;

export async function dumpSchema(options: DumpSchemaOptions): Promise<DumpResult> {
  const started = Date.now();
  throwIfAborted(options.signal);
  const compression = options.compression ?? DEFAULT_DUMP_COMPRESSION;
  const partial = partialFileOf(options.file);
  await prepareDirectory(dirname(options.file));
  if (await stat(options.file).catch(() => null)) throw new BackupFileExistsError(options.file);
  await rm(partial, { force: true });
  // pg_dump truncates an existing file and keeps its mode, so the dump is never readable by others.
  await (await open(partial, 'wx', 0o600)).close();

  const progress = throttled(options.onProgress);
  let tablesStarted = 0;
  let bytes = 0;
  let running = true;
  // A size check still in flight when pg_dump ends must not report after the final event.
  const report = (): void => {
    if (running) progress.push({ phase: 'dump', tablesDone: Math.max(0, tablesStarted - 1), tablesTotal: options.tablesTotal ?? null, bytes });
  };

  const args = [
    '--format=custom',
    `--compress=${compression}`,
    `--schema=${exactSchemaPattern(options.schema)}`,
    '--verbose',
    '--no-password',
    ...(options.snapshot ? [`--snapshot=${options.snapshot}`] : []),
    `--file=${partial}`,
    `--dbname=${conninfoFor(options.db, { application_name: 'replica-desk-dump' }, { libpqMajor: options.tools.pgDump.major })}`,
  ];
  try {
    const outcome = await withPrivatePgpassFile(pgpassEntriesFor(options.db, options.password), async (pgpass) => {
      throwIfAborted(options.signal);
      const run = startTool(options.tools.pgDump, args, {
        env: pgToolEnv(options.env ?? process.env, pgpass),
        stdio: ['ignore', 'ignore', 'pipe'],
        onStderrLine: (line) => {
          watchdog.touch();
          if (DUMPING_TABLE.test(line)) {
            tablesStarted += 1;
            report();
          }
        },
      });
      // pg_dump --verbose names each step and table, and the archive grows with the data:
      // neither for the watchdog's time means the connection froze (or pg_dump waits on a lock).
      // Then SIGKILL at once: on SIGTERM pg_dump first sends a cancel request to the server,
      // which would only hang on the same frozen path until the kill grace runs out.
      const watchdog = watchProgress({ timeoutMs: options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS, onStall: () => void run.child.kill('SIGKILL') });
      const onAbort = (): void => void run.terminate();
      options.onWriting?.(partial);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.signal?.aborted) onAbort();
      const sizeWatch = setInterval(() => {
        stat(partial).then(
          (s) => {
            if (s.size !== bytes) watchdog.touch();
            bytes = s.size;
            report();
          },
          () => undefined,
        );
      }, 100);
      try {
        return { result: await run.exited, stderr: run.stderr, stall: watchdog.stall };
      } finally {
        running = false;
        watchdog.stop();
        clearInterval(sizeWatch);
        options.signal?.removeEventListener('abort', onAbort);
      }
    });
    throwIfAborted(options.signal);
    const { result, stderr, stall } = outcome;
    // A pg_dump that finished just as the stall was declared made a complete archive.
    if (stall && result.code !== 0) throw new StreamStalledError(options.db, { tool: 'pg_dump', operation: 'dump', stalledMs: stall.idleMs, detail: stall.detail });
    if (result.spawnError) throw new DumpFailedError(`could not start ${options.tools.pgDump.path}: ${result.spawnError.message}`);
    if (result.code !== 0) {
      throw classifyToolFailure(
        stderr.text(20, isChatter),
        { db: options.db, ref: options.ref, passwordSource: options.passwordSource, connectTimeoutMs: PG_CONNECT_TIMEOUT_S * 1000, schema: options.schema, where: 'local' },
        (detail) => new DumpFailedError(detail),
      );
    }
    options.onWritten?.();
    const size = (await stat(partial)).size;
    const sha256 = await sha256Of(partial);
    throwIfAborted(options.signal);
    // link(2) refuses an existing target where rename(2) would replace it.
    await link(partial, options.file).catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'EEXIST' ? new BackupFileExistsError(options.file) : error;
    });
    await unlink(partial);
    options.onProgress?.({ phase: 'dump', tablesDone: tablesStarted, tablesTotal: options.tablesTotal ?? tablesStarted, bytes: size });
    return { file: options.file, bytes: size, sha256, elapsedMs: Date.now() - started, format: 'custom', compression };
  } catch (error) {
    await rm(partial, { force: true });
    if (options.signal?.aborted && !(error instanceof CancelledError)) throw new CancelledError(undefined, { cause: error });
    throw error;
  }
}
