import type { ReactNode } from 'react';
import { ModalDialog } from './ModalDialog';

interface ConfirmDialogProps {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** The button that closes without acting; "Cancel" unless that would be ambiguous. */
  dismissLabel?: string;
  busy?: boolean;
  onConfirm(): void;
  onCancel(): void;
}

/** A modal question; mount it to ask, unmount it to close. */
export function ConfirmDialog({ title, children, confirmLabel, dismissLabel = 'Cancel', busy, onConfirm, onCancel }: ConfirmDialogProps) {
  return (
    <ModalDialog
      title={title}
      busy={busy}
      onDismiss={onCancel}
      actions={
        <>
          <button type="button" className="button" onClick={onCancel} disabled={busy} autoFocus>
            {dismissLabel}
          </button>
          <button type="button" className="button button-danger-solid" onClick={onConfirm} disabled={busy}>
            {confirmLabel}
          </button>
        </>
      }
    >
      {children}
    </ModalDialog>
  );
}
