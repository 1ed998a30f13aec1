// The profiles@1 format in words (shared/profilesFormatGuide.ts, which the CLI prints too),
// opened from the import area so an admin writing a file by hand sees what it may say.
import { PROFILES_FORMAT_GUIDE } from '../../../shared/profilesFormatGuide';
import { PROFILES_FORMAT } from '../../../shared/profiles';
import { CodeText } from '../components/CodeText';
import { ModalDialog } from '../components/ModalDialog';

export function FormatGuideDialog({ onClose }: { onClose(): void }) {
  return (
    <ModalDialog
      title={`Format guide: ${PROFILES_FORMAT}`}
      wide
      onDismiss={onClose}
      actions={
        <button type="button" className="button" onClick={onClose} autoFocus>
          Close
        </button>
      }
    >
      <div className="format-guide">
        {PROFILES_FORMAT_GUIDE.map((section) => (
          <section key={section.title} aria-label={section.title}>
            <h3>{section.title}</h3>
            <ul>
              {section.lines.map((line) => (
                <li key={line}>
                  <CodeText text={line} />
                </li>
              ))}
            </ul>
          </section>
        ))}
      </div>
    </ModalDialog>
  );
}
