// A failed connection test: at an SSH hop, which hop and why; otherwise the error as it is.
import type { ErrorPayload } from '../../../shared/result';
import { ErrorNotice } from './ErrorNotice';
import { RouteBreakNotice } from './route/RouteBreakNotice';
import { routeBreakOf } from './route/routeBreakOf';

export function ConnectionFailure({ error }: { error: ErrorPayload }) {
  const routeBreak = routeBreakOf(error);
  return routeBreak ? <RouteBreakNotice title="Connection failed" routeBreak={routeBreak} /> : <ErrorNotice title="Connection failed" error={error} />;
}
