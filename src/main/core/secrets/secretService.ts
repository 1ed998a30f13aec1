// Secrets per server, on top of the keychain interface: the account naming, status for
// the "stored in keychain" indicator, and moving entries when servers are renamed.
import type { SecretKind, SecretStatus } from '../../../shared/api';
import { formatServerRef, type ServerRef } from '../../../shared/profiles';
import type { Logger } from '../logging/logger';
import type { Secret } from './secret';
import { accountFor, type SecretStore } from './secretStore';

export const SECRET_KINDS: readonly SecretKind[] = ['db', 'ssh'];

/** A planned change of keychain accounts: where each secret must end up. */
export interface SecretMove {
  from: ServerRef;
  to: ServerRef;
}

export class SecretService {
  constructor(
    private readonly store: SecretStore,
    private readonly log: Logger,
  ) {}

  get(ref: ServerRef, kind: SecretKind): Promise<Secret | null> {
    return this.store.get(accountFor(ref, kind));
  }

  async status(ref: ServerRef): Promise<SecretStatus> {
    const [db, ssh] = await Promise.all(SECRET_KINDS.map((k) => this.get(ref, k)));
    return { db: db !== null, ssh: ssh !== null };
  }

  async set(ref: ServerRef, kind: SecretKind, secret: Secret): Promise<void> {
    await this.store.set(accountFor(ref, kind), secret);
    this.log.info('secret stored in keychain', { server: formatServerRef(ref), kind });
  }

  async delete(ref: ServerRef, kind: SecretKind): Promise<boolean> {
    const existed = await this.store.delete(accountFor(ref, kind));
    if (existed) this.log.info('secret removed from keychain', { server: formatServerRef(ref), kind });
    return existed;
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
      commit();
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
