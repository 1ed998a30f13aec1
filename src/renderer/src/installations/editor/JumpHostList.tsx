// The jump hosts before an SSH hop (OpenSSH's ProxyJump), in order from this workstation:
// add, remove, and move up or down; each hop's host key is fetched through the ones before it.
import { useId } from 'react';
import type { ServerRef } from '../../../../shared/profiles';
import type { FieldKey, ServerDraft } from './installationDraft';
import { moveHop, newSshHopDraft, viaHopsFrom, type SshHopDraft } from './sshHopDraft';
import { FieldErrors } from '../../components/FieldErrors';
import { SshHopFields, type TextBinding } from './SshHopFields';

interface JumpHostListProps {
  /** What the jump hosts lead to: "the server host", "the tunnel endpoint". */
  leadsTo: string;
  /** The list's field key below the server: `host.jumpHosts` or `db.tunnel.jumpHosts`. */
  prefix: string;
  hops: SshHopDraft[];
  withHops(hops: SshHopDraft[]): ServerDraft;
  change(field: FieldKey, next: ServerDraft): void;
  text: TextBinding;
  errors: string[];
  serverRef: ServerRef | null;
}

export function JumpHostList({ leadsTo, prefix, hops, withHops, change, text, errors, serverRef }: JumpHostListProps) {
  const errorsId = useId();
  const set = (next: SshHopDraft[]) => change(prefix, withHops(next));
  return (
    <div className="jump-host-list field-wide" role="group" aria-label={`Jump hosts before ${leadsTo}`}>
      <p className="field-note">
        {hops.length === 0
          ? `No jump hosts: ${leadsTo} is reached directly (or through its alias's ProxyJump).`
          : `Reached in this order from this workstation, each through the ones above it (like ssh -J); ${leadsTo} comes after the last.`}
      </p>
      {hops.map((hop, i) => {
        const name = `Jump host ${i + 1}`;
        return (
          <SshHopFields
            key={hop.uid}
            label={`${name} before ${leadsTo}`}
            prefix={`${prefix}.${i}`}
            hop={hop}
            withHop={(next) => withHops(hops.map((h, j) => (j === i ? next : h)))}
            text={text}
            via={viaHopsFrom(hops.slice(0, i))}
            serverRef={serverRef}
            actions={
              <>
                <button type="button" className="button button-quiet" aria-label={`Move ${name.toLowerCase()} up`} disabled={i === 0} onClick={() => set(moveHop(hops, i, -1))}>
                  ↑
                </button>
                <button type="button" className="button button-quiet" aria-label={`Move ${name.toLowerCase()} down`} disabled={i === hops.length - 1} onClick={() => set(moveHop(hops, i, 1))}>
                  ↓
                </button>
                <button type="button" className="button button-quiet button-danger" onClick={() => set(hops.filter((_, j) => j !== i))}>
                  Remove {name.toLowerCase()}
                </button>
              </>
            }
          />
        );
      })}
      <FieldErrors id={errorsId} errors={errors} />
      <button type="button" className="button" onClick={() => set([...hops, newSshHopDraft()])}>
        Add jump host
      </button>
    </div>
  );
}
