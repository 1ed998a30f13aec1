// Types for scripts/start.mjs, which runs on plain Node (no TypeScript step) and is imported by tests.
export declare const projectRoot: string;
export declare function electronPackageDir(): string;
export declare function electronVersion(dir?: string): string;
export interface ElectronBinaryLocation {
  path: string | null;
  exists: boolean;
  /** Where the binary is expected: node_modules/electron/dist, ELECTRON_OVERRIDE_DIST_PATH, or not downloaded. */
  source: string;
}
export declare function locateElectronBinary(dir?: string, env?: NodeJS.ProcessEnv): ElectronBinaryLocation;
export declare function fetchElectronBinary(dir?: string): { ok: boolean; errorOutput: string };
export declare function probeDownloadHost(env?: NodeJS.ProcessEnv): Promise<{ host: string; reachable: boolean; reason: string }>;
export declare function explainMissingBinary(input: {
  version: string;
  installerError: string;
  probe: { host: string; reachable: boolean; reason: string };
}): string;
export type EnsuredElectron =
  | { ok: true; version: string; path: string; source: string }
  | { ok: false; version: string; message: string };
export declare function ensureElectronBinary(dir?: string): Promise<EnsuredElectron>;
export declare function sqliteBindingPath(version: string, root?: string): string;
export declare function summarizeBuildOutput(output: string, lines?: number): string;
export declare function ensureSqliteBindingForElectron(version: string, root?: string): string;
export declare function appBuildIsStale(root?: string): boolean;
export declare function buildApp(root?: string): boolean;
export declare function launchElectron(binary: string, sqliteBinding: string, root?: string): Promise<number>;
export declare function main(argv: string[]): Promise<number>;
