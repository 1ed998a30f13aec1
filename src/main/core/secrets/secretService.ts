// Secrets per server, on top of the keychain interface: the account naming, status for
// the "stored in keychain" indicator, and moving entries when servers are renamed. Each
// entry's binding to the endpoint it was entered for (secretBindings.ts) goes along: set
// binds, delete unbinds, renames carry it, confirm rebinds.
import type { SecretEndpointStatus, SecretKind, SecretStatus } from '../../../shared/api';
import { formatServerRef, type Server, type ServerRef } from '../../../shared/profiles';
import { ConflictError, NotFoundError } from '../errors';
import type { Logger } from '../logging/logger';
import type { Secret } from './secret';
import type { SecretBindings } from './secretBindings';
import { describeEndpoint, endpointOf, sameEndpoint, type SecretEndpoint } from './secretEndpoint';
import { accountFor, type SecretStore } from './secretStore';

export const SECRET_KINDS: readonly SecretKind[] = ['db', 'ssh'];

/** A planned change of keychain accounts: where each secret must end up. */
export interface SecretMove {
  from: ServerRef;
  to: ServerRef;
}

/** A server before and after a profile change (same server, possibly renamed). */
export interface ServerChange {
  ref: ServerRef;
  before: Server;
  after: Server;
}

/** Where a stored secret was entered for, against where its server points now. */
export interface SecretEndpointCheck {
  stored: boolean;
  /** null while the secret has no binding yet (it binds on first use). */
  enteredFor: SecretEndpoint | null;
  current: SecretEndpoint;
  matches: boolean;
}

export class SecretService {
  constructor(
    private readonly store: SecretStore,
    private readonly bindings: SecretBindings,
    private readonly log: Logger,
  ) {}

  get(ref: ServerRef, kind: SecretKind): Promise<Secret | null> {
    return this.store.get(accountFor(ref, kind));
  }

  async status(ref: ServerRef, server: Server): Promise<SecretStatus> {
    const [db, ssh] = await Promise.all(SECRET_KINDS.map((k) => this.check(ref, k, server)));
    const endpointStatus = (c: SecretEndpointCheck): SecretEndpointStatus | null =>
      c.stored ? { boundToCurrent: c.matches, enteredFor: c.enteredFor ? describeEndpoint(c.enteredFor) : null, current: describeEndpoint(c.current) } : null;
    return { db: db!.stored, ssh: ssh!.stored, endpoints: { db: endpointStatus(db!), ssh: endpointStatus(ssh!) } };
  }

  /** Whether the stored secret may go to the server's current endpoint. A binding that cannot be read never matches. */
  async check(ref: ServerRef, kind: SecretKind, server: Server): Promise<SecretEndpointCheck> {
    const account = accountFor(ref, kind);
    const stored = (await this.store.get(account)) !== null;
    const binding = this.bindings.get(account);
    const current = endpointOf(server, kind);
    const enteredFor = binding?.endpoint ?? null;
    return { stored, enteredFor, current, matches: !binding || (enteredFor !== null && sameEndpoint(enteredFor, current)) };
  }

  /** Stores the secret and binds it to the server's endpoint as it is now. */
  async set(ref: ServerRef, kind: SecretKind, secret: Secret, server: Server): Promise<void> {
    const account = accountFor(ref, kind);
    await this.store.set(account, secret);
    const endpoint = endpointOf(server, kind);
    this.bindings.bind(account, endpoint, 'entered');
    this.log.info('secret stored in keychain', { server: formatServerRef(ref), kind, endpoint: describeEndpoint(endpoint) });
  }

  /**
   * Lets the stored secret go to the server's current endpoint, which must still be `shown`
   * (the endpoint the admin confirmed): a profile changed meanwhile is refused. Callers ask
   * the admin first (CLI: typed on the TTY; app: confirmInMain).
   */
  async confirm(ref: ServerRef, kind: SecretKind, server: Server, shown: SecretEndpoint): Promise<void> {
    const check = await this.check(ref, kind, server);
    if (!check.stored) throw new NotFoundError(`A stored ${kind} secret for ${formatServerRef(ref)}`, `Store one with \`replica-desk secrets set ${formatServerRef(ref)} ${kind}\`.`);
    if (!sameEndpoint(check.current, shown)) {
      throw new ConflictError(
        `The profile of ${formatServerRef(ref)} changed while the endpoint was being confirmed: it now points at ${describeEndpoint(check.current)}.`,
        'Look at the endpoints again and confirm anew; nothing was changed.',
      );
    }
    this.bindings.bind(accountFor(ref, kind), check.current, 'confirmed');
    this.log.info('secret confirmed for a new endpoint', { server: formatServerRef(ref), kind, from: describeEndpoint(check.enteredFor), to: describeEndpoint(check.current) });
  }

  async delete(ref: ServerRef, kind: SecretKind): Promise<boolean> {
    const existed = await this.store.delete(accountFor(ref, kind));
    this.bindings.remove(accountFor(ref, kind));
    if (existed) this.log.info('secret removed from keychain', { server: formatServerRef(ref), kind });
    return existed;
  }

  /**
   * Before servers' profiles are replaced: a secret whose endpoint is about to change and
   * that has no binding yet (written before bindings existed, or by secret-tool) is bound to
   * the endpoint it was used with until now, so the change is seen. A binding without a
   * keychain entry is dropped instead, so a secret written later binds to where it is used.
   */
  async pinBeforeChange(changes: readonly ServerChange[]): Promise<void> {
    for (const { ref, before, after } of changes) {
      for (const kind of SECRET_KINDS) {
        const old = endpointOf(before, kind);
        if (sameEndpoint(old, endpointOf(after, kind))) continue;
        const account = accountFor(ref, kind);
        // A keychain that cannot answer may hold a secret: keep (or make) the binding.
        const stored = await this.store.get(account).then((s) => s !== null, () => true);
        if (!stored) this.bindings.remove(account);
        else if (this.bindings.bindIfMissing(account, old, 'profile-change')) {
          this.log.info('keychain secret bound to the endpoint it was used with, before a profile change', {
            server: formatServerRef(ref),
            kind,
            endpoint: describeEndpoint(old),
          });
        }
      }
    }
  }

  /**
   * Moves secrets for renamed servers and removes those of deleted servers, around a
   * database change `commit`. All old values are read first, so swaps (a→b, b→a) work;
   * new accounts are written before the commit and old ones deleted after it, and a
   * failed commit puts the keychain back as it was.
   */
  async relocate(moves: readonly SecretMove[], removed: readonly ServerRef[], commit: () => void): Promise<void> {
    const changed = moves.filter((m) => formatServerRef(m.from) !== formatServerRef(m.to));
    if (changed.length === 0 && removed.length === 0) {
      commit();
      return;
    }
    // The bindings move with the entries, in the same SQLite transaction as the profile change.
    const bindingTargets = new Map<string, string>();
    for (const m of changed) for (const kind of SECRET_KINDS) bindingTargets.set(accountFor(m.to, kind), accountFor(m.from, kind));
    const unbound = [...changed.map((m) => m.from), ...removed]
      .flatMap((ref) => SECRET_KINDS.map((kind) => accountFor(ref, kind)))
      .filter((account) => !bindingTargets.has(account));
    const commitWithBindings = () => this.bindings.inTransaction(() => {
      commit();
      this.bindings.relocate(bindingTargets, unbound);
    });
    const before = new Map<string, Secret | null>();
    const read = async (ref: ServerRef) => {
      for (const kind of SECRET_KINDS) {
        const account = accountFor(ref, kind);
        if (!before.has(account)) before.set(account, await this.store.get(account));
      }
    };
    for (const m of changed) {
      await read(m.from);
      await read(m.to);
    }
    for (const ref of removed) await read(ref);

    const desired = new Map<string, Secret | null>();
    for (const m of changed) {
      for (const kind of SECRET_KINDS) desired.set(accountFor(m.to, kind), before.get(accountFor(m.from, kind)) ?? null);
    }
    const written: string[] = [];
    try {
      for (const [account, secret] of desired) {
        if (secret) {
          await this.store.set(account, secret);
          written.push(account);
        }
      }
      commitWithBindings();
    } catch (e) {
      for (const account of written) {
        const original = before.get(account) ?? null;
        await (original ? this.store.set(account, original) : this.store.delete(account)).catch(() => undefined);
      }
      throw e;
    }
    // After the commit: every account that held a secret and is not meant to hold one now.
    for (const [account, secret] of before) {
      const target = desired.get(account);
      if (secret && !target) {
        await this.store.delete(account).catch((e: unknown) => {
          this.log.warn('could not remove an old keychain entry', { account, error: String(e) });
        });
      }
    }
    this.log.info('keychain entries relocated', {
      moves: changed.map((m) => `${formatServerRef(m.from)} -> ${formatServerRef(m.to)}`),
      removed: removed.map(formatServerRef),
    });
  }
}
