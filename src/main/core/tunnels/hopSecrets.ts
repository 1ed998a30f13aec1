// The keychain side of a TunnelPool: each hop's passphrase or password (kind `ssh`,
// `tunnel`, `ssh-jumpN`, `tunnel-jumpN`), handed out only to the hop it was entered for
// (hostname, port, user, pinned host key). As for the server's own host (openHost.ts), a
// keychain that is locked or unavailable, or a secret bound elsewhere must not stop the agent or an
// unencrypted key: the hop is tried without, and only if its login then fails is the
// admin told that the keychain was locked (or unavailable) or the secret withheld.
import { isSecretKind } from '../../../shared/api';
import type { ServerRef } from '../../../shared/profiles';
import { SshAuthError } from '../hosts/host';
import type { EndpointBoundSecretStore } from '../secrets/endpointBoundSecretStore';
import { KeychainError } from '../secrets/keychainErrors';
import type { Secret } from '../secrets/secret';
import { sshHopEndpoint, type SecretEndpointChangedError } from '../secrets/secretEndpoint';
import type { SshHop } from './sshRoute';
import type { TunnelPoolOptions } from './tunnelPool';

/** TunnelPool's secretFor and explainAuthFailure, backed by the endpoint-bound keychain. */
export type HopSecretLookup = Required<Pick<TunnelPoolOptions, 'secretFor' | 'explainAuthFailure'>>;

/** Without a keychain: the agent and unencrypted identity files only. */
export const noHopSecrets: HopSecretLookup = { secretFor: async () => null, explainAuthFailure: (_hop, _ref, error) => error };

const hopKey = (ref: ServerRef, hop: SshHop): string => JSON.stringify([ref.installation, ref.server, hop.secretKind, hop.user, hop.hostname.toLowerCase(), hop.port]);

export function hopSecretLookup(secretStore: EndpointBoundSecretStore): HopSecretLookup {
  // Why a hop got no secret, for its login failure; keyed per server, kind and endpoint.
  const missing = new Map<string, KeychainError | SecretEndpointChangedError>();
  return {
    async secretFor(hop: SshHop, ref: ServerRef): Promise<Secret | null> {
      const key = hopKey(ref, hop);
      missing.delete(key);
      const kind = hop.secretKind;
      if (!isSecretKind(kind)) throw new Error(`an SSH hop with no keychain kind (${kind})`);
      try {
        const found = await secretStore.get(ref, kind, sshHopEndpoint(hop));
        if (found.withheld) missing.set(key, found.withheld);
        return found.secret;
      } catch (error) {
        // Locked, unavailable (no Secret Service, as on a headless machine) or not answering: the agent and
        // unencrypted keys are still tried, as the database password falls back to pgpass.
        if (!(error instanceof KeychainError)) throw error;
        missing.set(key, error);
        return null;
      }
    },
    explainAuthFailure(hop: SshHop, ref: ServerRef, error: Error): Error {
      if (!(error instanceof SshAuthError)) return error;
      return missing.get(hopKey(ref, hop)) ?? error;
    },
  };
}
