import type { ServerRole } from '../../../shared/profiles';

export const roleLabels: Record<ServerRole, string> = {
  master: 'Master Live Server',
  replica: 'Replication Live Server',
};

export function RoleBadge({ role }: { role: ServerRole }) {
  return (
    <span className={`badge badge-${role}`} title={roleLabels[role]}>
      {role === 'master' ? 'Master' : 'Replica'}
    </span>
  );
}
