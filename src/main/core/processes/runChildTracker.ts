// The glue between child tracking and the run history: a run's children are written to
// its record as they start and exit, and a later run ends (and writes off) what a dead
// one left behind.
import type { RunStore } from '../history/runStore';
import type { ChildRecord, ChildTracker } from './childProcesses';
import { endLeftovers, type EndLeftoversOptions, type LeftoverLog, type LeftoverResult } from './leftoverProcesses';

/** Records every child of run `runId` in the store; use it with withChildTracking. */
export class RunChildTracker implements ChildTracker {
  constructor(
    private readonly runs: RunStore,
    private readonly runId: string,
  ) {}

  started(record: ChildRecord): void {
    this.runs.recordProcess(this.runId, record);
  }

  exited(record: ChildRecord): void {
    this.runs.processExited(this.runId, record.pid, record.startTime);
  }
}

/**
 * Ends the leftovers of every dead run on this host (children whose spawning process is
 * gone) and writes each outcome into that run's log. A process found to be someone else's
 * is never signalled; one that could not be ended stays recorded, for the next run to try.
 * Call it before a resume claims its run or a new run starts.
 */
export async function endLeftoverProcesses(runs: RunStore, log: LeftoverLog, options: EndLeftoversOptions = {}): Promise<Array<LeftoverResult & { runId: string }>> {
  const leftovers = runs.leftoverProcesses();
  const results: Array<LeftoverResult & { runId: string }> = [];
  const byRun = new Map<string, ChildRecord[]>();
  for (const { runId, ...record } of leftovers) byRun.set(runId, [...(byRun.get(runId) ?? []), record]);
  for (const [runId, records] of byRun) {
    const runLog: LeftoverLog = (level, message) => {
      runs.log(runId, level, message);
      log(level, `run ${runId}: ${message}`);
    };
    const ended = await endLeftovers(records, runLog, options);
    // One result per record, in order (none where nothing could be checked).
    ended.forEach((result, i) => {
      const record = records[i]!;
      if (result.outcome !== 'failed') runs.processExited(runId, record.pid, record.startTime);
      results.push({ runId, ...result });
    });
  }
  return results;
}
