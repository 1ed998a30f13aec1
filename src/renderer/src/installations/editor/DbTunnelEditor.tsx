// The server form's "Database connection": direct, through the server's own SSH host, or
// through an explicit SSH endpoint with its jump hosts (profiles@1 `db.tunnel`).
import type { ServerRef } from '../../../../shared/profiles';
import type { DbConnection, FieldKey, ServerDraft } from './installationDraft';
import { viaHopsFrom } from './sshHopDraft';
import { SelectField } from '../../components/SelectField';
import { JumpHostList } from './JumpHostList';
import { SshHopFields, type TextBinding } from './SshHopFields';

interface DbTunnelEditorProps {
  server: ServerDraft;
  change(field: FieldKey, next: ServerDraft): void;
  text: TextBinding;
  errorsFor(field: FieldKey): string[];
  serverRef: ServerRef | null;
}

const connectionOptions: { value: DbConnection; label: string }[] = [
  { value: 'direct', label: 'Direct from this workstation' },
  { value: 'host', label: "Through the server's SSH host" },
  { value: 'ssh', label: 'Through an SSH endpoint' },
];

export function DbTunnelEditor({ server, change, text, errorsFor, serverRef }: DbTunnelEditorProps) {
  const { tunnel } = server;
  const withTunnel = (next: Partial<ServerDraft['tunnel']>): ServerDraft => ({ ...server, tunnel: { ...tunnel, ...next } });
  const hostName = server.host.hostname.trim();
  return (
    <div className="db-tunnel field-wide">
      <div className="form-grid">
        <SelectField<DbConnection>
          label="Database connection"
          value={tunnel.via}
          options={connectionOptions}
          errors={[...errorsFor('db.tunnel.via'), ...errorsFor('db.tunnel')]}
          hint="Through SSH, Host and Port above are the database as the last hop sees it (a local forward carries the traffic)."
          onChange={(via) => change('db.tunnel.via', withTunnel({ via }))}
        />
      </div>
      {tunnel.via === 'host' ? (
        <p className="field-note">
          {server.host.access === 'ssh'
            ? `Through ${hostName || 'the SSH host'}${server.host.jumpHosts.length > 0 ? ` after its ${server.host.jumpHosts.length} jump host(s)` : ''}, as set under Host access.`
            : 'Set Host access to SSH below: the tunnel goes through that host.'}
        </p>
      ) : null}
      {tunnel.via === 'ssh' ? (
        <>
          <SshHopFields
            label="Tunnel endpoint"
            prefix="db.tunnel"
            hop={tunnel.endpoint}
            withHop={(endpoint) => withTunnel({ endpoint })}
            text={text}
            via={viaHopsFrom(tunnel.jumpHosts)}
            serverRef={serverRef}
          />
          <JumpHostList
            leadsTo="the tunnel endpoint"
            prefix="db.tunnel.jumpHosts"
            hops={tunnel.jumpHosts}
            withHops={(jumpHosts) => withTunnel({ jumpHosts })}
            change={change}
            text={text}
            errors={errorsFor('db.tunnel.jumpHosts')}
            serverRef={serverRef}
          />
        </>
      ) : null}
    </div>
  );
}
