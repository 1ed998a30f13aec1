import type { ErrorPayload } from '../../../shared/result';
import { CodeText } from './CodeText';

interface ErrorNoticeProps {
  error: ErrorPayload;
  title?: string;
}

/** An operation's failure as the admin needs it: what happened, what to do, and every problem. */
export function ErrorNotice({ error, title }: ErrorNoticeProps) {
  return (
    <div className="notice notice-error" role="alert" tabIndex={-1}>
      {title ? <p className="notice-title">{title}</p> : null}
      <p className="notice-message"><CodeText text={error.message} /></p>
      {error.hint ? <p className="notice-hint"><CodeText text={error.hint} /></p> : null}
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
