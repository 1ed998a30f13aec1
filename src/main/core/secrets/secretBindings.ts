// SQLite persistence of the endpoint each keychain entry was entered for (table
// secret_bindings, migration 6). The keychain keeps the plain secret — admins and tests may
// write it with secret-tool — so the binding lives here, keyed by the same account name.
import type { SecretKind } from '../../../shared/api';
import type { SqliteDatabase } from '../store/database';
import { parseEndpoint, type SecretEndpoint } from './secretEndpoint';

/**
 * Why a binding was made: the secret was typed in (`entered`), confirmed for a new endpoint
 * (`confirmed`), seen for the first time in use (`first-use`), pinned to the old endpoint
 * just before a profile change (`profile-change`), or seeded on upgrade (`upgrade`).
 */
export type BindingOrigin = 'entered' | 'confirmed' | 'first-use' | 'profile-change' | 'upgrade';

export interface SecretBinding {
  account: string;
  kind: SecretKind;
  /** null when the stored JSON is not an endpoint this version understands (treated as "changed"). */
  endpoint: SecretEndpoint | null;
  origin: string;
  boundAt: string;
}

interface BindingRow {
  account: string;
  kind: SecretKind;
  endpoint: string;
  origin: string;
  bound_at: string;
}

export class SecretBindings {
  constructor(private readonly db: SqliteDatabase) {}

  get(account: string): SecretBinding | null {
    const row = this.db.prepare('SELECT account, kind, endpoint, origin, bound_at FROM secret_bindings WHERE account = ?').get(account) as
      | BindingRow
      | undefined;
    return row ? { account: row.account, kind: row.kind, endpoint: parseEndpoint(row.endpoint), origin: row.origin, boundAt: row.bound_at } : null;
  }

  /** Binds (or rebinds) the account's secret to `endpoint`. */
  bind(account: string, endpoint: SecretEndpoint, origin: BindingOrigin): void {
    this.db
      .prepare(
        `INSERT INTO secret_bindings (account, kind, endpoint, origin, bound_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (account) DO UPDATE SET kind = excluded.kind, endpoint = excluded.endpoint, origin = excluded.origin, bound_at = excluded.bound_at`,
      )
      .run(account, endpoint.kind, JSON.stringify(endpoint), origin, new Date().toISOString());
  }

  /** Binds only when the account has no binding yet; true when this call made it. */
  bindIfMissing(account: string, endpoint: SecretEndpoint, origin: BindingOrigin): boolean {
    return (
      this.db
        .prepare('INSERT INTO secret_bindings (account, kind, endpoint, origin, bound_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (account) DO NOTHING')
        .run(account, endpoint.kind, JSON.stringify(endpoint), origin, new Date().toISOString()).changes > 0
    );
  }

  /** Runs `fn` in one SQLite transaction with the bindings' changes (the profile change and its bindings commit together). */
  inTransaction(fn: () => void): void {
    this.db.transaction(fn)();
  }

  remove(account: string): void {
    this.db.prepare('DELETE FROM secret_bindings WHERE account = ?').run(account);
  }

  /**
   * Makes the bindings follow keychain entries that move: `desired` maps each account that
   * must end up with the binding of another account (its old name); `removed` accounts lose
   * theirs. All rows are read first, so swaps work; one transaction (nested in the caller's).
   */
  relocate(desired: ReadonlyMap<string, string>, removed: readonly string[]): void {
    this.db.transaction(() => {
      const rows = new Map<string, BindingRow | undefined>();
      const read = (account: string) => {
        if (!rows.has(account)) {
          rows.set(account, this.db.prepare('SELECT account, kind, endpoint, origin, bound_at FROM secret_bindings WHERE account = ?').get(account) as BindingRow | undefined);
        }
      };
      for (const [to, from] of desired) {
        read(to);
        read(from);
      }
      for (const account of [...desired.keys(), ...removed]) this.remove(account);
      const insert = this.db.prepare('INSERT OR REPLACE INTO secret_bindings (account, kind, endpoint, origin, bound_at) VALUES (?, ?, ?, ?, ?)');
      for (const [to, from] of desired) {
        const row = rows.get(from);
        if (row) insert.run(to, row.kind, row.endpoint, row.origin, row.bound_at);
      }
    })();
  }
}
