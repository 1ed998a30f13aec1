// Whether a database connection travels encrypted, as the connection test, topology, the
// run record and preflight report it. No Node and no DOM here: main and renderer import it.

export interface ConnectionEncryption {
  tls: boolean;
  /** The negotiated TLS version, e.g. `TLSv1.3`, when tls. */
  protocol?: string;
}

/** "TLS (TLSv1.3)" or "not encrypted", as every view says it. */
export const describeEncryption = (e: ConnectionEncryption): string => (e.tls ? `TLS${e.protocol ? ` (${e.protocol})` : ''}` : 'not encrypted');

/**
 * What a record that keeps one value per database should hold after another session: the
 * weaker one, since a single plaintext session is the one that exposed the password and data.
 * Null when `recorded` stays.
 */
export function weakerEncryption(recorded: ConnectionEncryption | null | undefined, next: ConnectionEncryption): ConnectionEncryption | null {
  if (recorded && (!recorded.tls || next.tls)) return null;
  return next;
}

/** Reads a stored value (a run's captured JSON) back; anything else is "not recorded". */
export function asConnectionEncryption(value: unknown): ConnectionEncryption | null {
  if (typeof value !== 'object' || value === null || typeof (value as { tls?: unknown }).tls !== 'boolean') return null;
  const { tls, protocol } = value as { tls: boolean; protocol?: unknown };
  return typeof protocol === 'string' ? { tls, protocol } : { tls };
}
