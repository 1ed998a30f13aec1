import { useRef, useState, type ChangeEvent } from 'react';
import type { ImportSummary } from '../../../shared/api';
import type { ErrorPayload } from '../../../shared/result';
import { api } from '../api';
import { ErrorNotice } from '../components/ErrorNotice';
import { FormatGuideDialog } from './FormatGuideDialog';
import { ImportResultDialog, type ImportOutcome } from './ImportResultDialog';
import './profileEditor.css';

interface ProfilesFileActionsProps {
  /** After an import changed something: reload the installations. */
  onImported?(summary: ImportSummary): void;
  /** `stacked` for the narrow sidebar, `inline` for a row of buttons. */
  layout?: 'stacked' | 'inline';
  /** Offer the export too (pointless while there is nothing to export). */
  exportable?: boolean;
}

const EXPORT_FILE_NAME = 'profiles.json';

/** Only "already exists" problems: the one refusal that replacing can settle. */
const onlyConflicts = (error: ErrorPayload): boolean =>
  (error.problems?.length ?? 0) > 0 && (error.problems ?? []).every((p) => /already exists/.test(p.message));

/**
 * Import and export of replica-desk/profiles@1 files through the OS file dialogs: a file
 * input (Electron shows the native open dialog for it) and a download (Electron asks
 * where to save it). The file never holds secrets, so neither direction touches them.
 */
export function ProfilesFileActions({ onImported, layout = 'inline', exportable = true }: ProfilesFileActionsProps) {
  const input = useRef<HTMLInputElement>(null);
  const [pending, setPending] = useState<{ fileName: string; text: string } | null>(null);
  const [outcome, setOutcome] = useState<ImportOutcome | null>(null);
  const [busy, setBusy] = useState(false);
  const [exportError, setExportError] = useState<ErrorPayload | null>(null);
  const [exported, setExported] = useState<string | null>(null);
  const [guideOpen, setGuideOpen] = useState(false);

  const runImport = async (fileName: string, text: string, replace: boolean) => {
    setBusy(true);
    const result = await api.importProfiles({ text, replace });
    setBusy(false);
    if (result.ok) {
      setPending(null);
      setOutcome({ kind: 'imported', fileName, summary: result.value });
    } else {
      setPending({ fileName, text });
      setOutcome({ kind: 'refused', fileName, error: result.error, conflictsOnly: !replace && onlyConflicts(result.error) });
    }
  };

  const chosen = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    // Cleared, so choosing the same file again (after fixing it) fires again.
    e.target.value = '';
    if (!file) return;
    await runImport(file.name, await file.text(), false);
  };

  const exportFile = async () => {
    setExportError(null);
    setExported(null);
    const result = await api.exportProfiles({});
    if (!result.ok) return setExportError(result.error);
    const blob = new Blob([`${JSON.stringify(result.value, null, 2)}\n`], { type: 'application/json' });
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = EXPORT_FILE_NAME;
    link.click();
    // The download has taken its copy once the click has been handled.
    window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
    const count = result.value.installations.length;
    setExported(`${count} ${count === 1 ? 'installation' : 'installations'}, without secrets`);
  };

  return (
    <div className={`profiles-file-actions profiles-file-actions-${layout}`}>
      <input ref={input} type="file" accept=".json,application/json" className="visually-hidden" tabIndex={-1} aria-label="Profiles file to import" onChange={(e) => void chosen(e)} />
      <div className="profiles-file-buttons">
        <button type="button" className="button" onClick={() => input.current?.click()} disabled={busy}>
          Import profiles…
        </button>
        {exportable ? (
          <button type="button" className="button" onClick={() => void exportFile()}>
            Export profiles…
          </button>
        ) : null}
        <button type="button" className="button button-quiet" onClick={() => setGuideOpen(true)}>
          Format guide
        </button>
      </div>
      {guideOpen ? <FormatGuideDialog onClose={() => setGuideOpen(false)} /> : null}
      {exported ? <p className="field-hint" role="status">Exported {exported}.</p> : null}
      {exportError ? <ErrorNotice title="Could not export the profiles" error={exportError} /> : null}
      {outcome ? (
        <ImportResultDialog
          outcome={outcome}
          busy={busy}
          onReplace={() => pending && void runImport(pending.fileName, pending.text, true)}
          onClose={() => {
            // Reloading only now: the screen that showed the button may go away with the reload.
            if (outcome.kind === 'imported') onImported?.(outcome.summary);
            setOutcome(null);
            setPending(null);
          }}
        />
      ) : null}
    </div>
  );
}
