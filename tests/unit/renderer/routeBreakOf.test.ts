// The app reads which SSH hop failed from the core's own error messages (SshHopError,
// TunnelDroppedError): built here by the core's classes, so a change of wording shows.
import { describe, expect, it } from 'vitest';
import { ReplicaDeskError, toErrorPayload } from '../../../src/main/core/errors';
import type { SshHop } from '../../../src/main/core/tunnels/sshRoute';
import { SshHopError, TunnelDroppedError } from '../../../src/main/core/tunnels/tunnelErrors';
import { routeBreakOf } from '../../../src/renderer/src/components/route/routeBreakOf';

const hop = (role: string, hostname: string, alias?: string): SshHop => ({ hostname, port: 2222, user: 'ops', secretKind: 'tunnel', role, ...(alias ? { alias } : {}) });

describe('routeBreakOf', () => {
  it('names the hop of an SshHopError, with its role, address and the cause\'s code and hint', () => {
    const cause = new ReplicaDeskError('host-key-mismatch', 'The host key of gw.internal:2222 is not the pinned one.', 'Check the key on the server, then pin it again.');
    const payload = toErrorPayload(new SshHopError(1, 2, hop('tunnel endpoint', 'gw.internal'), cause));
    expect(routeBreakOf(payload)).toEqual({
      hopIndex: 1,
      hopCount: 2,
      code: 'host-key-mismatch',
      role: 'tunnel endpoint',
      description: 'ssh ops@gw.internal:2222',
      message: payload.message,
      hint: 'Check the key on the server, then pin it again.',
    });
  });

  it('reads a hop that came from a ~/.ssh/config alias, and a tunnel that dropped', () => {
    const aliased = routeBreakOf(toErrorPayload(new SshHopError(0, 3, hop('jump host 1', 'bastion.example', 'bastion'), new Error('connect ECONNREFUSED'))));
    expect(aliased).toMatchObject({ hopIndex: 0, hopCount: 3, role: 'jump host 1', description: 'ssh ops@bastion.example:2222' });
    const dropped = routeBreakOf(toErrorPayload(new TunnelDroppedError(2, 3, hop('tunnel endpoint', 'gw'), 'keepalive timed out')));
    expect(dropped).toMatchObject({ hopIndex: 2, hopCount: 3, code: 'tunnel-dropped', role: 'tunnel endpoint', description: 'ssh ops@gw:2222' });
  });

  it('prefers a break the payload carries, and finds none in an error that is not about a hop', () => {
    const routeBreak = { hopIndex: 0, hopCount: 1, code: 'ssh-auth', message: 'refused', hint: 'add the key' };
    expect(routeBreakOf({ code: 'ssh-auth', message: 'refused', hint: 'add the key', routeBreak })).toBe(routeBreak);
    expect(routeBreakOf({ code: 'wrong-password', message: 'password authentication failed for user "cm"', hint: 'store it' })).toBeNull();
  });
});
