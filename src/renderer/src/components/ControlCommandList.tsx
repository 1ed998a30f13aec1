import { visibleCommandText, type ControlCommand, type ImportedCommand } from '../../../shared/commandApprovals';

const changeWords: Record<ImportedCommand['change'], string> = { new: 'new', changed: 'changed', unchanged: 'unchanged' };

/** Control commands in full (invisible characters shown), each with where it runs and whether it is approved. */
export function ControlCommandList({ commands, label }: { commands: ReadonlyArray<ControlCommand | ImportedCommand>; label: string }) {
  return (
    <ul className="command-list" aria-label={label}>
      {commands.map((c) => (
        <li key={`${c.ref}:${c.kind}`} className="command-item">
          <div className="command-item-head">
            <span>
              <code>{c.ref}</code> {c.kind} <span className="muted">on {c.runsOn}</span>
              {'change' in c ? <span className="muted"> · {changeWords[c.change]}</span> : null}
            </span>
            {c.approved ? <span className="status status-ok">approved</span> : <span className="status status-warn">command not approved</span>}
          </div>
          <pre className="command-text">{visibleCommandText(c.command)}</pre>
        </li>
      ))}
    </ul>
  );
}
