import { useId, type HTMLAttributes } from 'react';
import { FieldErrors } from './FieldErrors';

interface TextFieldProps {
  label: string;
  value: string;
  onChange(value: string): void;
  onBlur?(): void;
  errors?: string[];
  hint?: string;
  placeholder?: string;
  inputMode?: HTMLAttributes<HTMLInputElement>['inputMode'];
  required?: boolean;
  monospace?: boolean;
  /** Spans the whole row of the form grid. */
  wide?: boolean;
}

export function TextField(props: TextFieldProps) {
  const id = useId();
  const errors = props.errors ?? [];
  const describedBy = [errors.length ? `${id}-errors` : '', props.hint ? `${id}-hint` : ''].filter(Boolean).join(' ');
  return (
    <div className={`field${props.wide ? ' field-wide' : ''}${errors.length ? ' field-invalid' : ''}`}>
      <label htmlFor={id} className={props.required ? 'label-required' : undefined}>
        {props.label}
      </label>
      <input
        id={id}
        type="text"
        className={props.monospace ? 'mono' : undefined}
        value={props.value}
        placeholder={props.placeholder}
        inputMode={props.inputMode}
        spellCheck={false}
        autoComplete="off"
        required={props.required}
        aria-invalid={errors.length > 0}
        aria-describedby={describedBy || undefined}
        onChange={(e) => props.onChange(e.target.value)}
        onBlur={props.onBlur}
      />
      {props.hint ? (
        <p id={`${id}-hint`} className="field-hint">
          {props.hint}
        </p>
      ) : null}
      <FieldErrors id={`${id}-errors`} errors={errors} />
    </div>
  );
}
