import type { Installation } from '../../../shared/profiles';
import { CheckboxField } from '../components/CheckboxField';
import { SelectField } from '../components/SelectField';
import { RestoreModeChoice, type ModeChoice } from './RestoreModeChoice';

interface ReplicaChooserProps {
  installations: Installation[];
  installation: Installation | null;
  chosen: string[];
  mode: ModeChoice;
  busy: boolean;
  onInstallation(name: string): void;
  onChosen(replicas: string[]): void;
  onMode(mode: ModeChoice): void;
  onPreflight(): void;
}

const describeDb = (db: Installation['servers'][number]['db']) => `${db.host}:${db.port}/${db.database}, schema ${db.schema}`;

/** Stage 1: which installation, which of its Replication Live Servers to restore, and how. */
export function ReplicaChooser({ installations, installation, chosen, mode, busy, onInstallation, onChosen, onMode, onPreflight }: ReplicaChooserProps) {
  const master = installation?.servers.find((s) => s.role === 'master') ?? null;
  const replicas = installation?.servers.filter((s) => s.role === 'replica') ?? [];
  const toggle = (name: string, on: boolean) => onChosen(replicas.map((r) => r.name).filter((r) => (r === name ? on : chosen.includes(r))));

  return (
    <section className="card wizard-panel" aria-label="Choose replicas">
      <h3 className="card-title">What to restore</h3>
      <div className="form-grid">
        <SelectField
          label="Installation"
          value={installation?.name ?? ''}
          options={installations.map((i) => ({ value: i.name, label: i.name }))}
          onChange={onInstallation}
        />
        {master ? (
          <div className="field">
            <span className="field-label">Restored from (master)</span>
            <p className="wizard-static mono">{master.name}</p>
            <p className="field-hint">{describeDb(master.db)}</p>
          </div>
        ) : null}
      </div>

      <fieldset className="replica-choices">
        <legend>Replication Live Servers</legend>
        {replicas.length === 0 ? <p className="muted">This installation has no replicas.</p> : null}
        {replicas.map((r) => (
          <CheckboxField
            key={r.name}
            label={r.name}
            checked={chosen.includes(r.name)}
            hint={`${describeDb(r.db)} · ${r.control?.stop ? 'stopped by its stop command' : 'no stop command: you stop it by hand when asked'}`}
            onChange={(on) => toggle(r.name, on)}
          />
        ))}
      </fieldset>

      <RestoreModeChoice mode={mode} onMode={onMode} />

      <div className="actions">
        <button type="button" className="button button-primary" disabled={busy || chosen.length === 0} onClick={onPreflight}>
          {busy ? 'Running preflight…' : 'Run preflight'}
        </button>
        {chosen.length === 0 && replicas.length > 0 ? <span className="muted">Choose at least one replica.</span> : null}
      </div>
    </section>
  );
}
