// The keychain as every connection sees it (connection test, topology, preflight, restore):
// a secret is handed out only for the endpoint it was entered for. An entry without a
// binding (written by secret-tool, or for a server that never had one) is bound to the
// endpoint of its first use, and the log says so; a bound entry asked for another endpoint
// is withheld, and the caller says why (SecretEndpointChangedError) instead of sending it.
import type { SecretKind } from '../../../shared/api';
import { formatServerRef, type ServerRef } from '../../../shared/profiles';
import type { Logger } from '../logging/logger';
import type { Secret } from './secret';
import type { SecretBindings } from './secretBindings';
import { describeEndpoint, sameEndpoint, SecretEndpointChangedError, type SecretEndpoint } from './secretEndpoint';
import { accountFor, type SecretStore } from './secretStore';

/** What the keychain gave for an endpoint: the secret, or why it was held back. */
export type EndpointSecret = { secret: Secret; withheld: null } | { secret: null; withheld: SecretEndpointChangedError | null };

export class EndpointBoundSecretStore {
  constructor(
    private readonly store: SecretStore,
    private readonly bindings: SecretBindings,
    private readonly log: Logger,
  ) {}

  /** Keychain errors (locked, unavailable) propagate as the store throws them. */
  async get(ref: ServerRef, kind: SecretKind, endpoint: SecretEndpoint): Promise<EndpointSecret> {
    const account = accountFor(ref, kind);
    const secret = await this.store.get(account);
    if (!secret) return { secret: null, withheld: null };
    if (this.bindings.bindIfMissing(account, endpoint, 'first-use')) {
      this.log.info('keychain secret bound to its endpoint on first use', { server: formatServerRef(ref), kind, endpoint: describeEndpoint(endpoint) });
      return { secret, withheld: null };
    }
    // Read after the insert attempt: another process may have bound it a moment ago.
    const bound = this.bindings.get(account)?.endpoint ?? null;
    if (bound && sameEndpoint(bound, endpoint)) return { secret, withheld: null };
    const withheld = new SecretEndpointChangedError(ref, kind, bound, endpoint);
    this.log.warn('keychain secret not used: the server points at another endpoint', {
      server: formatServerRef(ref),
      kind,
      enteredFor: describeEndpoint(bound),
      now: describeEndpoint(endpoint),
    });
    return { secret: null, withheld };
  }
}
