import { useEffect, useId, useRef } from 'react';
import type { ImportSummary } from '../../../shared/api';
import type { ErrorPayload } from '../../../shared/result';
import { ErrorNotice } from './ErrorNotice';

export type ImportOutcome =
  | { kind: 'imported'; fileName: string; summary: ImportSummary }
  | { kind: 'refused'; fileName: string; error: ErrorPayload; conflictsOnly: boolean };

interface ImportResultDialogProps {
  outcome: ImportOutcome;
  busy: boolean;
  onReplace(): void;
  onClose(): void;
}

const names = (list: string[]) => list.map((n) => `“${n}”`).join(', ');

/** What an import did, or every reason it did nothing; mount it to show, unmount to close. */
export function ImportResultDialog({ outcome, busy, onReplace, onClose }: ImportResultDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);

  const title = outcome.kind === 'imported' ? `Imported ${outcome.fileName}` : `${outcome.fileName} was not imported`;
  return (
    <dialog
      ref={ref}
      className="dialog dialog-wide"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        if (!busy) onClose();
      }}
    >
      <h2 id={titleId}>{title}</h2>
      <div className="dialog-body">
        {outcome.kind === 'imported' ? (
          <div className="notice notice-success" role="status">
            {outcome.summary.created.length > 0 ? (
              <p>
                <span className="notice-title">Created</span> {names(outcome.summary.created)}
              </p>
            ) : null}
            {outcome.summary.replaced.length > 0 ? (
              <p>
                <span className="notice-title">Replaced</span> {names(outcome.summary.replaced)}
              </p>
            ) : null}
            {outcome.summary.created.length + outcome.summary.replaced.length === 0 ? <p>The file lists no installations.</p> : null}
          </div>
        ) : (
          <>
            <ErrorNotice
              error={
                outcome.conflictsOnly
                  ? { ...outcome.error, hint: 'Choose “Replace existing” to overwrite them with the file’s; nothing was changed yet.' }
                  : outcome.error
              }
            />
            {outcome.conflictsOnly ? (
              <p>
                Replace the existing installations with the file's? Their stored passwords stay in the keychain; installations
                the file does not name are left alone.
              </p>
            ) : (
              <p>Nothing was changed. Fix the file at the paths above and import it again.</p>
            )}
          </>
        )}
      </div>
      <div className="actions">
        <button type="button" className="button" onClick={onClose} disabled={busy} autoFocus>
          {outcome.kind === 'refused' && outcome.conflictsOnly ? 'Cancel' : 'Close'}
        </button>
        {outcome.kind === 'refused' && outcome.conflictsOnly ? (
          <button type="button" className="button button-danger-solid" onClick={onReplace} disabled={busy}>
            {busy ? 'Replacing…' : 'Replace existing'}
          </button>
        ) : null}
      </div>
    </dialog>
  );
}
