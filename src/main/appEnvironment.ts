// What the app takes from its environment. Two variables exist only for development:
// ELECTRON_RENDERER_URL (electron-vite's dev server, which the window would load and trust
// with the whole API) and REPLICA_DESK_SQLITE_BINDING (a native addon the main process would
// load into itself; scripts/start.mjs sets it for a checkout). A packaged app ignores both:
// anyone who can set a user's environment must not be able to swap the app's code.
// REPLICA_DESK_HOME stays: choosing the data directory is a documented setting.

export interface AppEnvironment {
  /** The renderer's dev server, or undefined to load the built renderer from the app. */
  rendererUrl: string | undefined;
  /** A better-sqlite3 addon built for Electron's ABI, or undefined for the packaged one. */
  sqliteNativeBinding: string | undefined;
  /** The data directory override, or undefined for the per-user app-data directory. */
  home: string | undefined;
}

export const DEVELOPMENT_ONLY_VARIABLES = ['ELECTRON_RENDERER_URL', 'REPLICA_DESK_SQLITE_BINDING'] as const;

export function appEnvironment(env: NodeJS.ProcessEnv, isPackaged: boolean): AppEnvironment {
  const set = (name: string): string | undefined => (env[name] ? env[name] : undefined);
  return {
    rendererUrl: isPackaged ? undefined : set('ELECTRON_RENDERER_URL'),
    sqliteNativeBinding: isPackaged ? undefined : set('REPLICA_DESK_SQLITE_BINDING'),
    home: set('REPLICA_DESK_HOME'),
  };
}
