// Secrets per server, on top of the keychain interface: the account naming, status for
// the "stored in keychain" indicator, and moving entries when servers are renamed. Each
// entry's binding to the endpoint it was entered for (secretBindings.ts) goes along: set
// binds, delete unbinds, renames carry it, confirm rebinds. A tunnel endpoint's or jump
// host's secret exists only for a hop the server's routes have; its endpoint is that hop as
// the route resolves (~/.ssh/config applied), so route resolution comes in as a context.
import { BASE_SECRET_KINDS, JUMP_SECRET_KINDS, type JumpSecretKind, type SecretEndpointStatus, type SecretKind, type SecretStatus } from '../../../shared/api';
import { formatServerRef, type Server, type ServerRef } from '../../../shared/profiles';
import { ConflictError, NotFoundError } from '../errors';
import type { Logger } from '../logging/logger';
import { describeHop, secretHopsOf, type RouteContext, type SshHop } from '../tunnels/sshRoute';
import type { Secret } from './secret';
import type { SecretBindings } from './secretBindings';
import { describeEndpoint, endpointOf, NoSuchSecretHopError, sameEndpoint, sshHopEndpoint, type SecretEndpoint } from './secretEndpoint';
import { accountFor, type SecretStore } from './secretStore';

/** Every kind a server may have an entry for: renames and deletions move or remove them all. */
export const SECRET_KINDS: readonly SecretKind[] = [...BASE_SECRET_KINDS, ...JUMP_SECRET_KINDS];

const isJumpKind = (kind: SecretKind): kind is JumpSecretKind => (JUMP_SECRET_KINDS as readonly string[]).includes(kind);

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

/** check() before a missing hop is refused: `current` is null for a kind the routes lack. */
type KindCheck = Omit<SecretEndpointCheck, 'current'> & { current: SecretEndpoint | null };

export class SecretService {
  constructor(
    private readonly store: SecretStore,
    private readonly bindings: SecretBindings,
    private readonly log: Logger,
    /** ~/.ssh/config for the hops' aliases (tunnels/sshConfig.ts routeContextFor). */
    private readonly routeContext: () => Promise<RouteContext>,
  ) {}

  get(ref: ServerRef, kind: SecretKind): Promise<Secret | null> {
    return this.store.get(accountFor(ref, kind));
  }

  async status(ref: ServerRef, server: Server): Promise<SecretStatus> {
    let hops: SshHop[] = [];
    let hopsProblem: string | null = null;
    try {
      hops = secretHopsOf(server, await this.routeContext());
    } catch (error) {
      hopsProblem = error instanceof Error ? error.message : String(error);
    }
    const jumpKinds = hops.map((h) => h.secretKind as SecretKind).filter(isJumpKind);
    const kinds: SecretKind[] = [...BASE_SECRET_KINDS, ...jumpKinds];
    const checks = await Promise.all(kinds.map((k) => this.checkKind(ref, k, server, hops)));
    const endpointStatus = (c: KindCheck): SecretEndpointStatus | null =>
      c.stored
        ? { boundToCurrent: c.matches, enteredFor: c.enteredFor ? describeEndpoint(c.enteredFor) : null, current: c.current ? describeEndpoint(c.current) : 'no such hop in the profile' }
        : null;
    const byKind = new Map(kinds.map((k, i) => [k, checks[i]!]));
    const endpoints: SecretStatus['endpoints'] = { db: endpointStatus(byKind.get('db')!), ssh: endpointStatus(byKind.get('ssh')!), tunnel: endpointStatus(byKind.get('tunnel')!) };
    const jumps: SecretStatus['jumps'] = {};
    for (const kind of jumpKinds) {
      jumps[kind] = byKind.get(kind)!.stored;
      endpoints[kind] = endpointStatus(byKind.get(kind)!);
    }
    return {
      db: byKind.get('db')!.stored,
      ssh: byKind.get('ssh')!.stored,
      tunnel: byKind.get('tunnel')!.stored,
      jumps,
      endpoints,
      hops: hops.map((h) => ({ kind: h.secretKind as SecretKind, role: h.role, endpoint: describeHop(h).replace(/^ssh /, ''), alias: h.alias ?? null })),
      hopsProblem,
    };
  }

  /**
   * Whether the stored secret may go to the server's current endpoint. A binding that cannot
   * be read never matches. A tunnel or jump host kind the server's routes lack is refused.
   */
  async check(ref: ServerRef, kind: SecretKind, server: Server): Promise<SecretEndpointCheck> {
    const hops = await this.hopsFor(kind, server);
    const check = await this.checkKind(ref, kind, server, hops);
    if (!check.current) throw new NoSuchSecretHopError(ref, kind, hops);
    return { ...check, current: check.current };
  }

  /** Stores the secret and binds it to the server's endpoint as it is now. */
  async set(ref: ServerRef, kind: SecretKind, secret: Secret, server: Server): Promise<void> {
    const account = accountFor(ref, kind);
    const endpoint = await this.currentEndpoint(ref, kind, server);
    await this.store.set(account, secret);
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

  /** Removes the entry; a tunnel or jump host kind the server's routes lack is refused (nothing is changed). */
  async delete(ref: ServerRef, kind: SecretKind, server: Server): Promise<boolean> {
    await this.currentEndpoint(ref, kind, server);
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
    const context = await this.routeContext();
    // A route that does not resolve (an alias gone from ~/.ssh/config) cannot say where its hops were.
    const endpoint = (server: Server, kind: SecretKind): SecretEndpoint | null | undefined => {
      try {
        return endpointOf(server, kind, context);
      } catch {
        return undefined;
      }
    };
    for (const { ref, before, after } of changes) {
      for (const kind of SECRET_KINDS) {
        const old = endpoint(before, kind);
        if (!old) continue;
        const next = endpoint(after, kind);
        if (next === undefined || (next && sameEndpoint(old, next))) continue;
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

  /** The endpoint a secret of this kind goes to now; NoSuchSecretHopError when the routes have no such hop. */
  private async currentEndpoint(ref: ServerRef, kind: SecretKind, server: Server): Promise<SecretEndpoint> {
    if (kind === 'db' || kind === 'ssh') return endpointOf(server, kind);
    const hops = secretHopsOf(server, await this.routeContext());
    const hop = hops.find((h) => h.secretKind === kind);
    if (!hop) throw new NoSuchSecretHopError(ref, kind, hops);
    return sshHopEndpoint(hop);
  }

  private async hopsFor(kind: SecretKind, server: Server): Promise<SshHop[]> {
    return kind === 'db' || kind === 'ssh' ? [] : secretHopsOf(server, await this.routeContext());
  }

  private async checkKind(ref: ServerRef, kind: SecretKind, server: Server, hops: readonly SshHop[]): Promise<KindCheck> {
    const account = accountFor(ref, kind);
    const stored = (await this.store.get(account)) !== null;
    const binding = this.bindings.get(account);
    const hop = hops.find((h) => h.secretKind === kind);
    const current = kind === 'db' || kind === 'ssh' ? endpointOf(server, kind) : hop ? sshHopEndpoint(hop) : null;
    const enteredFor = binding?.endpoint ?? null;
    return { stored, enteredFor, current, matches: current !== null && (!binding || (enteredFor !== null && sameEndpoint(enteredFor, current))) };
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
