interface FieldErrorsProps {
  id: string;
  errors: string[];
}

/** The problems of one form field, announced to screen readers as they appear. */
export function FieldErrors({ id, errors }: FieldErrorsProps) {
  if (errors.length === 0) return null;
  return (
    <ul id={id} className="field-errors" role="alert">
      {errors.map((e) => (
        <li key={e}>{e}</li>
      ))}
    </ul>
  );
}
