// Ending recorded leftovers, against real processes: only a process that is still the
// recorded one (start time and command line) is signalled; a pg tool's shared group is
// never signalled as a whole; SIGTERM escalates to SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalHost } from '../../../src/main/core/hosts/localHost';
import { startTool } from '../../../src/main/core/postgres/pgToolProcess';
import { withChildTracking, type ChildRecord, type ChildTracker } from '../../../src/main/core/processes/childProcesses';
import { endLeftovers } from '../../../src/main/core/processes/leftoverProcesses';
import { bootId, groupMembers, ownIdentity, readCmdline, readStat } from '../../../src/main/core/processes/processIdentity';
import { isGoneSoon, processIsRunning, staysRunning } from './processProbes';

const spawned: ChildProcess[] = [];
afterAll(() => {
  for (const child of spawned) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  }
});

function start(file: string, args: string[], detached: boolean): ChildProcess {
  const child = spawn(file, args, { detached, stdio: 'ignore' });
  spawned.push(child);
  return child;
}

/** The record a tracker would have written for `pid`, with `changes` applied. */
function recordOf(pid: number, role: ChildRecord['role'], changes: Partial<ChildRecord> = {}): ChildRecord {
  const stat = readStat(pid)!;
  return {
    pid,
    pgid: stat.pgid,
    startTime: stat.startTime,
    bootId: bootId(),
    cmdline: readCmdline(pid)!,
    role,
    description: 'test',
    owner: { pid: 1, startTime: '0' },
    ...changes,
  };
}

const quiet = () => undefined;

describe('endLeftovers', () => {
  it('leaves a process alone whose start time or command line is not the recorded one (a reused pid)', async () => {
    const unrelated = start('/bin/sleep', ['305'], true);
    const pid = unrelated.pid!;
    const earlier = String(BigInt(readStat(pid)!.startTime) - 1n);
    const log: string[] = [];
    const results = await endLeftovers(
      [recordOf(pid, 'control', { startTime: earlier }), recordOf(pid, 'pg_dump', { cmdline: ['/usr/bin/pg_dump', '--file=x'] })],
      (level, message) => log.push(`${level} ${message}`),
    );
    expect(results.map((r) => r.outcome)).toEqual(['not-ours', 'not-ours']);
    expect(log).toEqual([expect.stringMatching(/^warn left control command .*now belongs to another process/), expect.stringMatching(/^warn left test .*runs `\/bin\/sleep 305`/)]);
    expect(await staysRunning(pid)).toBe(true);

    // The same process, recorded as it is, is ended: the check above is what spared it.
    expect(await endLeftovers([recordOf(pid, 'control')], quiet)).toMatchObject([{ pid, outcome: 'killed' }]);
    expect(await isGoneSoon(pid)).toBe(true);
  });

  it('signals only the pid of a child that shares its group (a pg tool), never the group', async () => {
    // Both are in this test process's own group, as a pg tool is in the group of the process that spawned it.
    const tool = start('/bin/sleep', ['306'], false);
    const sibling = start('/bin/sleep', ['306'], false);
    const record = recordOf(tool.pid!, 'pg_dump');
    expect(record.pgid).toBe(readStat(process.pid)!.pgid);
    expect(await endLeftovers([record], quiet)).toMatchObject([{ pid: tool.pid, outcome: 'killed' }]);
    expect(await isGoneSoon(tool.pid!)).toBe(true);
    expect(await staysRunning(sibling.pid!)).toBe(true);
  });

  it('ends a detached command with its whole group, with SIGKILL when it ignores SIGTERM', async () => {
    const command = start('/bin/sh', ['-c', "trap '' TERM; sleep 307; echo never"], true);
    await expect.poll(() => groupMembers(command.pid!).length).toBe(2);
    const members = groupMembers(command.pid!).map((m) => m.pid);
    const log: string[] = [];
    const results = await endLeftovers([recordOf(command.pid!, 'control', { description: 'stubborn' })], (level, message) => log.push(`${level} ${message}`), { graceMs: 300 });
    expect(results).toMatchObject([{ pid: command.pid, outcome: 'killed' }]);
    expect(log).toEqual([expect.stringContaining('ended control command `stubborn`')]);
    for (const pid of members) expect(await isGoneSoon(pid)).toBe(true);
  });

  it('reports a process that already ended as gone', async () => {
    const done = start('/bin/sleep', ['0'], true);
    const record = recordOf(done.pid!, 'psql');
    await new Promise((resolve) => done.once('exit', resolve));
    expect(await endLeftovers([record], quiet)).toMatchObject([{ outcome: 'gone' }]);
    expect(await endLeftovers([{ ...recordOf(process.pid, 'psql'), bootId: 'another-boot' }], quiet)).toMatchObject([{ outcome: 'gone' }]);
  });

  it('recognises a control command whose shell exec’d it (bash as /bin/sh does)', async () => {
    const execd = start('/bin/bash', ['-c', ' sleep  308 '], true);
    await expect.poll(() => readCmdline(execd.pid!)).toEqual(['sleep', '308']);
    const record = recordOf(execd.pid!, 'control', { cmdline: ['/bin/bash', '-c', ' sleep  308 '] });
    expect(await endLeftovers([record], quiet)).toMatchObject([{ outcome: 'killed' }]);
    expect(await isGoneSoon(execd.pid!)).toBe(true);
  });
});

describe('withChildTracking', () => {
  class Recorder implements ChildTracker {
    events: string[] = [];
    records: ChildRecord[] = [];
    started(record: ChildRecord): void {
      this.records.push(record);
      this.events.push(`started ${record.role} ${record.pid}`);
    }
    exited(record: ChildRecord): void {
      this.events.push(`exited ${record.role} ${record.pid}`);
    }
  }
  const host = new LocalHost();
  const sleepTool = { path: '/bin/sleep', version: '0', major: 0 };

  it('reports each child to the tracker of its own context, with its identity, and its exit', async () => {
    const a = new Recorder();
    const b = new Recorder();
    await Promise.all([
      withChildTracking(a, async () => {
        await new Promise((r) => setTimeout(r, 10));
        await host.run('echo $$');
      }),
      withChildTracking(b, async () => {
        const tool = startTool(sleepTool, ['0.1'], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
        await tool.exited;
      }),
    ]);
    expect(a.records).toHaveLength(1);
    expect(b.records).toHaveLength(1);
    const [control] = a.records;
    const [tool] = b.records;
    expect(a.events).toEqual([`started control ${control!.pid}`, `exited control ${control!.pid}`]);
    expect(b.events).toEqual([`started pg_tool ${tool!.pid}`, `exited pg_tool ${tool!.pid}`]);
    expect(control).toMatchObject({ pgid: control!.pid, cmdline: ['/bin/sh', '-c', 'echo $$'], description: 'echo $$', bootId: bootId(), owner: ownIdentity() });
    expect(tool).toMatchObject({ pgid: readStat(process.pid)!.pgid, cmdline: ['/bin/sleep', '0.1'], owner: ownIdentity() });
    expect(tool!.startTime).toMatch(/^\d+$/);
  });

  it('stops reporting when the tracked work is done', async () => {
    const a = new Recorder();
    await withChildTracking(a, () => host.run('true'));
    await host.run('true');
    expect(a.records).toHaveLength(1);
  });

  it('a tracker that fails to record does not fail the spawn', async () => {
    const broken: ChildTracker = {
      started: () => {
        throw new Error('store closed');
      },
      exited: () => undefined,
    };
    const result = await withChildTracking(broken, () => host.run('echo ok'));
    expect(result.stdout).toBe('ok\n');
    expect(processIsRunning(process.pid)).toBe(true);
  });
});
