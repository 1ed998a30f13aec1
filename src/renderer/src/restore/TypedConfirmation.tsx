import { TextField } from '../components/TextField';

interface TypedConfirmationProps {
  /** `installation/server` of each replica whose schema will be dropped. */
  names: string[];
  typed: Record<string, string>;
  onTyped(name: string, value: string): void;
}

export const allConfirmed = (names: string[], typed: Record<string, string>): boolean => names.every((n) => typed[n] === n);

/** Stage 4: the admin types each replica's name, so no schema is dropped by a stray click. */
export function TypedConfirmation({ names, typed, onTyped }: TypedConfirmationProps) {
  return (
    <section className="card wizard-panel" aria-label="Confirm">
      <h3 className="card-title">Confirm the destructive steps</h3>
      <p className="muted confirm-intro">
        The restore drops each replica's schema and replaces it with the master's data. Type each replica's name exactly as shown to confirm.
      </p>
      <div className="confirm-fields">
        {names.map((name) => {
          const value = typed[name] ?? '';
          const matches = value === name;
          return (
            <div key={name} className={`confirm-field${matches ? ' confirm-field-ok' : ''}`}>
              <TextField
                label={`Type ${name} to confirm`}
                value={value}
                monospace
                placeholder={name}
                hint={matches ? 'Confirmed' : `Drops and restores the schema of ${name}`}
                errors={value !== '' && !name.startsWith(value) ? [`does not match ${name}`] : []}
                onChange={(v) => onTyped(name, v)}
              />
            </div>
          );
        })}
      </div>
    </section>
  );
}
