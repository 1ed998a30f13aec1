import { useId, useState, type FormEvent } from 'react';
import type { SecretKind, SecretStatus } from '../../../shared/api';
import type { ServerRef } from '../../../shared/profiles';
import type { ErrorPayload } from '../../../shared/result';
import { api } from '../api';
import { ErrorNotice } from './ErrorNotice';

interface SecretFieldProps {
  serverRef: ServerRef;
  kind: SecretKind;
  /** undefined while the status is loading. */
  stored: boolean | undefined;
  onStatus(next: SecretStatus): void;
}

const labels: Record<SecretKind, { label: string; fallback: string }> = {
  db: { label: 'Database password', fallback: 'Without it, PGPASSFILE or ~/.pgpass is used, as psql does.' },
  ssh: { label: 'SSH passphrase', fallback: 'Without it, the ssh-agent or an unencrypted identity file is used.' },
};

/** Write-only: a stored value is never read back, only whether one exists. */
export function SecretField({ serverRef, kind, stored, onStatus }: SecretFieldProps) {
  const id = useId();
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const { label, fallback } = labels[kind];

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
        {stored === undefined ? null : stored ? (
          <span className="status status-ok">Stored in keychain</span>
        ) : (
          <span className="status status-muted">Not stored</span>
        )}
      </div>
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
      {error ? <ErrorNotice error={error} /> : null}
    </form>
  );
}
