import type { FormEvent } from 'react';
import type { Installation } from '../../../../shared/profiles';
import { useInstallationForm } from './useInstallationForm';
import { CheckboxField } from '../../components/CheckboxField';
import { ErrorNotice } from '../../components/ErrorNotice';
import { ServerEditor } from './ServerEditor';
import { TextField } from '../../components/TextField';

interface InstallationEditorProps {
  /** The installation to edit, or null to create one. */
  existing: Installation | null;
  onSaved(saved: Installation): void;
  onCancel(): void;
}

export function InstallationEditor({ existing, onSaved, onCancel }: InstallationEditorProps) {
  const form = useInstallationForm(existing);
  const { draft } = form;

  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const formElement = e.currentTarget;
    const saved = await form.save();
    if (saved) onSaved(saved);
    // Take the admin to the first problem instead of leaving them to hunt for it.
    else requestAnimationFrame(() => formElement.querySelector<HTMLElement>('[aria-invalid="true"], .notice')?.focus());
  };

  return (
    <form className="editor" onSubmit={submit} noValidate aria-label={form.isNew ? 'New installation' : `Edit ${existing?.name}`}>
      <header className="page-header editor-header">
        <div>
          <p className="eyebrow">{form.isNew ? 'New installation' : 'Edit installation'}</p>
          <h2>{draft.name.trim() || (form.isNew ? 'Untitled installation' : existing?.name)}</h2>
        </div>
        <div className="actions">
          <button type="button" className="button" onClick={onCancel} disabled={form.saving}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={form.saving}>
            {form.saving ? 'Saving…' : form.isNew ? 'Create installation' : 'Save changes'}
          </button>
        </div>
      </header>

      {form.saveError ? <ErrorNotice title="Could not save the installation" error={form.saveError} /> : null}

      <section className="card" aria-label="Installation">
        <h3 className="card-title">Installation</h3>
        <div className="form-grid">
          <TextField
            label="Installation name"
            required
            placeholder="prod-eu"
            hint="Unique; servers are referred to as installation/server."
            value={draft.name}
            onChange={(v) => form.setField('name', v)}
            onBlur={() => form.touch('name')}
            errors={form.errorsFor('name')}
          />
          <TextField
            label="Description"
            placeholder="Production, EU data centre"
            value={draft.description}
            onChange={(v) => form.setField('description', v)}
            errors={form.errorsFor('description')}
          />
          <CheckboxField
            label="Online backup"
            checked={draft.onlineBackup}
            hint="PostgreSQL's pg_dump is consistent online. Untick to confirm publications and freeze the Master Live Server before the backup."
            onChange={(v) => form.setField('onlineBackup', v)}
          />
        </div>
      </section>

      <section className="servers-section" aria-label="Servers">
        <div className="section-head">
          <h3>Servers</h3>
          <p className="muted">Exactly one Master Live Server, and any number of Replication Live Servers.</p>
        </div>
        {form.general.length > 0 ? (
          <div className="notice notice-warning" role="alert" tabIndex={-1}>
            <ul>
              {form.general.map((m) => (
                <li key={m}>{m}</li>
              ))}
            </ul>
          </div>
        ) : null}
        {draft.servers.map((server, index) => (
          <ServerEditor
            key={server.uid}
            index={index}
            server={server}
            canRemove={draft.servers.length > 1}
            onChange={(next) => form.updateServer(index, next)}
            onRemove={() => form.removeServer(index)}
            errorsFor={form.errorsFor}
            touch={form.touch}
            savedInstallation={existing?.name ?? null}
          />
        ))}
        <div className="actions">
          <button type="button" className="button" onClick={() => form.addServer('replica')}>
            Add replica
          </button>
          {draft.servers.some((s) => s.role === 'master') ? null : (
            <button type="button" className="button" onClick={() => form.addServer('master')}>
              Add master
            </button>
          )}
        </div>
      </section>

    </form>
  );
}
