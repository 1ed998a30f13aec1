// Stopping and starting servers through their control commands, and proving the result:
// a stopped replica's status must say so AND its database user must have no session left.
import { formatServerRef, type Server } from '../../../../shared/profiles';
import { describeSession, otherSessions } from '../../postgres/sessions';
import { ConfirmationDeclinedError, ControlCommandFailedError, ReplicaStillConnectedError, ReplicaStillRunningError, ServerDidNotStartError } from '../restoreErrors';
import { delay, requireReplica, type StepContext, type StepImplementation, type StepOutcome } from '../stepContext';

async function runControl(ctx: StepContext, server: Server, which: 'stop' | 'start' | 'status') {
  const command = server.control?.[which];
  if (!command) return null;
  const host = await ctx.resources.host(server, ctx.signal);
  const result = await host.run(command, { timeoutMs: ctx.timeouts.commandMs, signal: ctx.signal });
  ctx.log('info', `${formatServerRef(ctx.resources.ref(server))}: \`${command}\` exited ${result.exitCode ?? result.signal}`);
  return result;
}

/** True while the status command says the server runs; null without a status command. */
async function isRunning(ctx: StepContext, server: Server): Promise<boolean | null> {
  const result = await runControl(ctx, server, 'status');
  return result === null ? null : result.exitCode === 0;
}

async function manual(ctx: StepContext, instruction: string): Promise<void> {
  if (!(await ctx.confirm(instruction))) throw new ConfirmationDeclinedError(instruction);
}

export const stopReplica: StepImplementation = async (ctx) => {
  const replica = requireReplica(ctx);
  const name = formatServerRef(ctx.resources.ref(replica));
  if (replica.control?.stop) {
    const result = (await runControl(ctx, replica, 'stop'))!;
    if (result.exitCode !== 0) throw new ControlCommandFailedError(`The stop command of ${name}`, result.exitCode, result.stderr);
  } else {
    await manual(ctx, `Stop ${name} now (no stop command is configured), then confirm.`);
  }
  // Prove it: poll until the status says stopped and no session of the replica's user is left.
  const deadline = Date.now() + ctx.timeouts.stopWaitMs;
  for (;;) {
    const running = await isRunning(ctx, replica);
    const client = await ctx.resources.client(replica);
    const sessions = await otherSessions(client, { database: replica.db.database, user: replica.db.user });
    if (running !== true && sessions.length === 0) {
      return { message: `${name} is stopped${running === null ? ' (no status command; no database sessions left)' : ' (status reports stopped; no database sessions left)'}` };
    }
    if (Date.now() >= deadline) {
      if (running) throw new ReplicaStillRunningError(name, `its status command still exits 0 after ${Math.round(ctx.timeouts.stopWaitMs / 1000)} s`);
      throw new ReplicaStillConnectedError(name, sessions.map(describeSession));
    }
    await delay(ctx.timeouts.pollMs, ctx.signal);
  }
};

async function startServer(ctx: StepContext, server: Server): Promise<StepOutcome> {
  const name = formatServerRef(ctx.resources.ref(server));
  if ((await isRunning(ctx, server)) === true) return { message: `${name} is already running`, skipped: true };
  if (server.control?.start) {
    const result = (await runControl(ctx, server, 'start'))!;
    if (result.exitCode !== 0) throw new ControlCommandFailedError(`The start command of ${name}`, result.exitCode, result.stderr);
  } else {
    await manual(ctx, `Start ${name} now (no start command is configured), then confirm.`);
  }
  if (!server.control?.status) return { message: `${name} started (no status command to confirm it)` };
  const started = Date.now();
  while (!(await isRunning(ctx, server))) {
    if (Date.now() - started >= ctx.timeouts.startWaitMs) throw new ServerDidNotStartError(name, ctx.timeouts.startWaitMs);
    await delay(ctx.timeouts.pollMs, ctx.signal);
  }
  return { message: `${name} is running` };
}

export const startReplica: StepImplementation = (ctx) => startServer(ctx, requireReplica(ctx));
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
