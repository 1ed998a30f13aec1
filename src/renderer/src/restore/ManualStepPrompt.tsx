import { useId } from 'react';

interface ManualStepPromptProps {
  instruction: string;
  busy: boolean;
  onAnswer(confirmed: boolean): void;
}

/** A manual step waits for the admin: do it by hand, then say so (or decline and stop the run). */
export function ManualStepPrompt({ instruction, busy, onAnswer }: ManualStepPromptProps) {
  const instructionId = useId();
  return (
    <section className="manual-step" role="alertdialog" aria-label="Manual step" aria-describedby={instructionId}>
      <p className="manual-step-title">Your turn: a manual step is waiting</p>
      <p id={instructionId} className="manual-step-instruction">
        {instruction}
      </p>
      <p className="muted">Click Done only once it is done. Decline fails this step; the run then puts back what it can, as after any failure.</p>
      <div className="actions">
        <button type="button" className="button button-primary" disabled={busy} onClick={() => onAnswer(true)}>
          Done
        </button>
        <button type="button" className="button button-danger" disabled={busy} onClick={() => onAnswer(false)}>
          Decline
        </button>
      </div>
    </section>
  );
}
