// Stopping and starting servers through their control commands, and proving the result:
// a stopped replica's status must say so AND its database user must have no session left.
import { formatServerRef, type Server } from '../../../../shared/profiles';
import { describeSession, otherSessions } from '../../postgres/sessions';
import { CommandTimeoutError, type CommandResult } from '../../hosts/host';
import { CommandNotApprovedError } from '../../profiles/commandApprovals';
import { ConfirmationDeclinedError, ControlCommandFailedError, ReplicaStatusUnknownError, ReplicaStillConnectedError, ReplicaStillRunningError, ServerDidNotStartError } from '../restoreErrors';
import { delay, requireReplica, type StepContext, type StepImplementation, type StepOutcome } from '../stepContext';

async function runControl(ctx: StepContext, server: Server, which: 'stop' | 'start' | 'status') {
  const command = server.control?.[which];
  if (!command) return null;
  // Preflight checked this too; the profile may have been edited since (belt and braces).
  const ref = ctx.resources.ref(server);
  if (!ctx.approvals.isApproved(ref, server, which)) throw new CommandNotApprovedError(ref, which, command);
  const host = await ctx.resources.host(server, ctx.signal);
  const result = await host.run(command, { timeoutMs: ctx.timeouts.commandMs, signal: ctx.signal });
  ctx.log('info', `${formatServerRef(ctx.resources.ref(server))}: \`${command}\` exited ${result.exitCode ?? result.signal}`);
  return result;
}

/**
 * What the status command says: running (exit 0), stopped (another exit code), or unknown
 * — the command could not run (126, 127), died by a signal (or its shell reports a child
 * killed by one, 128+n), or did not answer in time. Unknown is never taken for stopped.
 * 'none' when the profile has no status command.
 */
export async function readStatus(ctx: StepContext, server: Server): Promise<ServerStatus> {
  const command = server.control?.status;
  if (!command) return { state: 'none' };
  let result: CommandResult;
  try {
    result = (await runControl(ctx, server, 'status'))!;
  } catch (e) {
    if (e instanceof CommandTimeoutError) return { state: 'unknown', why: `it did not answer within ${Math.round(e.timeoutMs / 1000)} s` };
    throw e;
  }
  return classifyStatus(result);
}

export type ServerStatus = { state: 'running' | 'stopped' | 'none' } | { state: 'unknown'; why: string };

export function classifyStatus(result: Pick<CommandResult, 'exitCode' | 'signal'>): ServerStatus {
  const code = result.exitCode;
  if (code === null) return { state: 'unknown', why: `it was killed by ${result.signal ?? 'a signal'}` };
  if (code === 0) return { state: 'running' };
  if (code === 126) return { state: 'unknown', why: 'it exited 126: the command is not executable' };
  if (code === 127) return { state: 'unknown', why: 'it exited 127: the command was not found' };
  if (code > 128) return { state: 'unknown', why: `it exited ${code}, which a shell reports for a command killed by a signal (or a failed connection)` };
  return { state: 'stopped' };
}

async function manual(ctx: StepContext, instruction: string): Promise<void> {
  if (!(await ctx.confirm(instruction))) throw new ConfirmationDeclinedError(instruction);
}

/**
 * The proof that a replica is stopped, made again right before anything destructive: its
 * status command reports stopped (or there is none), and no session of its database user is
 * connected except this run's own. Sessions may take a moment to go, so they are polled up
 * to `stopWaitMs`; a status of running or unknown refuses at once when `waitForStatus` is
 * false (a server that was started again will not stop by itself).
 */
export async function proveStopped(ctx: StepContext, replica: Server, options: { waitForStatus: boolean }): Promise<string> {
  const name = formatServerRef(ctx.resources.ref(replica));
  const deadline = Date.now() + ctx.timeouts.stopWaitMs;
  for (;;) {
    const status = await readStatus(ctx, replica);
    if (status.state === 'unknown') throw new ReplicaStatusUnknownError(name, replica.control!.status!, status.why);
    if (status.state === 'running' && !options.waitForStatus) {
      throw new ReplicaStillRunningError(name, 'its status command exits 0 (running); it must have been started again since it was stopped');
    }
    const client = await ctx.resources.client(replica);
    const sessions = await otherSessions(client, { database: replica.db.database, user: replica.db.user, excludePids: ctx.resources.ownSessionPids() });
    if (status.state !== 'running' && sessions.length === 0) {
      return `${name} is stopped${status.state === 'none' ? ' (no status command; no database sessions left)' : ' (status reports stopped; no database sessions left)'}`;
    }
    if (Date.now() >= deadline) {
      if (status.state === 'running') throw new ReplicaStillRunningError(name, `its status command still exits 0 after ${Math.round(ctx.timeouts.stopWaitMs / 1000)} s`);
      throw new ReplicaStillConnectedError(name, sessions.map(describeSession));
    }
    await delay(ctx.timeouts.pollMs, ctx.signal);
  }
}

export const stopReplica: StepImplementation = async (ctx) => {
  const replica = requireReplica(ctx);
  const name = formatServerRef(ctx.resources.ref(replica));
  // The downtime window opens here (see runRecord.ts: stop requested → running again).
  const stopRequestedAt = Date.now();
  if (replica.control?.stop) {
    const result = (await runControl(ctx, replica, 'stop'))!;
    if (result.exitCode !== 0) throw new ControlCommandFailedError(`The stop command of ${name}`, result.exitCode, result.stderr);
  } else {
    await manual(ctx, `Stop ${name} now (no stop command is configured), then confirm.`);
  }
  return { message: await proveStopped(ctx, replica, { waitForStatus: true }), captured: { stopRequestedAt } };
};

async function startServer(ctx: StepContext, server: Server): Promise<StepOutcome> {
  const name = formatServerRef(ctx.resources.ref(server));
  // Unknown before the start is no reason not to start; unknown after it fails below.
  if ((await readStatus(ctx, server)).state === 'running') return { message: `${name} is already running`, skipped: true };
  if (server.control?.start) {
    const result = (await runControl(ctx, server, 'start'))!;
    if (result.exitCode !== 0) throw new ControlCommandFailedError(`The start command of ${name}`, result.exitCode, result.stderr);
  } else {
    await manual(ctx, `Start ${name} now (no start command is configured), then confirm.`);
  }
  if (!server.control?.status) return { message: `${name} started (no status command to confirm it)` };
  const started = Date.now();
  for (;;) {
    const status = await readStatus(ctx, server);
    if (status.state === 'running') break;
    if (status.state === 'unknown' && Date.now() - started >= ctx.timeouts.startWaitMs) throw new ReplicaStatusUnknownError(name, server.control.status, status.why);
    if (Date.now() - started >= ctx.timeouts.startWaitMs) throw new ServerDidNotStartError(name, ctx.timeouts.startWaitMs);
    await delay(ctx.timeouts.pollMs, ctx.signal);
  }
  return { message: `${name} is running` };
}

/** Captures when the replica was seen running again: the end of its downtime window. */
export const startReplica: StepImplementation = async (ctx) => {
  const outcome = await startServer(ctx, requireReplica(ctx));
  return { ...outcome, captured: { ...outcome.captured, runningAt: Date.now() } };
};
export const startMaster: StepImplementation = (ctx) => startServer(ctx, ctx.master);

export const stopMaster: StepImplementation = async (ctx) => {
  const name = formatServerRef(ctx.resources.ref(ctx.master));
  if (!ctx.master.control?.stop) {
    await manual(ctx, `Stop the master ${name} if possible (no stop command is configured), then confirm.`);
    return { message: `The admin confirmed ${name} is stopped or frozen`, captured: { masterStopped: 'manual' } };
  }
  const result = (await runControl(ctx, ctx.master, 'stop'))!;
  if (result.exitCode !== 0) throw new ControlCommandFailedError(`The stop command of ${name}`, result.exitCode, result.stderr);
  ctx.captureRun({ masterStoppedByRun: true });
  return { message: `${name} stopped`, captured: { masterStopped: 'command' } };
};

export const confirmPublications: StepImplementation = async (ctx) => {
  const text = 'All publications have finished, the last one succeeded, and the Master Live Server content is frozen (no new publications).';
  await manual(ctx, text);
  return { message: 'Confirmed by the admin', captured: { confirmation: text, confirmedAt: new Date().toISOString() } };
};

/** For compensation: runs a server's start command outside any step (no abort). */
export async function startForCompensation(ctx: StepContext, server: Server): Promise<string> {
  const outcome = await startServer(ctx, server);
  return outcome.message;
}
