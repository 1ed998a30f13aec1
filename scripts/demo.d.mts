// Types for scripts/demo.mjs, which runs on plain Node (no TypeScript step) and is imported by tests.
import type { TopologyDocument, ServerProbe } from '../src/shared/topology';
import type { ErrorPayload } from '../src/shared/result';

export declare const projectRoot: string;
export declare const INSTALLATION: string;
export declare const THROWAWAY_KEYRING_ENV: string;
export declare function cliErrorOf(stdout: string): ErrorPayload | null;
export declare function isMissingSecretService(error: ErrorPayload | null): boolean;
export declare function canMakeThrowawayKeyring(platform?: NodeJS.Platform, has?: (name: string) => boolean): boolean;
export declare function formatTopology(document: TopologyDocument, installation?: string): { text: string; lagging: string[]; replicas: ServerProbe[] };
export declare function isRestoreHeadline(line: string): boolean;
