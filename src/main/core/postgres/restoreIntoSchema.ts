// Restores a master dump into the replica's own schema:
//
//   pg_restore --file=- --schema=SOURCE DUMP  →  SchemaRenamingStream  →  psql (as the replica user)
//
// The renamer points every schema reference at the target; psql, connected as the replica's
// role, makes that role the owner of everything. The script runs in ONE transaction that we
// open and commit ourselves: psql's --single-transaction would COMMIT at end of input, and
// a broken pipe is also an end of input. So COMMIT is written only after pg_restore exited
// 0, the renamer accepted the whole script and the in-transaction checks passed; on any
// failure psql is killed before its input is closed, and the server rolls everything back.
// A progress watchdog stops both tools when nothing moves through the pipeline and the
// server confirms it is not busy on a long statement (a frozen network, a lock wait).
//
// With `follow`, the dump is still being written: pg_restore reads it from stdin, fed by a
// reader of the growing file (growingFileReader.ts), as in `pg_dump -Fc | pg_restore`. Then
// the COMMIT additionally waits until the dump finished and its SHA-256 is recorded; a dump
// that fails or is cancelled fails the restore before that, so its transaction rolls back
// (never a committed prefix of a dump).
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import type { PasswordSource } from '../../../shared/api';
import type { ServerRef } from '../../../shared/profiles';
import { CancelledError, throwIfAborted } from '../cancellation';
import { NotFoundError, ReplicaDeskError } from '../errors';
import { withPrivatePgpassFile } from '../secrets/privatePgpassFile';
import type { Secret } from '../secrets/secret';
import { openClient, type DbSettings } from './connect';
import { readDumpContents } from './dumpArchive';
import { RestoreFailedError, StreamStalledError, classifyToolFailure } from './pgToolErrors';
import { PG_CONNECT_TIMEOUT_S, conninfoFor, pgToolEnv, pgpassEntriesFor, startTool, throttled, type RunningTool } from './pgToolProcess';
import type { PgTools } from './pgTools';
import { followGrowingFile } from './growingFileReader';
import { DEFAULT_STALL_TIMEOUT_MS, watchProgress, type ProgressWatchdog, type StallCheck } from './progressWatchdog';
import { endRestoreSessions, inspectRestoreTarget, restoreEpilogue, restorePrologue, type RestoreTargetState } from './restoreTarget';
import { UnsafeDumpError } from './schemaRenamer';
import { SchemaRenamingStream } from './schemaRenamingStream';
import { restoreWriteCheck } from './restoreWriteCheck';

export interface RestoreProgress {
  phase: 'restore';
  /** Tables whose data has been loaded. */
  tablesDone: number;
  tablesTotal: number;
  /** Bytes of SQL read from pg_restore so far. */
  bytes: number;
  /** The expected SQL size: the dump's size for an uncompressed dump; null when compressed. */
  bytesTotal: number | null;
}

export interface RestoreIntoSchemaOptions {
  tools: PgTools;
  dumpFile: string;
  sourceSchema: string;
  target: DbSettings & { schema: string };
  password: Secret | null;
  signal?: AbortSignal;
  onProgress?: (p: RestoreProgress) => void;
  /**
   * A stall is this long without a byte moving from pg_restore through the renamer into psql
   * (default DEFAULT_STALL_TIMEOUT_MS; 0 turns the watchdog off). Before declaring one, a
   * fresh connection asks the server what the restore's session does: busy on a long
   * statement (an index build) restarts the clock; waiting for the client or for a lock, or
   * no answer, is a stall. Then both tools are stopped and the restore fails with
   * StreamStalledError. The same bound applies to this function's own queries.
   */
  stallTimeoutMs?: number;
  /** Only improve error hints. */
  ref?: ServerRef;
  passwordSource?: PasswordSource;
  /** Base environment of the children; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** `dumpFile` is still being written (see the top of this file). */
  follow?: FollowedDump;
}

export interface FollowedDump {
  /** Settles when pg_dump ended: resolved = the archive is complete, rejected = it failed. */
  written: Promise<unknown>;
  /** Resolves once the finished dump and its SHA-256 are recorded; the COMMIT waits for it. */
  recorded: Promise<unknown>;
  /** Tables with data in the schema (the master's count at dump time), for progress. */
  tablesTotal: number;
  /** The dump's final name, where a restore that starts after the dump finished finds it. */
  completeFile?: string;
}

/** The dump this restore followed did not finish: the restore's transaction was rolled back. */
export class FollowedDumpFailedError extends ReplicaDeskError {
  constructor(cause: unknown) {
    const detail = cause instanceof ReplicaDeskError ? cause.message : cause instanceof Error ? cause.message : String(cause);
    super(
      'followed-dump-failed',
      `The backup this restore was reading while it was written did not complete (${detail}); the restore was rolled back and nothing of it was kept.`,
      'See the backup step for the cause; once it is fixed, resume the run: it takes the backup again and restores from the new file.',
      { cause },
    );
  }
}

/** Waits for the followed dump's outcome; its failure becomes FollowedDumpFailedError. */
const dumpOutcome = (p: Promise<unknown>): Promise<unknown> =>
  p.catch((error: unknown) => {
    throw error instanceof CancelledError ? error : new FollowedDumpFailedError(error);
  });

const SETTLE_MS = 2_000;
const settle = (p: Promise<unknown>): Promise<unknown> => Promise.race([p, new Promise((r) => setTimeout(r, SETTLE_MS))]);

/** Feeds psql's stdin without ever ending or destroying it (see the top of this file); `onWritten` says psql took a chunk. */
function stdinOf(psql: RunningTool, onWritten: () => void): Writable {
  const stdin = psql.child.stdin;
  if (!stdin) throw new Error('psql has no stdin');
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const done = (): void => {
        onWritten();
        callback();
      };
      if (stdin.write(chunk)) done();
      else stdin.once('drain', done);
    },
  });
  // After a finished pipeline these come too late to matter, and must not raise an unhandled error.
  const fail = (error: Error): void => {
    if (!sink.writableFinished && !sink.destroyed) sink.destroy(error);
  };
  stdin.on('error', fail);
  void psql.exited.then(() => fail(new Error('psql ended before the script did')));
  return sink;
}

export async function restoreIntoSchema(options: RestoreIntoSchemaOptions): Promise<{ elapsedMs: number; tables: number }> {
  const started = Date.now();
  const { tools, target, signal } = options;
  throwIfAborted(signal);
  const env = options.env ?? process.env;
  const { follow } = options;
  // Whatever part of the pipeline notices first, a failed dump is the cause to report.
  let dumpFailure: { error: unknown } | null = null;
  void follow?.written.catch((error: unknown) => void (dumpFailure = { error }));
  // Awaited only before the COMMIT; a failure before that must not count as unhandled.
  void follow?.recorded.catch(() => undefined);
  const size = await stat(options.dumpFile).then(
    (s) => s.size,
    () => {
      throw new NotFoundError(`The backup file ${options.dumpFile}`, 'Choose an existing backup file, or let the run make a new dump.');
    },
  );
  const stallTimeoutMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
  // Our own queries are short; on a frozen connection they fail after the stall time, not never.
  const queryTimeoutMs = stallTimeoutMs > 0 && Number.isFinite(stallTimeoutMs) ? stallTimeoutMs : undefined;
  let committing = false;
  try {
    // A dump being written has no table of contents yet (pg_dump writes it when it closes the archive).
    const contents = follow ? { tables: follow.tablesTotal, compressed: true } : await readDumpContents(tools.pgRestore, options.dumpFile, options.sourceSchema, env, signal);
    throwIfAborted(signal);
    const client = await openClient(target, options.password, { ref: options.ref, passwordSource: options.passwordSource, queryTimeoutMs });
    let state: RestoreTargetState;
    try {
      state = await inspectRestoreTarget(client, target, target.schema);
    } finally {
      await client.end().catch(() => undefined);
    }
    throwIfAborted(signal);

    const applicationName = `replica-desk-restore-${randomBytes(6).toString('hex')}`;
    let tables = 0;
    let renamer: SchemaRenamingStream | null = null;
    const progress = throttled(options.onProgress);
    const report = (): void =>
      progress.push({ phase: 'restore', tablesDone: Math.max(0, tables - 1), tablesTotal: contents.tables, bytes: renamer?.bytesIn ?? 0, bytesTotal: contents.compressed ? null : size });
    let watchdog: ProgressWatchdog | null = null;
    let bytesSeen = 0;
    const ticker = setInterval(() => {
      const bytesIn = renamer?.bytesIn ?? 0;
      if (bytesIn !== bytesSeen) watchdog?.touch();
      bytesSeen = bytesIn;
      report();
    }, 100);
    const probe = { unreachable: false };
    try {
      await withPrivatePgpassFile(pgpassEntriesFor(target, options.password), async (pgpass) => {
        const childEnv = pgToolEnv(env, pgpass);
        // From PostgreSQL 14 the server also notices a vanished client while it is busy (a long index build).
        const checkClient: Record<string, string> = state.serverVersionNum >= 140000 ? { options: '-c client_connection_check_interval=1000' } : {};
        const conninfo = conninfoFor(target, { application_name: applicationName, ...checkClient }, { libpqMajor: tools.psql.major });
        const psql = startTool(tools.psql, ['-X', '-q', '-w', '-v', 'ON_ERROR_STOP=1', '-f', '-', '-d', conninfo], {
          env: childEnv,
          stdio: ['pipe', 'ignore', 'pipe'],
          onStderrLine: () => watchdog?.touch(),
        });
        const restoreArgs = ['--file=-', '--no-owner', '--no-privileges', '--no-tablespaces', '--no-publications', '--no-subscriptions', '--no-security-labels'];
        const input = follow ? [] : ['--', options.dumpFile];
        const pgRestore = startTool(tools.pgRestore, [...restoreArgs, `--schema=${options.sourceSchema}`, ...input], { env: childEnv, stdio: [follow ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
        renamer = new SchemaRenamingStream({
          source: options.sourceSchema,
          target: target.schema,
          onCopy: () => {
            tables += 1;
            report();
          },
        });
        const onAbort = (): void => {
          void psql.terminate();
          void pgRestore.terminate();
        };
        const probeMs = Math.min(10_000, Math.max(1_000, Math.round(stallTimeoutMs / 2)));
        watchdog = watchProgress({ timeoutMs: stallTimeoutMs, onStall: onAbort, check: () => restoreSessionState(options, applicationName, probeMs, probe) });
        signal?.addEventListener('abort', onAbort, { once: true });
        if (signal?.aborted) onAbort();
        try {
          psql.child.stdin?.write(restorePrologue(target.schema, state));
          const script = pipeline(pgRestore.child.stdout as NodeJS.ReadableStream, renamer, stdinOf(psql, () => watchdog?.touch()));
          if (follow) {
            // Waiting for the writer counts as moving: pg_dump's own watchdog judges the dump.
            const reader = followGrowingFile(options.dumpFile, { written: dumpOutcome(follow.written), ...(follow.completeFile ? { completeFile: follow.completeFile } : {}), signal, onWait: () => watchdog?.touch() });
            // pg_restore may exit 0 without reading the archive's last bytes (it has every TOC
            // entry it needs): its stdin closing early is not a failure. Its exit code, the dump's
            // record and the row counts afterwards still judge the restore.
            const feed = pipeline(reader, pgRestore.child.stdin as NodeJS.WritableStream).catch((error: unknown) => {
              if (!closedEarly(error)) throw error;
            });
            await Promise.all([feed, script]);
          } else {
            await script;
          }
          const restoreExit = await pgRestore.exited;
          if (restoreExit.code !== 0) throw toolFailure(pgRestore, 'pg_restore', options);
          if (follow) await dumpOutcome(follow.recorded);
          throwIfAborted(signal);
          // From here the COMMIT is on its way; a cancel now would only race it.
          committing = true;
          signal?.removeEventListener('abort', onAbort);
          psql.child.stdin?.end(restoreWriteCheck(target.schema) + restoreEpilogue(options.sourceSchema, target.schema));
          const psqlExit = await psql.exited;
          if (psqlExit.code !== 0) throw toolFailure(psql, 'psql', options);
        } catch (caught) {
          const failedDump = dumpFailure as { error: unknown } | null;
          const error = failedDump && !(failedDump.error instanceof CancelledError) && !(caught instanceof FollowedDumpFailedError) ? new FollowedDumpFailedError(failedDump.error) : caught;
          throw await failureOf(error, { psql, pgRestore, signal: committing ? undefined : signal, options, watchdog, committing });
        } finally {
          watchdog.stop();
          signal?.removeEventListener('abort', onAbort);
        }
      });
    } catch (error) {
      // When not even a new connection got through, ending the session would only wait as well.
      if (!(error instanceof StreamStalledError && probe.unreachable)) await endSessionsQuietly(options, applicationName);
      throw error;
    } finally {
      clearInterval(ticker);
    }
    options.onProgress?.({ phase: 'restore', tablesDone: tables, tablesTotal: contents.tables, bytes: (renamer as SchemaRenamingStream | null)?.bytesIn ?? 0, bytesTotal: contents.compressed ? null : size });
    return { elapsedMs: Date.now() - started, tables };
  } catch (error) {
    // A failure of the COMMIT itself is reported as what it is, even if a cancel came meanwhile.
    if (signal?.aborted && !committing && !(error instanceof CancelledError)) throw new CancelledError(undefined, { cause: error });
    throw error;
  }
}

/** The reader of the archive lost pg_restore's stdin (pg_restore had exited): EPIPE or a premature close. */
function closedEarly(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_PREMATURE_CLOSE';
}

function toolFailure(run: RunningTool, tool: 'psql' | 'pg_restore', options: RestoreIntoSchemaOptions): ReplicaDeskError {
  return classifyToolFailure(
    run.stderr.text(20),
    {
      db: options.target,
      ref: options.ref,
      passwordSource: options.passwordSource,
      connectTimeoutMs: PG_CONNECT_TIMEOUT_S * 1000,
      where: tool === 'psql' ? 'server' : 'local',
    },
    (detail) => new RestoreFailedError(tool, detail),
  );
}

/** Stops both children (psql first) and names the cause the admin should see. */
async function failureOf(
  error: unknown,
  c: { psql: RunningTool; pgRestore: RunningTool; signal?: AbortSignal; options: RestoreIntoSchemaOptions; watchdog: ProgressWatchdog; committing: boolean },
): Promise<unknown> {
  if (error instanceof FollowedDumpFailedError) {
    await c.psql.terminate();
    await c.pgRestore.terminate();
    c.psql.child.stdin?.destroy();
    return error;
  }
  const ours = error instanceof ReplicaDeskError;
  const explain = !c.signal?.aborted && !(error instanceof UnsafeDumpError) && !c.watchdog.stall;
  // A broken pipe usually means psql stopped on an error; let it finish saying why.
  if (explain && !ours) await settle(c.psql.exited);
  const psqlCode = c.psql.child.exitCode;
  await c.psql.terminate();
  // A script that ended early usually means pg_restore failed; its own words say more.
  if (explain) await settle(c.pgRestore.exited);
  const restoreCode = c.pgRestore.child.exitCode;
  await c.pgRestore.terminate();
  c.psql.child.stdin?.destroy();
  if (c.signal?.aborted) return new CancelledError('The restore was cancelled; its transaction was rolled back.', { cause: error });
  const stall = c.watchdog.stall;
  if (stall) return new StreamStalledError(c.options.target, { tool: 'psql', operation: 'restore', stalledMs: stall.idleMs, detail: stall.detail, afterCommitSent: c.committing });
  if (error instanceof UnsafeDumpError) return error;
  if (psqlCode !== null && psqlCode !== 0) return toolFailure(c.psql, 'psql', c.options);
  if (restoreCode !== null && restoreCode !== 0) return toolFailure(c.pgRestore, 'pg_restore', c.options);
  if (ours) return error;
  return new RestoreFailedError('pipeline', error instanceof Error ? error.message : String(error));
}

/**
 * The watchdog's question to the server, on a fresh connection bounded by `boundMs`: is the
 * restore's session busy, or waiting for its client (a frozen network) or for a lock?
 */
async function restoreSessionState(options: RestoreIntoSchemaOptions, applicationName: string, boundMs: number, probe: { unreachable: boolean }): Promise<StallCheck> {
  let client: pg.Client;
  try {
    client = await openClient(options.target, options.password, { timeoutMs: boundMs, queryTimeoutMs: boundMs, applicationName: 'replica-desk-watchdog' });
  } catch (error) {
    probe.unreachable = true;
    return { alive: false, detail: `a new connection did not get through either: ${error instanceof Error ? error.message : String(error)}` };
  }
  try {
    const { rows } = await client.query<{ state: string | null; wait_event_type: string | null; wait_event: string | null }>(
      `SELECT state, wait_event_type, wait_event FROM pg_catalog.pg_stat_activity WHERE application_name = $1 AND usename = current_user`,
      [applicationName],
    );
    const session = rows[0];
    if (!session) return { alive: false, detail: 'the server has no session of the restore' };
    const waitsOn = session.wait_event_type === 'Client' || session.wait_event_type === 'Lock';
    if (session.state === 'active' && !waitsOn) return { alive: true };
    const waiting = session.wait_event_type ? `, waiting for ${session.wait_event_type === 'Lock' ? 'a lock' : 'its client'} (${session.wait_event_type}: ${session.wait_event ?? '?'})` : '';
    return { alive: false, detail: `the server says the restore's session is ${session.state ?? 'in an unknown state'}${waiting}` };
  } catch (error) {
    probe.unreachable = true;
    return { alive: false, detail: `the server did not answer the watchdog: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    void client.end().catch(() => undefined);
  }
}

async function endSessionsQuietly(options: RestoreIntoSchemaOptions, applicationName: string): Promise<void> {
  try {
    const client = await openClient(options.target, options.password, { timeoutMs: 5_000, queryTimeoutMs: 5_000 });
    try {
      await endRestoreSessions(client, applicationName);
    } finally {
      await client.end().catch(() => undefined);
    }
  } catch {
    // Best effort: the server rolls the transaction back on its own once it notices.
  }
}
