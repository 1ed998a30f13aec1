// Where an SSH route broke: the hop by number, role and address, then why and what to do.
import './route.css';
import type { RouteBreak, RouteView } from '../../../../shared/sshRoutes';
import { CodeText } from '../CodeText';
import type { RouteBreakView } from './routeBreakOf';

interface RouteBreakNoticeProps {
  routeBreak: RouteBreakView | RouteBreak;
  /** The route it broke on, to name the hop when the break does not. */
  route?: RouteView;
  title?: string;
}

export function RouteBreakNotice({ routeBreak, route, title = 'The SSH route broke' }: RouteBreakNoticeProps) {
  const hop = route?.hops[routeBreak.hopIndex];
  const view = routeBreak as RouteBreakView;
  const role = view.role ?? hop?.role;
  const description = view.description ?? hop?.description;
  return (
    <div className="notice notice-error route-break" role="alert" aria-label="Route break" tabIndex={-1}>
      <p className="notice-title">
        {title} at hop {routeBreak.hopIndex + 1} of {routeBreak.hopCount}
        {role ? ` (${role})` : ''}
      </p>
      {description ? (
        <p className="route-break-hop">
          <code>{description}</code> <span className="muted">{routeBreak.code}</span>
        </p>
      ) : null}
      <p className="notice-message">
        <CodeText text={routeBreak.message} />
      </p>
      {routeBreak.hint ? (
        <p className="notice-hint">
          <CodeText text={routeBreak.hint} />
        </p>
      ) : null}
    </div>
  );
}
