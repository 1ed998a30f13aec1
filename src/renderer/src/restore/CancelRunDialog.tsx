import { useEffect, useId, useRef } from 'react';

interface CancelRunDialogProps {
  busy: boolean;
  onConfirm(): void;
  onKeepRunning(): void;
}

/** Asks before cancelling, with a dismiss button that cannot be mistaken for "cancel the run". */
export function CancelRunDialog({ busy, onConfirm, onKeepRunning }: CancelRunDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);

  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) onKeepRunning();
      }}
    >
      <h2 id={titleId}>Cancel this restore?</h2>
      <div className="dialog-body">
        <p>The running step stops and its child processes are killed. The run then puts back what it can:</p>
        <ul className="dialog-list">
          <li>a replica whose schema was not dropped yet is started again;</li>
          <li>a replica already being restored stays stopped until you resume the run.</li>
        </ul>
      </div>
      <div className="actions">
        <button type="button" className="button" onClick={onKeepRunning} disabled={busy} autoFocus>
          Keep running
        </button>
        <button type="button" className="button button-danger-solid" onClick={onConfirm} disabled={busy}>
          {busy ? 'Cancelling…' : 'Cancel restore'}
        </button>
      </div>
    </dialog>
  );
}
