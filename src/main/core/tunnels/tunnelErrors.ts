// What goes wrong on an SSH route, said per hop: which hop of how many failed (its role and
// address), why (the hop's own classified error: unknown host key, refused login, no route),
// and, for a tunnel that worked and then went away, that `runs resume` reopens it.
import { ReplicaDeskError } from '../errors';
import { describeHop, type SshHop } from './sshRoute';

/** A hop that could not be opened. Keeps the cause's code (`host-key-unknown`, `ssh-auth`, …). */
export class SshHopError extends ReplicaDeskError {
  constructor(
    readonly hopIndex: number,
    readonly hopCount: number,
    readonly hop: SshHop,
    readonly reason: Error,
  ) {
    const base = reason instanceof ReplicaDeskError ? reason : null;
    // The host errors speak of host.hostKey; this hop's key is pinned elsewhere in the profile.
    const pin = hop.profilePath ? `${hop.profilePath}.hostKey` : 'hostKey (list this ProxyJump hop under jumpHosts in the profile to pin it)';
    const retarget = (text: string): string => text.replaceAll('host.hostKey', pin);
    super(
      base?.code ?? 'ssh-hop-failed',
      `SSH hop ${hopIndex + 1} of ${hopCount} (${hop.role}${hop.alias ? ` "${hop.alias}"` : ''}, ${describeHop(hop)}) failed: ${retarget(reason.message)}`,
      retarget(base?.hint ?? 'Check that hop in the profile (or its ~/.ssh/config alias), and try `ssh -J` with the same hops from this machine.'),
      { cause: reason },
    );
  }
}

/** A jump host that could not open the channel to the next hop or to the database. */
export class SshChannelRefusedError extends ReplicaDeskError {
  constructor(from: SshHop, to: { host: string; port: number }, reason: string) {
    super(
      'ssh-channel-refused',
      `${describeHop(from)} could not connect onwards to ${to.host}:${to.port}: ${reason}.`,
      `Check that ${to.host}:${to.port} is right as that host sees it (in the profile it is the next hop's hostname and port, or db.host and db.port), that it listens there, and that sshd on ${from.hostname} allows TCP forwarding (AllowTcpForwarding, PermitOpen).`,
    );
  }
}

/** A tunnel that was open and went away: the hop's connection closed or stopped answering keepalives. */
export class TunnelDroppedError extends ReplicaDeskError {
  constructor(
    readonly hopIndex: number,
    readonly hopCount: number,
    readonly hop: SshHop,
    reason: string,
  ) {
    super(
      'tunnel-dropped',
      `The SSH tunnel dropped at hop ${hopIndex + 1} of ${hopCount} (${hop.role}, ${describeHop(hop)}): ${reason}.`,
      'Check that host and the network to it. Nothing is lost: `replica-desk runs resume RUN_ID` reopens the tunnel and continues from the first unfinished step.',
    );
  }
}
