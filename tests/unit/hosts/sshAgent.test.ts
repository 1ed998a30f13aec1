// The agent offered to ssh2: SSH_AUTH_SOCK wins everywhere; Windows without it asks Pageant.
import { describe, expect, it } from 'vitest';
import { sshAgentFor } from '../../../src/main/core/hosts/sshAgent';

describe('sshAgentFor', () => {
  it('uses SSH_AUTH_SOCK when set, on every platform', () => {
    expect(sshAgentFor({ SSH_AUTH_SOCK: '/tmp/agent.sock' }, 'linux')).toBe('/tmp/agent.sock');
    expect(sshAgentFor({ SSH_AUTH_SOCK: '\\\\.\\pipe\\openssh-ssh-agent' }, 'win32')).toBe('\\\\.\\pipe\\openssh-ssh-agent');
  });
  it('falls back to Pageant on Windows only', () => {
    expect(sshAgentFor({}, 'win32')).toBe('pageant');
    expect(sshAgentFor({}, 'linux')).toBeUndefined();
    expect(sshAgentFor({ SSH_AUTH_SOCK: '' }, 'darwin')).toBeUndefined();
  });
});
