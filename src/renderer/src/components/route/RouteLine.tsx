// The one-line form of an SSH route ("via SSH: ssh a@bastion:22 → ssh b@gw:22 → db:5432"),
// for the topology details and the restore plan.
import './route.css';
import { formatRoute, type RouteView } from '../../../../shared/sshRoutes';

export function RouteLine({ route, label = 'via SSH' }: { route: RouteView; label?: string }) {
  return (
    <span className="route-line" aria-label={`Route ${formatRoute(route)}`}>
      <span className="route-line-label">{label}</span> <code>{formatRoute(route)}</code>
    </span>
  );
}
