// The restore's mode as the admin chooses it in the wizard: let the core decide (side by side
// where the replica's server allows it), or insist on one. The plan then says which runs and why.
import { useId } from 'react';
import type { RestoreMode } from '../../../shared/restorePlan';
import { MODE_LABEL } from './stepPhases';

/** null: automatic, the core chooses. */
export type ModeChoice = RestoreMode | null;

const CHOICES: Array<{ value: ModeChoice; label: string; hint: string }> = [
  { value: null, label: 'Automatic (side-by-side where possible)', hint: 'The preflight decides per installation: side by side when the server has room and rights for a second copy, in place otherwise.' },
  { value: 'side-by-side', label: MODE_LABEL['side-by-side'], hint: 'Each replica keeps serving while its next schema is built beside it; it is down only for the swap. The previous schema is kept.' },
  { value: 'in-place', label: MODE_LABEL['in-place'], hint: 'Stop, drop, restore, start: each replica is down through the backup and the whole restore.' },
];

export function RestoreModeChoice({ mode, onMode }: { mode: ModeChoice; onMode(mode: ModeChoice): void }) {
  const id = useId();
  return (
    <fieldset className="replica-choices mode-choices">
      <legend>Restore mode</legend>
      {CHOICES.map((choice, i) => (
        <div key={choice.value ?? 'automatic'} className="mode-choice">
          <input id={`${id}-${i}`} type="radio" name={`${id}-mode`} checked={mode === choice.value} aria-describedby={`${id}-${i}-hint`} onChange={() => onMode(choice.value)} />
          <span className="mode-choice-text">
            <label htmlFor={`${id}-${i}`} className="mode-choice-label">
              {choice.label}
            </label>
            <span id={`${id}-${i}-hint`} className="field-hint">
              {choice.hint}
            </span>
          </span>
        </div>
      ))}
    </fieldset>
  );
}
