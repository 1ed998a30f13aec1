// An SSH route as the app and the CLI show it (shared/sshRoutes.ts RouteView): each hop by
// role and address, and the database as the last hop reaches it. Nothing secret is in it.
import type { RouteView } from '../../../shared/sshRoutes';
import { describeHop, type SshRoute } from './sshRoute';

export function routeViewOf(route: SshRoute): RouteView {
  return {
    hops: route.hops.map((hop) => ({ role: hop.role, description: describeHop(hop), ...(hop.alias !== undefined ? { alias: hop.alias } : {}) })),
    target: `${route.target.host}:${route.target.port}`,
  };
}
