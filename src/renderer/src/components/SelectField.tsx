import { useId } from 'react';
import { FieldErrors } from './FieldErrors';

interface SelectFieldProps<V extends string> {
  label: string;
  value: V;
  options: ReadonlyArray<{ value: V; label: string }>;
  onChange(value: V): void;
  errors?: string[];
  hint?: string;
}

export function SelectField<V extends string>(props: SelectFieldProps<V>) {
  const id = useId();
  const errors = props.errors ?? [];
  const describedBy = [errors.length ? `${id}-errors` : '', props.hint ? `${id}-hint` : ''].filter(Boolean).join(' ');
  return (
    <div className={`field${errors.length ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{props.label}</label>
      <select
        id={id}
        value={props.value}
        aria-invalid={errors.length > 0}
        aria-describedby={describedBy || undefined}
        onChange={(e) => {
          const chosen = props.options.find((o) => o.value === e.target.value);
          if (chosen) props.onChange(chosen.value);
        }}
      >
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {props.hint ? (
        <p id={`${id}-hint`} className="field-hint">
          {props.hint}
        </p>
      ) : null}
      <FieldErrors id={`${id}-errors`} errors={errors} />
    </div>
  );
}
