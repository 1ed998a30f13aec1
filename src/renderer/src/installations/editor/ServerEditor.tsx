// One server of the installation form: its name and role, the database and how it is
// reached (directly or through SSH), the host access with its jump hosts, and the control
// commands.
import { SSL_MODES, type ServerRef, type ServerRole } from '../../../../shared/profiles';
import type { FieldKey, HostAccess, ServerDraft, SslModeChoice } from './installationDraft';
import { viaHopsFrom } from './sshHopDraft';
import { CheckboxField } from '../../components/CheckboxField';
import { HostKeyField } from './HostKeyField';
import { roleLabels } from '../../components/RoleBadge';
import { SelectField } from '../../components/SelectField';
import { TextField } from '../../components/TextField';
import { DbTunnelEditor } from './DbTunnelEditor';
import { JumpHostList } from './JumpHostList';

interface ServerEditorProps {
  index: number;
  server: ServerDraft;
  onChange(next: ServerDraft): void;
  onRemove(): void;
  canRemove: boolean;
  errorsFor(key: FieldKey): string[];
  touch(key: FieldKey): void;
  /** The saved installation's name, when editing one: a saved server's hops use its keychain secrets. */
  savedInstallation: string | null;
}

const roleOptions = (['master', 'replica'] as const).map((r) => ({ value: r, label: roleLabels[r] }));
const accessOptions: { value: HostAccess; label: string }[] = [
  { value: 'local', label: 'Local (this workstation)' },
  { value: 'ssh', label: 'SSH' },
];
const sslOptions: { value: SslModeChoice; label: string }[] = [
  { value: '', label: 'libpq default (prefer)' },
  ...SSL_MODES.map((m) => ({ value: m, label: m })),
];

export function ServerEditor({ index, server, onChange, onRemove, canRemove, errorsFor, touch, savedInstallation }: ServerEditorProps) {
  const key = (field: string): FieldKey => `servers.${index}.${field}`;
  const errorsOf = (field: string): string[] => errorsFor(key(field));
  const change = (field: string, next: ServerDraft) => {
    touch(key(field));
    onChange(next);
  };
  const text = (field: string, value: string, set: (v: string) => ServerDraft) => ({
    value,
    onChange: (v: string) => change(field, set(v)),
    onBlur: () => touch(key(field)),
    errors: errorsFor(key(field)),
  });
  const db = (field: keyof ServerDraft['db'] & string) =>
    text(`db.${field}`, server.db[field], (v) => ({ ...server, db: { ...server.db, [field]: v } }));
  const host = (field: Exclude<keyof ServerDraft['host'], 'access' | 'jumpHosts'>) =>
    text(`host.${field}`, server.host[field], (v) => ({ ...server, host: { ...server.host, [field]: v } }));
  const control = (field: keyof ServerDraft['control']) =>
    text(`control.${field}`, server.control[field], (v) => ({ ...server, control: { ...server.control, [field]: v } }));
  const service = server.role === 'master' ? 'master-live-server' : 'replication-live-server';
  const serverRef: ServerRef | null =
    savedInstallation !== null && server.originalName !== null ? { installation: savedInstallation, server: server.originalName } : null;
  const renamedFrom = server.originalName !== null && server.originalName !== server.name.trim() ? server.originalName : null;

  return (
    <section className="server-editor" aria-label={`Server ${index + 1}`}>
      <div className="server-editor-head">
        <h3>
          Server {index + 1}
          {server.name.trim() ? <span className="muted"> · {server.name.trim()}</span> : null}
        </h3>
        <button type="button" className="button button-quiet button-danger" onClick={onRemove} disabled={!canRemove}>
          Remove server
        </button>
      </div>
      {renamedFrom ? (
        <p className="field-note">Renamed from “{renamedFrom}”: its keychain entries move to the new name when you save.</p>
      ) : null}

      <div className="form-grid">
        <TextField label="Server name" required {...text('name', server.name, (v) => ({ ...server, name: v }))} />
        <SelectField<ServerRole>
          label="Role"
          value={server.role}
          options={roleOptions}
          errors={errorsFor(key('role'))}
          onChange={(role) => change('role', { ...server, role })}
        />
        <TextField
          label="Install directory"
          wide
          monospace
          placeholder={`/opt/coremedia/${service}`}
          hint="The server's $INSTALL_DIR on its host."
          {...text('installDir', server.installDir, (v) => ({ ...server, installDir: v }))}
        />
        <CheckboxField
          label="Encrypted passwords"
          checked={server.encryptedPasswords}
          hint="User passwords were encrypted with cm encryptpasswords; the key file is copied to each replica."
          onChange={(v) => change('encryptedPasswords', { ...server, encryptedPasswords: v })}
        />
      </div>

      <h4 className="form-section-title">Database</h4>
      <div className="form-grid">
        <TextField label="Host" required placeholder="db.example.com" {...db('host')} />
        <TextField label="Port" inputMode="numeric" placeholder="5432" {...db('port')} />
        <TextField label="Database" required placeholder="coremedia" {...db('database')} />
        <TextField label="User" required placeholder={server.role === 'master' ? 'cm_master' : 'cm_replication'} {...db('user')} />
        <TextField label="Schema" placeholder={server.db.user.trim() || 'same as user'} hint="Defaults to the user name." {...db('schema')} />
        <SelectField<SslModeChoice>
          label="SSL mode"
          value={server.db.sslmode}
          options={sslOptions}
          errors={errorsFor(key('db.sslmode'))}
          onChange={(sslmode) => change('db.sslmode', { ...server, db: { ...server.db, sslmode } })}
        />
        <DbTunnelEditor server={server} change={change} text={text} errorsFor={errorsOf} serverRef={serverRef} />
      </div>

      <h4 className="form-section-title">Host access</h4>
      <div className="form-grid">
        <SelectField<HostAccess>
          label="Access"
          value={server.host.access}
          options={accessOptions}
          errors={errorsFor(key('host.access'))}
          hint="Where the server's commands and files are."
          onChange={(access) => change('host.access', { ...server, host: { ...server.host, access } })}
        />
        {server.host.access === 'ssh' ? (
          <>
            <TextField label="SSH hostname" required placeholder={server.role === 'master' ? 'mls.example.com' : 'rls1.example.com'} {...host('hostname')} />
            <TextField label="SSH port" inputMode="numeric" placeholder="22" {...host('port')} />
            <TextField label="SSH user" required placeholder="coremedia" {...host('user')} />
            <TextField label="Identity file" monospace placeholder="~/.ssh/id_ed25519" hint="Optional; the ssh-agent is used otherwise." {...host('identityFile')} />
            <HostKeyField
              hostname={server.host.hostname}
              port={server.host.port}
              via={viaHopsFrom(server.host.jumpHosts)}
              serverRef={serverRef}
              {...host('hostKey')}
            />
            <JumpHostList
              leadsTo="the server host"
              prefix="host.jumpHosts"
              hops={server.host.jumpHosts}
              withHops={(jumpHosts) => ({ ...server, host: { ...server.host, jumpHosts } })}
              change={change}
              text={text}
              errors={errorsOf('host.jumpHosts')}
              serverRef={serverRef}
            />
          </>
        ) : null}
      </div>

      <h4 className="form-section-title">Control commands</h4>
      <p className="field-note">Run on the server's host. Leave one empty and that step becomes a manual one you confirm.</p>
      <div className="form-grid">
        <TextField label="Stop command" wide monospace placeholder={`sudo systemctl stop ${service}`} {...control('stop')} />
        <TextField label="Start command" wide monospace placeholder={`sudo systemctl start ${service}`} {...control('start')} />
        <TextField label="Status command" wide monospace placeholder={`systemctl is-active --quiet ${service}`} hint="Exits 0 while the server runs." {...control('status')} />
      </div>
    </section>
  );
}
