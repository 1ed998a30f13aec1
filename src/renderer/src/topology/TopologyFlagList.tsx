import type { TopologyFlag } from '../../../shared/topology';
import { CodeText } from '../components/CodeText';

interface TopologyFlagListProps {
  flags: TopologyFlag[];
  /** Shown above the list, e.g. "Needs attention". */
  label: string;
}

/** The inconsistencies a probe found, errors first, each with what to do about it. */
export function TopologyFlagList({ flags, label }: TopologyFlagListProps) {
  if (flags.length === 0) return null;
  const ordered = [...flags].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
  return (
    <ul className="topo-flags" aria-label={label}>
      {ordered.map((f) => (
        <li key={`${f.code}:${f.servers.join(',')}`} className={`topo-flag topo-flag-${f.severity}`}>
          <span className="topo-flag-icon" aria-hidden="true">
            {f.severity === 'error' ? '✕' : '!'}
          </span>
          <div className="topo-flag-text">
            <p className="topo-flag-message">
              <span className="topo-flag-code">{f.code}</span> <CodeText text={f.message} />
            </p>
            <p className="topo-flag-hint">
              <CodeText text={f.hint} />
            </p>
          </div>
        </li>
      ))}
    </ul>
  );
}
