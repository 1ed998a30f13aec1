// Whether a database connection travels encrypted, as the connection test, topology, the
// run record and preflight report it. No Node and no DOM here: main and renderer import it.

export interface ConnectionEncryption {
  tls: boolean;
  /** The negotiated TLS version, e.g. `TLSv1.3`, when tls. */
  protocol?: string;
}

/** "TLS (TLSv1.3)" or "not encrypted", as every view says it. */
export const describeEncryption = (e: ConnectionEncryption): string => (e.tls ? `TLS${e.protocol ? ` (${e.protocol})` : ''}` : 'not encrypted');

/** Reads a stored value (a run's captured JSON) back; anything else is "not recorded". */
export function asConnectionEncryption(value: unknown): ConnectionEncryption | null {
  if (typeof value !== 'object' || value === null || typeof (value as { tls?: unknown }).tls !== 'boolean') return null;
  const { tls, protocol } = value as { tls: boolean; protocol?: unknown };
  return typeof protocol === 'string' ? { tls, protocol } : { tls };
}
