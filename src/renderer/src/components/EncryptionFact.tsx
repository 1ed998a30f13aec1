// "TLS (TLSv1.3)" or a warning "not encrypted" for one database connection, the same words
// in the connection report, the topology details and a run's page.
import { describeEncryption, type ConnectionEncryption } from '../../../shared/connectionEncryption';

export function EncryptionFact({ encryption }: { encryption: ConnectionEncryption | null | undefined }) {
  if (!encryption) return <span className="muted">not recorded</span>;
  return (
    <span className={`status ${encryption.tls ? 'status-ok' : 'status-warn'}`} title={encryption.tls ? undefined : 'Password exchange and data travel in plaintext: enable TLS on the server, or set db.sslmode to require or verify-full.'}>
      {describeEncryption(encryption)}
    </span>
  );
}
