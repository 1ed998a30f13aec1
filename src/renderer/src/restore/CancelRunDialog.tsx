import { ConfirmDialog } from '../components/ConfirmDialog';

interface CancelRunDialogProps {
  busy: boolean;
  onConfirm(): void;
  onKeepRunning(): void;
}

/** Asks before cancelling, with a dismiss button that cannot be mistaken for "cancel the run". */
export function CancelRunDialog({ busy, onConfirm, onKeepRunning }: CancelRunDialogProps) {
  return (
    <ConfirmDialog
      title="Cancel this restore?"
      confirmLabel={busy ? 'Cancelling…' : 'Cancel restore'}
      dismissLabel="Keep running"
      busy={busy}
      onConfirm={onConfirm}
      onCancel={onKeepRunning}
    >
      <p>The running step stops and its child processes are killed. The run then puts back what it can:</p>
      <ul className="dialog-list">
        <li>a replica whose schema was not dropped yet is started again;</li>
        <li>a replica already being restored stays stopped until you resume the run.</li>
      </ul>
    </ConfirmDialog>
  );
}
