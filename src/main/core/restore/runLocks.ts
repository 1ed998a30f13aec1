// One run per replica, across processes and workstations. For its whole life a run holds a
// session-level advisory lock in each replica's database, keyed by cluster, database and
// schema (and one in the master's, when it stops the master). The lock session's
// application_name says which run holds it, from which workstation and OS user, so a
// refused run can name its rival. A lock session that drops is noticed before the next
// step, and the run stops there.
import { hostname, userInfo } from 'node:os';
import type pg from 'pg';
import { ReplicaDeskError } from '../errors';
import { advisoryLockKey, findAdvisoryLockHolder, tryAdvisoryLock, type AdvisoryLockHolder } from '../postgres/advisoryLock';
import { readClusterIdentity, type SchemaIdentity } from '../postgres/clusterIdentity';
import { WrongTargetError } from '../postgres/dropSchema';
import { backendPid } from '../postgres/sessions';
import { closeClient } from '../postgres/closeClient';

const TAG_PREFIX = 'rd-run';
/** PostgreSQL keeps the first 63 bytes of an application_name. */
const APPLICATION_NAME_BYTES = 63;

export function runLockKey(identity: SchemaIdentity): string {
  return advisoryLockKey(`replica-desk/run/${identity.systemIdentifier}/${identity.database}/${identity.schema}`);
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** `rd-run RUN_ID USER@HOST`, cut to what PostgreSQL keeps. */
export function holderTag(runId: string, user = osUser(), host = hostname()): string {
  const ascii = (s: string) => s.replace(/[^\x21-\x7e]/g, '?');
  let tag = `${TAG_PREFIX} ${runId} ${ascii(user)}@${ascii(host)}`;
  while (Buffer.byteLength(tag) > APPLICATION_NAME_BYTES) tag = tag.slice(0, -1);
  return tag;
}

export interface RunLockHolder {
  runId: string | null;
  workstation: string | null;
  osUser: string | null;
  /** When the holder's lock session started. */
  since: string | null;
  pid: number;
}

export function describeHolder(holder: AdvisoryLockHolder): RunLockHolder {
  const match = /^rd-run (\S+) (.*)@([^@]*)$/.exec(holder.applicationName);
  return {
    runId: match?.[1] ?? null,
    osUser: match?.[2] ?? null,
    workstation: match?.[3] ?? holder.clientAddr,
    since: holder.sessionStart,
    pid: holder.pid,
  };
}

function holderText(h: RunLockHolder): string {
  if (!h.runId) return `another session (pid ${h.pid}${h.workstation ? ` from ${h.workstation}` : ''}${h.since ? `, since ${h.since}` : ''}) that is not a Replica Desk run`;
  return `run ${h.runId} of ${h.osUser ?? 'an unknown user'} on ${h.workstation ?? 'an unknown workstation'}${h.since ? `, holding it since ${h.since}` : ''}`;
}

export class RunLockHeldError extends ReplicaDeskError {
  constructor(
    readonly server: string,
    readonly holder: RunLockHolder,
  ) {
    super(
      'run-in-progress',
      `${server} is being restored by ${holderText(holder)}. Nothing was stopped or changed.`,
      holder.runId
        ? `Wait for run ${holder.runId} to finish (\`replica-desk runs show ${holder.runId}\` on that workstation), or, if it was interrupted, resume it there with \`replica-desk runs resume ${holder.runId}\`.`
        : 'Wait until that session ends, or ask the DBA what holds the lock; then start the restore again.',
    );
  }
}

export class RunLockLostError extends ReplicaDeskError {
  constructor(server: string, why: string) {
    super(
      'run-lock-lost',
      `The run lost its lock on ${server} (${why}), so another run could now act on it; the run stopped before its next step.`,
      'Check the network and the database server, then `replica-desk runs resume RUN_ID`: the resume takes the lock again, proves the replica is stopped and continues.',
    );
  }
}

interface HeldLock {
  server: string;
  key: string;
  client: pg.Client;
  pid: number;
  lost: string | null;
}

export interface RunLocksOptions {
  runId: string;
  /** Opens a fresh session for `server` with this application_name; the lock lives as long as it. */
  open(serverName: string, applicationName: string): Promise<pg.Client>;
}

export class RunLocks {
  private readonly held = new Map<string, HeldLock>();

  constructor(private readonly options: RunLocksOptions) {}

  /**
   * Takes the lock for `serverName` (whose identity the preflight recorded), or throws
   * RunLockHeldError naming the holder. The lock session also proves the server is still the
   * cluster and database the preflight saw.
   */
  async acquire(serverName: string, ref: string, identity: SchemaIdentity): Promise<void> {
    const current = this.held.get(serverName);
    if (current && !current.lost) return;
    if (current) await closeClient(current.client);
    this.held.delete(serverName);
    const key = runLockKey(identity);
    const client = await this.options.open(serverName, holderTag(this.options.runId));
    try {
      const actual = await readClusterIdentity(client);
      if (actual.systemIdentifier !== identity.systemIdentifier || actual.database !== identity.database) {
        throw new WrongTargetError(identity.schema, identity, { systemIdentifier: actual.systemIdentifier, database: actual.database });
      }
      if (!(await tryAdvisoryLock(client, key))) {
        const holder = await findAdvisoryLockHolder(client, key);
        throw new RunLockHeldError(ref, holder ? describeHolder(holder) : { runId: null, workstation: null, osUser: null, since: null, pid: 0 });
      }
    } catch (e) {
      await closeClient(client);
      throw e;
    }
    const lock: HeldLock = { server: ref, key, client, pid: await backendPid(client), lost: null };
    const lose = (why: string) => {
      lock.lost ??= why;
    };
    client.on('error', (e: Error) => lose(e.message));
    client.on('end', () => lose('its database session ended'));
    this.held.set(serverName, lock);
  }

  /** Throws RunLockLostError unless the lock's session still answers. */
  async assertHeld(serverName: string): Promise<void> {
    const lock = this.held.get(serverName);
    if (!lock) return;
    if (!lock.lost) {
      try {
        await lock.client.query('SELECT 1');
      } catch (e) {
        lock.lost ??= (e as Error).message;
      }
    }
    if (lock.lost) throw new RunLockLostError(lock.server, lock.lost);
  }

  /** Whether this run holds `serverName`'s lock right now (false after it was lost). */
  holds(serverName: string): boolean {
    const lock = this.held.get(serverName);
    return !!lock && !lock.lost;
  }

  /** Backend pids of the lock sessions: the run's own, never a sign that a server is connected. */
  sessionPids(): number[] {
    return [...this.held.values()].filter((l) => !l.lost).map((l) => l.pid);
  }

  async releaseAll(): Promise<void> {
    const locks = [...this.held.values()];
    this.held.clear();
    // Ending the session releases its session-level locks.
    await Promise.allSettled(locks.map((l) => closeClient(l.client)));
  }
}
