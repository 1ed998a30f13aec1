import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cmdlineMatches } from '../../../src/main/core/processes/leftoverProcesses';
import { dieWithParent, isParentDeathWrapperOf, parentDeathSignalAvailable } from '../../../src/main/core/processes/parentDeath';
import { ownIdentity, parseStat, readCmdline, readStat, stillRunning } from '../../../src/main/core/processes/processIdentity';
import { pgToolRole } from '../../../src/main/core/processes/childProcesses';

const linux = process.platform === 'linux';

describe('process identity from /proc', () => {
  it('parses a stat line whose command name holds spaces and parentheses', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    fields[0] = 'S';
    fields[2] = '4242'; // field 5: pgid
    fields[19] = '987654321'; // field 22: starttime
    expect(parseStat(`1234 (a) (b c) ${fields.join(' ')}\n`)).toEqual({ pid: 1234, state: 'S', pgid: 4242, startTime: '987654321' });
    expect(parseStat('garbage')).toBeNull();
  });

  it.runIf(linux)('reads this process: its start time, group and command line', () => {
    const stat = readStat(process.pid)!;
    expect(stat.state).not.toBe('Z');
    expect(stat.startTime).toBe(readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')[19]);
    expect(readCmdline(process.pid)).toEqual(readFileSync('/proc/self/cmdline', 'utf8').split('\0').slice(0, -1));
    expect(readCmdline(process.pid)).toContain(process.argv[1]);
    expect(ownIdentity()).toEqual({ pid: process.pid, startTime: stat.startTime });
    expect(stillRunning(ownIdentity()!, null)).toBe(true);
    expect(stillRunning({ pid: process.pid, startTime: '1' }, null)).toBe(false);
    expect(readStat(0)).toBeNull();
    expect(readCmdline(2 ** 30)).toBeNull();
  });
});

describe('command lines a recorded process may show', () => {
  const tool = { role: 'pg_dump' as const, cmdline: ['/usr/bin/pg_dump', '--file=/b/x.partial'] };
  it('its own, or setpriv’s before the exec', () => {
    expect(cmdlineMatches(tool, ['/usr/bin/pg_dump', '--file=/b/x.partial'])).toBe(true);
    expect(cmdlineMatches(tool, ['/usr/bin/setpriv', '--pdeathsig', 'SIGKILL', '--', '/usr/bin/pg_dump', '--file=/b/x.partial'])).toBe(true);
    expect(cmdlineMatches(tool, ['/usr/bin/setpriv', '--pdeathsig', 'SIGTERM', '--', '/usr/bin/pg_dump', '--file=/b/x.partial'])).toBe(false);
    expect(cmdlineMatches(tool, ['/usr/bin/pg_dump'])).toBe(false);
    expect(cmdlineMatches(tool, ['/usr/bin/pg_dump', '--file=/b/x.partial', '--extra'])).toBe(false);
    expect(cmdlineMatches(tool, [])).toBe(false);
    expect(isParentDeathWrapperOf(['/x/setpriv', '--pdeathsig', 'SIGKILL', '--', 'a'], ['a'])).toBe(true);
    expect(isParentDeathWrapperOf(['/x/sudo', '--pdeathsig', 'SIGKILL', '--', 'a'], ['a'])).toBe(false);
  });

  it('for a control command, also the simple command its shell exec’d, and nothing else', () => {
    const control = { role: 'control' as const, cmdline: ['/bin/sh', '-c', ' systemctl  start cm-rls '] };
    expect(cmdlineMatches(control, ['/bin/sh', '-c', ' systemctl  start cm-rls '])).toBe(true);
    expect(cmdlineMatches(control, ['systemctl', 'start', 'cm-rls'])).toBe(true);
    expect(cmdlineMatches(control, ['systemctl', 'stop', 'cm-rls'])).toBe(false);
    expect(cmdlineMatches(control, [])).toBe(false);
    // Not for a pg tool: only a shell execs a command line.
    expect(cmdlineMatches({ role: 'psql', cmdline: ['/bin/sh', '-c', 'sleep 1'] }, ['sleep', '1'])).toBe(false);
  });
});

describe('dieWithParent', () => {
  it('falls back to a plain spawn without a usable setpriv, or for a file that cannot run', () => {
    expect(dieWithParent('/bin/sleep', ['1'], '/nonexistent/setpriv')).toEqual({ file: '/bin/sleep', args: ['1'] });
    expect(parentDeathSignalAvailable('/nonexistent/setpriv')).toBe(false);
    // /bin/false is no setpriv: the probe runs it and sees it fail.
    expect(parentDeathSignalAvailable('/bin/false')).toBe(false);
    expect(dieWithParent('/nonexistent/pg_dump', ['--version'])).toEqual({ file: '/nonexistent/pg_dump', args: ['--version'] });
  });

  it.runIf(linux && parentDeathSignalAvailable())('wraps the program in setpriv --pdeathsig SIGKILL where it exists', () => {
    expect(dieWithParent('/bin/sleep', ['1'])).toEqual({ file: '/usr/bin/setpriv', args: ['--pdeathsig', 'SIGKILL', '--', '/bin/sleep', '1'] });
  });

  it('names the role of a pg tool from its file name', () => {
    expect(pgToolRole('/usr/lib/postgresql/16/bin/pg_dump')).toBe('pg_dump');
    expect(pgToolRole('C:\\PostgreSQL\\bin\\pg_restore.exe')).toBe('pg_restore');
    expect(pgToolRole('psql')).toBe('psql');
    expect(pgToolRole('/bin/sleep')).toBe('pg_tool');
  });
});
