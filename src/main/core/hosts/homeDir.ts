// The user's home directory as OpenSSH finds it for `~` (IdentityFile, Include,
// ~/.ssh/config): HOME from the env a caller runs with, not the process's own account.
import { homedir } from 'node:os';
import { join } from 'node:path';

/** `~` and `~/…` (also `~\…`) against the user's home directory, as OpenSSH reads IdentityFile. */
export function expandHome(path: string, env: NodeJS.ProcessEnv): string {
  if (path !== '~' && !/^~[/\\]/.test(path)) return path;
  const home = env.HOME || (process.platform === 'win32' ? env.USERPROFILE : undefined) || homedir();
  return path === '~' ? home : join(home, path.slice(2));
}
