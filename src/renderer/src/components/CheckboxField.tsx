import { useId } from 'react';

interface CheckboxFieldProps {
  label: string;
  checked: boolean;
  onChange(checked: boolean): void;
  hint?: string;
}

export function CheckboxField(props: CheckboxFieldProps) {
  const id = useId();
  return (
    <div className="field field-wide field-checkbox">
      <input
        id={id}
        type="checkbox"
        checked={props.checked}
        aria-describedby={props.hint ? `${id}-hint` : undefined}
        onChange={(e) => props.onChange(e.target.checked)}
      />
      <div>
        <label htmlFor={id}>{props.label}</label>
        {props.hint ? (
          <p id={`${id}-hint`} className="field-hint">
            {props.hint}
          </p>
        ) : null}
      </div>
    </div>
  );
}
