// Whether an open pg client's connection is encrypted, and with which TLS version.
//
// Read from the client's own socket rather than asked of the server
// (`SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()`): it costs no round
// trip, works on any server version and role, and answers for the leg that leaves this
// machine, which is where the password and data travel (behind a TLS-terminating proxy
// pg_stat_ssl would describe the proxy's connection instead). pg replaces
// `client.connection.stream` with a TLSSocket when the server accepts SSLRequest; that is
// pg-internal, so a test against a TLS cluster pins it (tests/integration/postgres/
// connectionEncryption.test.ts), and anything unrecognised reads as "not encrypted", the
// side that warns rather than reassures.
import { TLSSocket } from 'node:tls';
import type pg from 'pg';
import type { ConnectionEncryption } from '../../../shared/connectionEncryption';

export function connectionEncryption(client: pg.Client): ConnectionEncryption {
  const stream = (client as unknown as { connection?: { stream?: unknown } }).connection?.stream;
  if (!(stream instanceof TLSSocket) || !stream.encrypted) return { tls: false };
  const protocol = stream.getProtocol();
  return protocol ? { tls: true, protocol } : { tls: true };
}
