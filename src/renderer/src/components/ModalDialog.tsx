import { useEffect, useId, useRef, type ReactNode } from 'react';

interface ModalDialogProps {
  title: string;
  wide?: boolean;
  /** While busy, Escape does not dismiss. */
  busy?: boolean;
  onDismiss(): void;
  children: ReactNode;
  actions: ReactNode;
}

/** A native modal <dialog>: mount it to open, unmount it to close. */
export function ModalDialog({ title, wide, busy, onDismiss, children, actions }: ModalDialogProps) {
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
      className={wide ? 'dialog dialog-wide' : 'dialog'}
      aria-labelledby={titleId}
      onCancel={(e) => {
        // Escape closes through React state, so the dialog never outlives its question.
        e.preventDefault();
        if (!busy) onDismiss();
      }}
    >
      <h2 id={titleId}>{title}</h2>
      <div className="dialog-body">{children}</div>
      <div className="actions">{actions}</div>
    </dialog>
  );
}
