// The profile the sandbox imports: the installation `sandbox` with its master and two
// replicas (rls1 in a database of its own on cluster b, rls2 in the master's shared database
// on cluster a), all on this workstation, with the stand-ins' control commands.
import { PROFILES_FORMAT, ProfilesFileSchema, type ProfilesFile, type ProfilesFileInput } from '../../../shared/profiles';
import { SANDBOX_INSTALLATION } from '../../../shared/sandbox';
import type { SandboxManifest } from './sandboxManifest';

export function sandboxProfiles(m: SandboxManifest): ProfilesFile {
  const port = (cluster: string): number => {
    const c = m.clusters.find((x) => x.name === cluster);
    if (!c) throw new Error(`the sandbox manifest has no cluster ${cluster}`);
    return c.port;
  };
  const input: ProfilesFileInput = {
    format: PROFILES_FORMAT,
    installations: [
      {
        name: SANDBOX_INSTALLATION,
        description: `Replica Desk sandbox (throwaway, on this workstation; ${m.dir})`,
        onlineBackup: true,
        servers: m.servers.map((s) => ({
          name: s.name,
          role: s.role,
          db: { host: '127.0.0.1', port: port(s.cluster), database: s.database, schema: s.schema, user: s.user, sslmode: 'disable' as const },
          installDir: s.installDir,
          encryptedPasswords: s.role === 'master',
          host: { access: 'local' as const },
          control: { ...s.control },
        })),
      },
    ],
  };
  return ProfilesFileSchema.parse(input);
}
