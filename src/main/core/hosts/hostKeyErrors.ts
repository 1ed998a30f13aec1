// Refusals of an SSH host whose key the profile does not pin, after checking the user's
// OpenSSH known_hosts (knownHosts.ts): an unknown host, a host whose recorded key differs,
// a revoked key. Each says what the server offered and how to trust it deliberately.
// (A key that differs from the profile's pin is HostKeyMismatchError in host.ts.)
import { ReplicaDeskError } from '../errors';
import type { KnownHostsEntry } from './knownHosts';

const where = (e: KnownHostsEntry): string => `${e.file}:${e.line}`;

const CHECK_OUT_OF_BAND = 'Compare it out of band with the key on the host (there: `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub`)';

export class HostKeyUnknownError extends ReplicaDeskError {
  constructor(
    readonly host: string,
    readonly fingerprint: string,
    readonly port: number,
    readonly filesChecked: readonly string[],
    readonly unreadable: readonly string[] = [],
  ) {
    super(
      'host-key-unknown',
      `The SSH host key of ${host} is not known: the server offered ${fingerprint}, the profile pins no host.hostKey, ` +
        `and no known_hosts file lists this host (checked: ${filesChecked.join(', ') || 'none'}` +
        `${unreadable.length ? `; could not read: ${unreadable.join(', ')}` : ''}). Nothing was sent to that host.`,
      `${CHECK_OUT_OF_BAND}, then either pin it: put ${fingerprint} into the profile's host.hostKey ` +
        '(in the app: the server\'s *Fetch host key*), or add the host to ~/.ssh/known_hosts by connecting once with ' +
        `\`ssh -p ${port} USER@HOST\` and accepting the key only if the fingerprint matches.`,
    );
  }
}

export class KnownHostKeyChangedError extends ReplicaDeskError {
  constructor(
    readonly host: string,
    readonly fingerprint: string,
    readonly recorded: readonly KnownHostsEntry[],
  ) {
    super(
      'host-key-changed',
      `REMOTE HOST IDENTIFICATION HAS CHANGED for ${host}: the server offered ${fingerprint}, but known_hosts records ` +
        `another key for this host (${recorded.map((e) => `${e.keyType} at ${where(e)}`).join(', ')}). Nothing was sent to that host.`,
      'The host may have been reinstalled, or someone may be intercepting the connection. Verify the new key with the server admin ' +
        '(on the host: `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub`); only then remove the old line ' +
        `(\`ssh-keygen -R HOST\`, or edit ${where(recorded[0]!)}) and record the new key, or pin it in the profile's host.hostKey.`,
    );
  }
}

export class HostKeyRevokedError extends ReplicaDeskError {
  constructor(
    readonly host: string,
    readonly fingerprint: string,
    readonly entry: KnownHostsEntry,
  ) {
    super(
      'host-key-revoked',
      `The SSH host key ${fingerprint} offered by ${host} is marked @revoked in ${where(entry)}. Nothing was sent to that host.`,
      'A revoked key must never be accepted. Ask the server admin to replace the host key, then check the new fingerprint and record it.',
    );
  }
}
