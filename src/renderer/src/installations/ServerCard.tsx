import '../components/route/route.css';
import { useEffect, useMemo, useState } from 'react';
import type { SecretStatus } from '../../../shared/api';
import { formatServerRef, type Server, type ServerRef } from '../../../shared/profiles';
import type { ErrorPayload } from '../../../shared/result';
import { api } from '../api';
import { CommandApprovalPanel } from '../components/CommandApprovalPanel';
import { ConnectionTest } from './ConnectionTest';
import { ErrorNotice } from '../components/ErrorNotice';
import { RoleBadge } from '../components/RoleBadge';
import { HopSecretFields } from './HopSecretFields';
import { SecretField } from './SecretField';
import { profileRouteOf, throughJumpHosts } from '../components/route/profileRoute';

interface ServerCardProps {
  installation: string;
  server: Server;
}

function controlText(server: Server): string {
  const configured = (['stop', 'start', 'status'] as const).filter((c) => server.control?.[c]);
  if (configured.length === 3) return 'stop, start and status commands';
  if (configured.length === 0) return 'Manual: you stop and start it';
  return `${configured.join(', ')} (the rest is manual)`;
}

export function ServerCard({ installation, server }: ServerCardProps) {
  const serverRef: ServerRef = useMemo(() => ({ installation, server: server.name }), [installation, server.name]);
  const [secrets, setSecrets] = useState<SecretStatus | null>(null);
  const [secretsError, setSecretsError] = useState<ErrorPayload | null>(null);

  useEffect(() => {
    let current = true;
    void api.secretStatus({ ref: serverRef }).then((result) => {
      if (!current) return;
      if (result.ok) setSecrets(result.value);
      else setSecretsError(result.error);
    });
    return () => {
      current = false;
    };
  }, [serverRef]);

  const { db, host } = server;
  const route = profileRouteOf(server);
  return (
    <article className="card server-card" aria-label={`Server ${server.name}`}>
      <header className="server-card-head">
        <div className="server-card-title">
          <h3>{server.name}</h3>
          <RoleBadge role={server.role} />
        </div>
        <code className="muted">{formatServerRef(serverRef)}</code>
      </header>

      <dl className="facts">
        <div>
          <dt>Database</dt>
          <dd>
            <code>
              {db.host}:{db.port}/{db.database}
            </code>
          </dd>
        </div>
        {route ? (
          <div className="fact-wide">
            <dt>Database through SSH</dt>
            <dd className="route-hop-texts">
              {route.hops.map((hop, i) => (
                <span key={i}>
                  <code title={hop.role}>{hop.text}</code>
                  {hop.pinned ? null : <span className="status status-warn" title="Edit the installation and use “Fetch host key” for this hop"> key not pinned</span>}
                  {' → '}
                </span>
              ))}
              <code>{route.target}</code>
            </dd>
          </div>
        ) : null}
        <div>
          <dt>Schema</dt>
          <dd>
            <code>{db.schema}</code>
          </dd>
        </div>
        <div>
          <dt>User</dt>
          <dd>
            <code>{db.user}</code>
          </dd>
        </div>
        <div>
          <dt>SSL mode</dt>
          <dd>{db.sslmode ?? 'libpq default'}</dd>
        </div>
        <div>
          <dt>Host access</dt>
          <dd>
            {host.access === 'ssh' ? (
              <>
                SSH <code>{`${host.user}@${host.hostname}:${host.port}`}</code>
                {throughJumpHosts(host.jumpHosts)}
              </>
            ) : (
              'Local (this workstation)'
            )}
          </dd>
        </div>
        {host.access === 'ssh' ? (
          <div>
            <dt>SSH host key</dt>
            <dd>
              {host.hostKey ? (
                <code>{host.hostKey}</code>
              ) : (
                <span className="status status-warn" title="Edit the installation and use “Fetch host key” to pin it">
                  Not pinned
                </span>
              )}
            </dd>
          </div>
        ) : null}
        <div>
          <dt>Install directory</dt>
          <dd>{server.installDir ? <code>{server.installDir}</code> : <span className="muted">not set</span>}</dd>
        </div>
        <div>
          <dt>Encrypted passwords</dt>
          <dd>{server.encryptedPasswords ? 'Yes: key file is copied' : 'No'}</dd>
        </div>
        <div>
          <dt>Control</dt>
          <dd>{controlText(server)}</dd>
        </div>
      </dl>

      <div className="server-card-section">
        <h4>Credentials</h4>
        {secretsError ? <ErrorNotice title="Could not read the keychain" error={secretsError} /> : null}
        <div className="secret-fields">
          <SecretField serverRef={serverRef} kind="db" stored={secrets?.db} endpoint={secrets?.endpoints.db} onStatus={setSecrets} />
          <HopSecretFields serverRef={serverRef} server={server} secrets={secrets} onStatus={setSecrets} />
        </div>
      </div>

      {server.control?.stop || server.control?.start || server.control?.status ? (
        <section className="server-card-section" aria-label={`Control commands of ${server.name}`}>
          <h4>Control commands</h4>
          <CommandApprovalPanel target={formatServerRef(serverRef)} />
        </section>
      ) : null}

      <div className="server-card-section">
        <h4>Connection</h4>
        <ConnectionTest serverRef={serverRef} />
      </div>
    </article>
  );
}
