// Where the local database and logs live. The CLI must share the desktop app's data, so
// this reproduces Electron's `app.getPath('userData')` for our product name:
// appData (per platform) joined with the app name.
import { homedir } from 'node:os';
import { join } from 'node:path';

export const PRODUCT_NAME = 'Replica Desk';

export function electronAppDataDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform, home = homedir()): string {
  switch (platform) {
    case 'win32':
      return env.APPDATA ?? join(home, 'AppData', 'Roaming');
    case 'darwin':
      return join(home, 'Library', 'Application Support');
    default:
      return env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME.startsWith('/') ? env.XDG_CONFIG_HOME : join(home, '.config');
  }
}

/** `--home` wins (passed by the caller), then REPLICA_DESK_HOME, then the app's userData. */
export function resolveDataDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform, home = homedir()): string {
  const override = env.REPLICA_DESK_HOME?.trim();
  if (override) return override;
  return join(electronAppDataDir(env, platform, home), PRODUCT_NAME);
}
