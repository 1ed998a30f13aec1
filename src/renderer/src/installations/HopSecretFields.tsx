// A server's keychain secrets for its SSH hops: one passphrase field per hop of its routes
// (server host, tunnel endpoint, each jump host), as the core lists them with their
// keychain kinds. While the status loads, the server host's field stands alone, as before.
import type { SecretKind, SecretStatus } from '../../../shared/api';
import type { Server, ServerRef } from '../../../shared/profiles';
import { SecretField } from './SecretField';

interface HopSecretFieldsProps {
  serverRef: ServerRef;
  server: Server;
  secrets: SecretStatus | null;
  onStatus(next: SecretStatus): void;
}

function storedOf(secrets: SecretStatus, kind: SecretKind): boolean {
  if (kind === 'db' || kind === 'ssh' || kind === 'tunnel') return secrets[kind];
  return secrets.jumps[kind] ?? false;
}

export function HopSecretFields({ serverRef, server, secrets, onStatus }: HopSecretFieldsProps) {
  if (!secrets) {
    return server.host.access === 'ssh' ? <SecretField serverRef={serverRef} kind="ssh" stored={undefined} onStatus={onStatus} /> : null;
  }
  const several = secrets.hops.length > 1;
  return (
    <>
      {secrets.hops.map((hop) => (
        <SecretField
          key={hop.kind}
          serverRef={serverRef}
          kind={hop.kind}
          stored={storedOf(secrets, hop.kind)}
          endpoint={secrets.endpoints[hop.kind]}
          onStatus={onStatus}
          hop={several || hop.kind !== 'ssh' ? `${hop.role} · ${hop.endpoint}${hop.alias ? ` (alias ${hop.alias})` : ''}` : undefined}
        />
      ))}
      {secrets.hopsProblem ? (
        <p className="notice notice-warning" role="status">
          The SSH hops could not be listed: {secrets.hopsProblem}
        </p>
      ) : null}
    </>
  );
}
