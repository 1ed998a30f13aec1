import type { ImportSummary } from '../../../shared/api';
import type { ErrorPayload } from '../../../shared/result';
import { ControlCommandList } from '../components/ControlCommandList';
import { ErrorNotice } from '../components/ErrorNotice';
import { ModalDialog } from '../components/ModalDialog';

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
  const title = outcome.kind === 'imported' ? `Imported ${outcome.fileName}` : `${outcome.fileName} was not imported`;
  return (
    <ModalDialog
      title={title}
      wide
      busy={busy}
      onDismiss={onClose}
      actions={
        <>
          <button type="button" className="button" onClick={onClose} disabled={busy} autoFocus>
            {outcome.kind === 'refused' && outcome.conflictsOnly ? 'Cancel' : 'Close'}
          </button>
          {outcome.kind === 'refused' && outcome.conflictsOnly ? (
            <button type="button" className="button button-danger-solid" onClick={onReplace} disabled={busy}>
              {busy ? 'Replacing…' : 'Replace existing'}
            </button>
          ) : null}
        </>
      }
    >
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
      ) : null}
      {outcome.kind === 'imported' && outcome.summary.commands.some((c) => !c.approved) ? (
        <section aria-label="Commands awaiting approval">
          <div className="notice notice-warning">
            <p className="notice-title">Control commands awaiting approval</p>
            <p>
              These commands will not run (not even to check a server’s status) until you approve them: open the installation
              and choose “Review and approve…” on the server.
            </p>
          </div>
          <ControlCommandList commands={outcome.summary.commands.filter((c) => !c.approved)} label="Commands awaiting approval" />
        </section>
      ) : null}
      {outcome.kind === 'imported' ? null : (
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
    </ModalDialog>
  );
}
