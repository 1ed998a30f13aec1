// The connections a run needs, opened on first use and closed together: a database client
// and a host (local or SSH) per server, with passwords resolved from the keychain or
// pgpass. Steps ask for what they need; nothing is opened that a step does not use.
import type pg from 'pg';
import { formatServerRef, type Installation, type Server, type ServerRef } from '../../../shared/profiles';
import type { Logger } from '../logging/logger';
import { openClient } from '../postgres/connect';
import { resolveDbPassword } from '../secrets/dbPassword';
import type { Secret } from '../secrets/secret';
import type { SecretStore } from '../secrets/secretStore';
import type { Host } from '../hosts/host';
import { openHost } from '../hosts/openHost';

export class RestoreResources {
  private readonly clients = new Map<string, Promise<pg.Client>>();
  private readonly hosts = new Map<string, Promise<Host>>();
  private readonly passwords = new Map<string, Promise<Secret | null>>();

  constructor(
    readonly installation: Installation,
    private readonly secretStore: SecretStore,
    private readonly env: NodeJS.ProcessEnv,
    readonly log: Logger,
  ) {}

  ref(server: Server): ServerRef {
    return { installation: this.installation.name, server: server.name };
  }

  server(name: string): Server {
    const found = this.installation.servers.find((s) => s.name === name);
    if (!found) throw new Error(`server ${name} is not in the run's installation snapshot`);
    return found;
  }

  password(server: Server): Promise<Secret | null> {
    const key = formatServerRef(this.ref(server));
    let found = this.passwords.get(key);
    if (!found) {
      found = resolveDbPassword(this.secretStore, this.ref(server), server.db, this.env).then((r) => r.secret);
      this.passwords.set(key, found);
    }
    return found;
  }

  /** A client for the server's database; reopened when a previous one was closed. */
  client(server: Server): Promise<pg.Client> {
    const key = formatServerRef(this.ref(server));
    let found = this.clients.get(key);
    if (!found) {
      found = this.password(server).then((password) =>
        openClient(server.db, password, { ref: this.ref(server), env: this.env, applicationName: 'replica-desk restore' }),
      );
      found.catch(() => this.clients.delete(key));
      this.clients.set(key, found);
    }
    return found;
  }

  /** A fresh client that the caller owns and must end (e.g. for a long transaction). */
  async ownClient(server: Server): Promise<pg.Client> {
    const password = await this.password(server);
    return openClient(server.db, password, { ref: this.ref(server), env: this.env, applicationName: 'replica-desk restore' });
  }

  host(server: Server, signal?: AbortSignal): Promise<Host> {
    const key = formatServerRef(this.ref(server));
    let found = this.hosts.get(key);
    if (!found) {
      found = openHost(server, this.ref(server), this.secretStore, this.env, { signal });
      found.catch(() => this.hosts.delete(key));
      this.hosts.set(key, found);
    }
    return found;
  }

  async close(): Promise<void> {
    const clients = [...this.clients.values()];
    const hosts = [...this.hosts.values()];
    this.clients.clear();
    this.hosts.clear();
    await Promise.allSettled([
      ...clients.map(async (c) => (await c).end()),
      ...hosts.map(async (h) => (await h).close()),
    ]);
  }
}
