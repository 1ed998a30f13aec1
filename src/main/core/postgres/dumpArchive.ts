// What a custom-format archive holds for one schema, read from its table of contents
// (`pg_restore --list`, which reads only the header and TOC, never the data); and the
// first check of a file offered as a backup: its header says whether it is an archive.
import { open } from 'node:fs/promises';
import { ReplicaDeskError } from '../errors';
import { maskSecrets } from '../secrets/secret';
import { startTool } from './pgToolProcess';
import type { PgTool } from './pgTools';

export class InvalidDumpError extends ReplicaDeskError {
  constructor(file: string, detail: string) {
    super(
      'invalid-dump',
      `${file} cannot be read as a pg_dump archive: ${detail}`,
      'Choose a backup made by Replica Desk or by pg_dump --format=custom; a plain SQL file or a directory-format dump cannot be used.',
    );
  }
}

/** Every custom-format archive starts with these five bytes (pg_backup_archiver.c). */
const ARCHIVE_MAGIC = Buffer.from('PGDMP', 'latin1');

export class NotADumpFileError extends ReplicaDeskError {
  override readonly usage = true;

  constructor(readonly file: string, why: string) {
    super(
      'not-a-dump',
      `${file} ${why}.`,
      'Give the path of a backup made by Replica Desk or by pg_dump --format=custom (its first bytes are "PGDMP"); nothing was run.',
    );
  }
}

/**
 * Refuses, before anything reads or runs it, a file that is not a custom-format archive:
 * missing, not a regular file, or without the archive's magic bytes at its start.
 */
export async function requireDumpArchive(file: string): Promise<void> {
  const handle = await open(file, 'r').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new NotADumpFileError(file, 'does not exist');
    if (error.code === 'EACCES' || error.code === 'EPERM') throw new NotADumpFileError(file, 'cannot be read (permission denied)');
    throw new NotADumpFileError(file, `cannot be opened (${error.code ?? error.message})`);
  });
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw new NotADumpFileError(file, 'is a directory (a directory-format dump cannot be used)');
    if (!info.isFile()) throw new NotADumpFileError(file, 'is not a regular file');
    const head = Buffer.alloc(ARCHIVE_MAGIC.length);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    if (bytesRead < head.length || !head.equals(ARCHIVE_MAGIC)) {
      const text = head.subarray(0, bytesRead).toString('latin1');
      const sql = /^(--|SET |CREATE|BEGIN)/i.test(text);
      throw new NotADumpFileError(file, sql ? 'is a plain SQL script, not a pg_dump custom-format archive' : 'is not a pg_dump custom-format archive (it does not start with "PGDMP")');
    }
  } finally {
    await handle.close();
  }
}

export class DumpSchemaMissingError extends ReplicaDeskError {
  constructor(file: string, readonly schema: string) {
    super(
      'dump-schema-missing',
      `The backup ${file} contains nothing of schema "${schema}".`,
      `Check that the backup is of the master's schema "${schema}" (pg_restore --list shows what it holds), or choose another backup file.`,
    );
  }
}

export interface DumpContents {
  /** TOC entries of the schema (tables, sequences, indexes, constraints…). */
  entries: number;
  /** Tables with data (TABLE DATA entries). */
  tables: number;
  /** Whether the data blocks are compressed (then the SQL is larger than the file). */
  compressed: boolean;
}

const MAX_LISTING_BYTES = 64 * 1024 * 1024;

/** Parses `pg_restore --list --schema=…` output. */
export function parseDumpListing(listing: string): DumpContents {
  const lines = listing.split(/\r?\n/);
  const entries = lines.filter((l) => /^\d+;/.test(l));
  const compression = /^;\s+Compression:\s*(\S+)/m.exec(listing)?.[1] ?? '';
  return {
    entries: entries.length,
    tables: entries.filter((l) => /^\d+; \d+ \d+ TABLE DATA /.test(l)).length,
    // PostgreSQL ≤ 15 prints a gzip level (-1 is the default, 0 none); 16+ prints a method.
    compressed: !['0', 'none'].includes(compression.toLowerCase()),
  };
}

export async function readDumpContents(pgRestore: PgTool, file: string, schema: string, env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<DumpContents> {
  const run = startTool(pgRestore, ['--list', `--schema=${schema}`, '--', file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  let size = 0;
  run.child.stdout?.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_LISTING_BYTES) void run.terminate();
    else chunks.push(chunk);
  });
  const onAbort = (): void => void run.terminate();
  signal?.addEventListener('abort', onAbort, { once: true });
  const result = await run.exited.finally(() => signal?.removeEventListener('abort', onAbort));
  if (result.spawnError) throw new InvalidDumpError(file, `could not start ${pgRestore.path}: ${result.spawnError.message}`);
  if (result.code !== 0) throw new InvalidDumpError(file, maskSecrets(run.stderr.text(5)) || `pg_restore --list exited with ${result.code ?? result.signal}`);
  const contents = parseDumpListing(Buffer.concat(chunks).toString('utf8'));
  if (contents.entries === 0) throw new DumpSchemaMissingError(file, schema);
  return contents;
}
