import type { ConnectionReport, PasswordSource } from '../../../shared/api';
import { EncryptionFact } from './EncryptionFact';
import { RouteHopList } from './route/RouteHopList';

const passwordSources: Record<PasswordSource, string> = {
  keychain: 'the keychain',
  pgpassfile: 'PGPASSFILE / ~/.pgpass',
  none: 'none needed',
};

export function ConnectionReportView({ report }: { report: ConnectionReport }) {
  return (
    <div className="notice notice-success" aria-label="Connection report">
      <p className="notice-title">
        Connected in {report.elapsedMs} ms{report.route ? ` through ${report.route.hops.length} SSH ${report.route.hops.length === 1 ? 'hop' : 'hops'}` : ''}
      </p>
      <dl className="facts facts-compact">
        <div>
          <dt>PostgreSQL</dt>
          <dd>{report.serverVersion}</dd>
        </div>
        <div>
          <dt>Schema</dt>
          <dd>
            <code>{report.schema}</code>{' '}
            {report.schemaExists ? <span className="status status-ok">exists</span> : <span className="status status-warn">missing</span>}
          </dd>
        </div>
        <div>
          <dt>repository_server_type</dt>
          <dd>{report.repositoryServerType ?? <span className="status status-warn">not found</span>}</dd>
        </div>
        <div>
          <dt>Encryption</dt>
          <dd>
            <EncryptionFact encryption={report.encryption} />
          </dd>
        </div>
        <div>
          <dt>Password from</dt>
          <dd>{passwordSources[report.passwordSource]}</dd>
        </div>
      </dl>
      {report.route ? <RouteHopList view={report.route.view} hops={report.route.hops} database="ok" /> : null}
      {report.passwordWarning ? <p className="notice-hint">{report.passwordWarning}</p> : null}
    </div>
  );
}
