// A failed connection test: through an SSH tunnel, how each hop did and which one failed
// (with its message and hint); otherwise, or past the hops, the error as it is.
import type { ErrorPayload } from '../../../shared/result';
import { ErrorNotice } from './ErrorNotice';
import { RouteBreakNotice } from './route/RouteBreakNotice';
import { routeBreakOf } from './route/routeBreakOf';
import { RouteHopList } from './route/RouteHopList';

export function ConnectionFailure({ error }: { error: ErrorPayload }) {
  const routeBreak = routeBreakOf(error);
  const route = error.route;
  return (
    <div className="connection-failure">
      {routeBreak ? (
        <RouteBreakNotice title="Connection failed" routeBreak={routeBreak} route={route?.view} />
      ) : (
        <ErrorNotice title="Connection failed" error={error} />
      )}
      {/* Every hop opened and the database itself refused: the hops say so, the database row failed. */}
      {route ? <RouteHopList view={route.view} hops={route.hops} database={routeBreak ? 'not-tried' : 'failed'} /> : null}
    </div>
  );
}
