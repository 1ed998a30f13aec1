// A resolved SSH route (sshRoute.ts) as the app and the CLI show it (shared/sshRoutes.ts):
// each hop by role and address, and the database as the last hop reaches it.
import type { RouteHopResult, RouteHopView, RouteView } from '../../../shared/sshRoutes';
import { describeHop, type SshHop, type SshRoute } from './sshRoute';

export const hopViewOf = (hop: SshHop): RouteHopView => ({ role: hop.role, description: describeHop(hop), ...(hop.alias !== undefined ? { alias: hop.alias } : {}) });

export const routeViewOf = (route: SshRoute): RouteView => ({ hops: route.hops.map(hopViewOf), target: `${route.target.host}:${route.target.port}` });

/** Every hop of the route, none tried yet. */
export const untriedHops = (route: SshRoute): RouteHopResult[] => route.hops.map((hop) => ({ ...hopViewOf(hop), status: 'not-tried' }));
