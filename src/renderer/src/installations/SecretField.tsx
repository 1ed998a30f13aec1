import { useId, useState, type FormEvent } from 'react';
import type { BaseSecretKind, SecretEndpointStatus, SecretKind, SecretStatus } from '../../../shared/api';
import type { ServerRef } from '../../../shared/profiles';
import type { ErrorPayload } from '../../../shared/result';
import { api } from '../api';
import { ErrorNotice } from '../components/ErrorNotice';

interface SecretFieldProps {
  serverRef: ServerRef;
  kind: SecretKind;
  /** undefined while the status is loading. */
  stored: boolean | undefined;
  /** For a stored secret: whether it may go to where the server points now. */
  endpoint?: SecretEndpointStatus | null | undefined;
  onStatus(next: SecretStatus): void;
  /** Which SSH hop the secret is for (`jump host 1 · ops@bastion:22`), when the server has several. */
  hop?: string;
}

const SSH_FALLBACK = 'Without it, the ssh-agent or an unencrypted identity file is used.';
const labels: Record<BaseSecretKind, { label: string; fallback: string }> = {
  db: { label: 'Database password', fallback: 'Without it, PGPASSFILE or ~/.pgpass is used, as psql does.' },
  ssh: { label: 'SSH passphrase', fallback: SSH_FALLBACK },
  tunnel: { label: 'SSH passphrase (tunnel endpoint)', fallback: SSH_FALLBACK },
};
const labelOf = (kind: SecretKind): { label: string; fallback: string } =>
  kind in labels
    ? labels[kind as BaseSecretKind]
    : { label: `SSH passphrase (${kind.replace(/^(ssh|tunnel)-jump(\d)$/, (_, base: string, n: string) => `jump host ${n} to the ${base === 'ssh' ? 'server host' : 'tunnel endpoint'}`)})`, fallback: SSH_FALLBACK };

/** Write-only: a stored value is never read back, only whether one exists. */
export function SecretField({ serverRef, kind, stored, endpoint, onStatus, hop }: SecretFieldProps) {
  const id = useId();
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [declined, setDeclined] = useState(false);
  const { label, fallback } = labelOf(kind);
  const moved = stored === true && endpoint ? !endpoint.boundToCurrent : false;

  // Main asks the admin in its own dialog (the renderer cannot decide this); a "no" changes nothing.
  const confirmForNewEndpoint = async () => {
    setBusy(true);
    setError(null);
    setDeclined(false);
    const result = await api.confirmSecretEndpoint({ ref: serverRef, kind });
    setBusy(false);
    if (!result.ok) setError(result.error);
    else {
      setDeclined(!result.value.confirmed);
      onStatus(result.value.status);
    }
  };

  const run = async (call: () => ReturnType<typeof api.setSecret>) => {
    setBusy(true);
    setError(null);
    const result = await call();
    setBusy(false);
    if (result.ok) {
      setValue('');
      onStatus(result.value);
    } else setError(result.error);
  };

  const store = (e: FormEvent) => {
    e.preventDefault();
    if (value !== '') void run(() => api.setSecret({ ref: serverRef, kind, value }));
  };

  return (
    <form className="secret-field" onSubmit={store}>
      <div className="secret-field-head">
        <label htmlFor={id}>{label}</label>
        {stored === undefined ? null : moved ? (
          <span className="status status-warn">Entered for another endpoint</span>
        ) : stored ? (
          <span className="status status-ok">Stored in keychain</span>
        ) : (
          <span className="status status-muted">Not stored</span>
        )}
      </div>
      {hop ? <p className="field-hint secret-field-hop">{hop}</p> : null}
      <div className="secret-field-row">
        <input
          id={id}
          type="password"
          autoComplete="new-password"
          value={value}
          placeholder={stored ? 'Type a new one to replace it' : 'Type it to store it'}
          onChange={(e) => setValue(e.target.value)}
          disabled={busy}
        />
        <button type="submit" className="button" disabled={busy || value === ''}>
          {stored ? 'Replace' : 'Store'}
        </button>
        {stored ? (
          <button
            type="button"
            className="button button-quiet button-danger"
            disabled={busy}
            onClick={() => void run(() => api.deleteSecret({ ref: serverRef, kind }))}
          >
            Remove
          </button>
        ) : null}
      </div>
      {stored === false ? <p className="field-hint">{fallback}</p> : null}
      {moved && endpoint ? (
        <div className="notice notice-warning secret-endpoint-changed" role="status">
          <p>
            {kind === 'db' ? 'Password' : 'Secret'} entered for <code>{endpoint.enteredFor ?? 'an unknown endpoint'}</code>; this server now
            points at <code>{endpoint.current}</code> — re-enter it or use it for the new endpoint. Until then it is not used.
          </p>
          <button type="button" className="button" disabled={busy} onClick={() => void confirmForNewEndpoint()}>
            Use it for the new endpoint
          </button>
          {declined ? <p className="field-hint">Not confirmed: nothing was changed.</p> : null}
        </div>
      ) : null}
      {error ? <ErrorNotice error={error} /> : null}
    </form>
  );
}
