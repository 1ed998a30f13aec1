// The sandbox's keychain entries: each server's database password under the usual account
// (`sandbox/<server>/db`), bound to the server's endpoint as any entered secret is; what of
// them is stored; and their removal, with their bindings, by `sandbox down`.
import { BASE_SECRET_KINDS } from '../../../shared/api';
import type { Installation, ServerRef } from '../../../shared/profiles';
import { Secret } from '../secrets/secret';
import type { SecretBindings } from '../secrets/secretBindings';
import { endpointOf, sameEndpoint } from '../secrets/secretEndpoint';
import type { SecretService } from '../secrets/secretService';
import { accountFor, type SecretStore } from '../secrets/secretStore';

export class SandboxKeychain {
  constructor(
    private readonly secrets: SecretService,
    private readonly keychain: SecretStore,
    private readonly bindings: SecretBindings,
  ) {}

  /**
   * Stores each server's password (`passwords` by server name), bound to its endpoint in
   * `installation` (the profile about to be imported). An entry that already holds the
   * password for that endpoint is left as it is. Returns how many were written.
   */
  async store(installation: Installation, passwords: Readonly<Record<string, string>>): Promise<number> {
    let written = 0;
    for (const server of installation.servers) {
      const password = passwords[server.name];
      if (!password) continue;
      const ref = { installation: installation.name, server: server.name };
      const secret = new Secret(password);
      const stored = await this.secrets.get(ref, 'db');
      const binding = this.bindings.get(accountFor(ref, 'db'));
      if (stored?.equals(secret) && binding?.endpoint && sameEndpoint(binding.endpoint, endpointOf(server, 'db'))) continue;
      await this.secrets.set(ref, 'db', secret, server);
      written += 1;
    }
    return written;
  }

  /** Each server's `db` entry and whether the keychain holds it. */
  async entries(refs: readonly ServerRef[]): Promise<Array<{ account: string; stored: boolean }>> {
    const out: Array<{ account: string; stored: boolean }> = [];
    for (const ref of refs) out.push({ account: accountFor(ref, 'db'), stored: (await this.keychain.get(accountFor(ref, 'db'))) !== null });
    return out;
  }

  /**
   * Removes every entry the servers may have (db, ssh, tunnel: the sandbox's servers are
   * local, so they have no jump hosts) and their bindings, whether or not the profile still
   * exists. Returns the accounts that held a secret.
   */
  async remove(refs: readonly ServerRef[]): Promise<string[]> {
    const removed: string[] = [];
    for (const ref of refs) {
      for (const kind of BASE_SECRET_KINDS) {
        const account = accountFor(ref, kind);
        if (await this.keychain.delete(account)) removed.push(account);
        this.bindings.remove(account);
      }
    }
    return removed;
  }
}
