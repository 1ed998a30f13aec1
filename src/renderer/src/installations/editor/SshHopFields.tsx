// One SSH hop's fields in the server form (a jump host, or the tunnel's endpoint): hostname
// or ~/.ssh/config alias, port, user, identity file, and the host key pin with its fetch
// through the hops before it. The server's own SSH host keeps its fields in ServerEditor.
import type { ReactNode } from 'react';
import type { ServerRef } from '../../../../shared/profiles';
import type { FieldKey, ServerDraft } from './installationDraft';
import type { SshHopDraft, SshHopField, SshHopInput } from './sshHopDraft';
import { HostKeyField } from './HostKeyField';
import { TextField } from '../../components/TextField';

/** ServerEditor's binding of a text field to the draft: value, change, blur and its errors. */
export type TextBinding = (
  field: FieldKey,
  value: string,
  set: (v: string) => ServerDraft,
) => { value: string; onChange(v: string): void; onBlur(): void; errors: string[] };

interface SshHopFieldsProps {
  /** How the hop is named: "Tunnel endpoint", "Jump host 1 before the server host". */
  label: string;
  /** The hop's field key below the server, e.g. `db.tunnel` or `host.jumpHosts.0`. */
  prefix: string;
  hop: SshHopDraft;
  /** The server draft with this hop replaced. */
  withHop(hop: SshHopDraft): ServerDraft;
  text: TextBinding;
  via: SshHopInput[] | null;
  serverRef: ServerRef | null;
  /** Move and remove buttons of a jump host. */
  actions?: ReactNode;
}

export function SshHopFields({ label, prefix, hop, withHop, text, via, serverRef, actions }: SshHopFieldsProps) {
  const bind = (field: SshHopField) => text(`${prefix}.${field}`, hop[field], (v) => withHop({ ...hop, [field]: v }));
  return (
    <fieldset className="ssh-hop" aria-label={label}>
      <div className="ssh-hop-head">
        <h5 className="ssh-hop-title">{label}</h5>
        {actions ? <div className="ssh-hop-actions">{actions}</div> : null}
      </div>
      <div className="form-grid">
        <TextField label="Hostname" placeholder="bastion.example.com" hint="Or leave empty and name an alias." {...bind('hostname')} />
        <TextField label="Alias" monospace placeholder="bastion" hint="A Host from ~/.ssh/config; fields given here win over it." {...bind('alias')} />
        <TextField label="Port" inputMode="numeric" placeholder="22" {...bind('port')} />
        <TextField label="User" placeholder="from the alias, or your login" {...bind('user')} />
        <TextField label="Identity file" monospace placeholder="~/.ssh/id_ed25519" hint="Optional; the ssh-agent is used otherwise." {...bind('identityFile')} />
        <HostKeyField hostname={hop.hostname} port={hop.port} alias={hop.alias} via={via} serverRef={serverRef} {...bind('hostKey')} />
      </div>
    </fieldset>
  );
}
