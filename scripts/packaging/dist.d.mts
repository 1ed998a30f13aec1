// Types for scripts/packaging/dist.mjs, which runs on plain Node (no TypeScript step) and is imported by tests.
export declare const projectRoot: string;
export declare const CONFIG_FILE: string;
export declare function requestedPlatforms(args: string[], host?: NodeJS.Platform): string[];
export interface DownloadSource {
  what: string;
  base: string;
  /** The environment variable that points it elsewhere. */
  override: string;
}
export declare function downloadSources(env?: NodeJS.ProcessEnv): DownloadSource[];
export declare function probe(url: string, timeoutMs?: number): Promise<{ reachable: boolean; reason: string }>;
export declare function explainUnreachable(unreachable: Array<DownloadSource & { reason: string }>, version: string): string;
export declare function explainBuilderFailure(output: string): string;
/** build/ directories (absolute) of packages with a binding.gyp at their root. */
export declare function findNativeBuilds(nodeModules: string): string[];
/** Returns the build/ directories set aside, relative to root. */
export declare function backUpNativeBuilds(root?: string): string[];
/** Returns the build/ directories put back, relative to root. */
export declare function restoreNativeBuilds(root?: string): string[];
export declare function builderEnv(env?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
export declare function main(args: string[], options?: { root?: string; env?: NodeJS.ProcessEnv }): Promise<number>;
