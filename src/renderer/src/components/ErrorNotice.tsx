import type { ReactNode } from 'react';
import type { ErrorPayload } from '../../../shared/result';

interface ErrorNoticeProps {
  error: ErrorPayload;
  title?: string;
}

/** Hints quote commands between backticks, as the CLI prints them; show those as code. */
function withCode(text: string): ReactNode[] {
  return text.split('`').map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : part));
}

/** An operation's failure as the admin needs it: what happened, what to do, and every problem. */
export function ErrorNotice({ error, title }: ErrorNoticeProps) {
  return (
    <div className="notice notice-error" role="alert" tabIndex={-1}>
      {title ? <p className="notice-title">{title}</p> : null}
      <p className="notice-message">{withCode(error.message)}</p>
      {error.hint ? <p className="notice-hint">{withCode(error.hint)}</p> : null}
      {error.problems && error.problems.length > 0 ? (
        <ul className="notice-problems">
          {error.problems.map((p) => (
            <li key={`${p.path}:${p.message}`}>
              <code>{p.path}</code> {p.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
