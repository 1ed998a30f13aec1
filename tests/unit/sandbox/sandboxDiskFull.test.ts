// A full disk during `sandbox up` is reported as such (code disk-full, with what to do), whether
// PostgreSQL or Node saw it; anything else passes through untouched.
import { describe, expect, it } from 'vitest';
import { ReplicaDeskError } from '../../../src/main/core/errors';
import { SandboxDiskFullError, diskFullOr } from '../../../src/main/core/sandbox/sandboxDiskFull';

describe('diskFullOr', () => {
  it('recognises PostgreSQL\'s "could not extend file" and Node\'s ENOSPC', () => {
    const pg = Object.assign(new Error('could not extend file "base/16385/16418": No space left on device'), { code: '53100' });
    const fromPg = diskFullOr(pg, '/mnt/small');
    expect(fromPg).toBeInstanceOf(SandboxDiskFullError);
    expect((fromPg as SandboxDiskFullError).toPayload()).toMatchObject({ code: 'disk-full', message: expect.stringContaining('/mnt/small: could not extend file') });
    expect((fromPg as SandboxDiskFullError).hint).toContain('replica-desk sandbox down');
    const node = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    expect(diskFullOr(node, '/mnt/small')).toBeInstanceOf(SandboxDiskFullError);
  });

  it('leaves every other error as it is', () => {
    const other = new ReplicaDeskError('sandbox-build-failed', 'initdb failed', 'run it again');
    expect(diskFullOr(other, '/x')).toBe(other);
    const plain = new Error('connection refused');
    expect(diskFullOr(plain, '/x')).toBe(plain);
  });
});
