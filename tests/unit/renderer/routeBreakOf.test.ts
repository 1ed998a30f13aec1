// The app reads which SSH hop failed from the core's error messages. The messages below are
// written as core/tunnels/tunnelErrors.ts words them (SshHopError, TunnelDroppedError); the
// renderer project cannot import core, so a change of wording there must be made here too.
import { describe, expect, it } from 'vitest';
import { routeBreakOf } from '../../../src/renderer/src/components/route/routeBreakOf';

describe('routeBreakOf', () => {
  it("names the hop of an SshHopError, with its role, address and the cause's code and hint", () => {
    const message = 'SSH hop 2 of 2 (tunnel endpoint, ssh ops@gw.internal:2222) failed: The host key of gw.internal:2222 is not the pinned one.';
    expect(routeBreakOf({ code: 'host-key-mismatch', message, hint: 'Check the key on the server, then pin it again.' })).toEqual({
      hopIndex: 1,
      hopCount: 2,
      code: 'host-key-mismatch',
      role: 'tunnel endpoint',
      description: 'ssh ops@gw.internal:2222',
      message,
      hint: 'Check the key on the server, then pin it again.',
    });
  });

  it('reads a hop that came from a ~/.ssh/config alias, and a tunnel that dropped', () => {
    const aliased = routeBreakOf({ code: 'ssh-hop-failed', message: 'SSH hop 1 of 3 (jump host 1 "bastion", ssh ops@bastion.example:22) failed: connect ECONNREFUSED', hint: 'h' });
    expect(aliased).toMatchObject({ hopIndex: 0, hopCount: 3, role: 'jump host 1', description: 'ssh ops@bastion.example:22' });
    const dropped = routeBreakOf({ code: 'tunnel-dropped', message: 'The SSH tunnel dropped at hop 3 of 3 (tunnel endpoint, ssh ops@gw:2222): keepalive timed out.', hint: 'resume' });
    expect(dropped).toMatchObject({ hopIndex: 2, hopCount: 3, code: 'tunnel-dropped', role: 'tunnel endpoint', description: 'ssh ops@gw:2222' });
  });

  it('prefers the break the payload carries, naming the hop from its route, and finds none in an error that is not about a hop', () => {
    const routeBreak = { hopIndex: 0, hopCount: 1, code: 'ssh-auth', message: 'refused', hint: 'add the key' };
    const view = { hops: [{ role: 'server host', description: 'ssh cm@mls:22' }], target: 'db:5432' };
    const route = { view, hops: [{ ...view.hops[0]!, status: 'failed' as const }], break: routeBreak };
    expect(routeBreakOf({ code: 'ssh-auth', message: 'SSH hop 1 of 1 (…', hint: 'add the key', route })).toEqual({ ...routeBreak, role: 'server host', description: 'ssh cm@mls:22' });
    // A route that opened, then the database refused: no break.
    expect(routeBreakOf({ code: 'wrong-password', message: 'password authentication failed', hint: 'store it', route: { view, hops: route.hops } })).toBeNull();
    expect(routeBreakOf({ code: 'wrong-password', message: 'password authentication failed for user "cm"', hint: 'store it' })).toBeNull();
  });
});
