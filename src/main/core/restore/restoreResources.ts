// The connections a run needs, opened on first use and closed together: a database client
// and a host (local or SSH) per server, with passwords resolved from the keychain or
// pgpass. Steps ask for what they need; nothing is opened that a step does not use.
// Each database connection reports whether it is encrypted, for the run record.
import type pg from 'pg';
import { formatServerRef, type Installation, type Server, type ServerRef } from '../../../shared/profiles';
import type { Logger } from '../logging/logger';
import { openClient } from '../postgres/connect';
import { connectionEncryption } from '../postgres/connectionEncryption';
import type { ConnectionEncryption } from '../../../shared/connectionEncryption';
import { backendPid } from '../postgres/sessions';
import { closeClient } from '../postgres/closeClient';
import { resolveDbPassword } from '../secrets/dbPassword';
import type { Secret } from '../secrets/secret';
import type { EndpointBoundSecretStore } from '../secrets/endpointBoundSecretStore';
import type { Host } from '../hosts/host';
import { openHost } from '../hosts/openHost';

const LOCK_QUERY_TIMEOUT_MS = 15_000;
/**
 * Every query of a run's own clients is bounded, so a frozen network cannot hang a step:
 * above the longest server-side limit those clients use (the drop's 10 min), so a server's
 * own, more precise error comes first.
 */
const RUN_QUERY_TIMEOUT_MS = 11 * 60_000;

export class RestoreResources {
  private readonly clients = new Map<string, Promise<pg.Client>>();
  private readonly hosts = new Map<string, Promise<Host>>();
  private readonly passwords = new Map<string, Promise<Secret | null>>();
  /** Backend pids of every session this run opened: its own, never "the server is still connected". */
  private readonly pids = new Set<number>();

  constructor(
    readonly installation: Installation,
    private readonly secretStore: EndpointBoundSecretStore,
    private readonly env: NodeJS.ProcessEnv,
    readonly log: Logger,
    /** Told about every database connection opened, with whether it is encrypted. */
    private readonly onConnected: (server: Server, encryption: ConnectionEncryption) => void = () => undefined,
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
      const opened = this.open(server, 'replica-desk restore', { queryTimeoutMs: RUN_QUERY_TIMEOUT_MS });
      const forget = () => {
        if (this.clients.get(key) === opened) this.clients.delete(key);
      };
      // A client whose session ended (a restarted server, a query timeout) is replaced on next use.
      opened.then((c) => c.once('end', forget), forget);
      found = opened;
      this.clients.set(key, found);
    }
    return found;
  }

  /** A fresh client that the caller owns and must end (e.g. for a long transaction). */
  ownClient(server: Server): Promise<pg.Client> {
    return this.open(server, 'replica-desk restore', { queryTimeoutMs: RUN_QUERY_TIMEOUT_MS });
  }

  /** A session for a run lock: every query bounded, so a frozen network cannot hang a check. */
  lockSession(server: Server, applicationName: string): Promise<pg.Client> {
    return this.open(server, applicationName, { statementTimeoutMs: LOCK_QUERY_TIMEOUT_MS });
  }

  /** Backend pids of the sessions this run opened (see `pids`). */
  ownSessionPids(): number[] {
    return [...this.pids];
  }

  private async open(server: Server, applicationName: string, extra: { statementTimeoutMs?: number; queryTimeoutMs?: number } = {}): Promise<pg.Client> {
    const password = await this.password(server);
    const client = await openClient(server.db, password, { ref: this.ref(server), env: this.env, applicationName, ...extra });
    this.onConnected(server, connectionEncryption(client));
    const pid = await backendPid(client).catch(() => null);
    if (pid !== null) {
      this.pids.add(pid);
      client.once('end', () => this.pids.delete(pid));
    }
    return client;
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
      ...clients.map(async (c) => closeClient(await c)),
      ...hosts.map(async (h) => (await h).close()),
    ]);
  }
}
