// Types for scripts/packaging/flipFuses.cjs, which electron-builder loads as plain CommonJS and the tests import.
export type FuseTable = Readonly<Record<string, boolean>>;
export interface FuseTarget {
  /** electron-builder's electronPlatformName: linux, win32, darwin or mas. */
  platform: string;
  /** ia32, x64, armv7l, arm64 or universal. */
  arch: string;
}
export interface FusesModule {
  FuseVersion: { V1: string };
  FuseV1Options: Record<string | number, string | number>;
}
/** The subset of electron-builder's AfterPackContext the hook reads. */
export interface PackContext {
  appOutDir: string;
  electronPlatformName: string;
  /** builder-util's Arch enum value. */
  arch: number;
  packager: { executableName?: string; appInfo: { productFilename: string } };
}
export declare const ELECTRON_DEFAULT_FUSES: FuseTable;
export declare const RELEASE_FUSES: FuseTable;
export declare const ARCH_NAMES: readonly string[];
export declare const KEEP_DEFAULT_FUSES_ENV: string;
export declare function fuseConfigFor(target: FuseTarget, fuses: FusesModule, table?: FuseTable): Record<string, unknown>;
export declare function electronBinaryPath(context: PackContext): string;
/** Fuse states by name: true/false, or the raw byte ('r' = removed) for anything else. */
export declare function readFuses(binary: string): Promise<Record<string, boolean | string>>;
export declare function flipReleaseFuses(binary: string, target: FuseTarget, table?: FuseTable): Promise<Record<string, boolean | string>>;
export declare function afterPack(context: PackContext, env?: NodeJS.ProcessEnv): Promise<void>;
