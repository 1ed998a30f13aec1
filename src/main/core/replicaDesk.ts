// The core, assembled: one object that the CLI, the Electron IPC handlers and the tests'
// HTTP bridge all drive. It owns the SQLite store, the keychain and the log for one data
// directory, and has no Electron import.
import { join } from 'node:path';
import type { ConnectionReport, SecretKind, SecretStatus } from '../../shared/api';
import type { ServerRef } from '../../shared/profiles';
import { resolveDataDir } from './dataDir';
import { createLogger, type Logger } from './logging/logger';
import { openStore, type Store } from './store/database';
import { ProfileRepository } from './profiles/profileRepository';
import { ProfileService } from './profiles/profileService';
import { CommandApprovals } from './profiles/commandApprovals';
import { CommandReview } from './profiles/commandReview';
import type { Secret } from './secrets/secret';
import type { SecretStore } from './secrets/secretStore';
import { KeytarSecretStore } from './secrets/keytarSecretStore';
import { SecretService } from './secrets/secretService';
import { testServerConnection } from './postgres/connectionTest';
import { RunStore } from './history/runStore';
import { RestoreService } from './restore/restoreService';
import { TopologyCache } from './topology/topologyCache';
import { TopologyService } from './topology/topologyService';

export interface OpenOptions {
  /** Data directory; defaults to REPLICA_DESK_HOME, then the per-user app-data directory. */
  home?: string;
  env?: NodeJS.ProcessEnv;
  /** The keychain; defaults to the OS keychain through keytar. */
  secretStore?: SecretStore;
  /** better-sqlite3 addon built for Electron's ABI (see scripts/start.mjs). */
  sqliteNativeBinding?: string;
}

export interface ReplicaDesk {
  readonly home: string;
  readonly log: Logger;
  readonly store: Store;
  readonly profiles: ProfileService;
  /** Control commands: their approval state, and approving what the admin was shown. */
  readonly commands: CommandReview;
  readonly secrets: {
    status(ref: ServerRef): Promise<SecretStatus>;
    set(ref: ServerRef, kind: SecretKind, secret: Secret): Promise<void>;
    delete(ref: ServerRef, kind: SecretKind): Promise<boolean>;
  };
  readonly restore: RestoreService;
  readonly topology: TopologyService;
  testConnection(ref: ServerRef): Promise<ConnectionReport>;
  close(): void;
}

export function openReplicaDesk(options: OpenOptions = {}): ReplicaDesk {
  const env = options.env ?? process.env;
  const home = options.home ?? resolveDataDir(env);
  const log = createLogger(join(home, 'logs', 'replica-desk.log'));
  const store = openStore(join(home, 'replica-desk.sqlite'), options.sqliteNativeBinding ? { nativeBinding: options.sqliteNativeBinding } : {});
  const secretStore = options.secretStore ?? new KeytarSecretStore();
  const secrets = new SecretService(secretStore, log);
  const approvals = new CommandApprovals(store.db);
  const profiles = new ProfileService(new ProfileRepository(store.db), secrets, log, approvals);
  const restore = new RestoreService(profiles, new RunStore(store.db), secretStore, env, log, home, approvals);
  const topology = new TopologyService(profiles, new TopologyCache(store.db), restore.runs, secretStore, env, log, approvals);
  return {
    home,
    restore,
    topology,
    log,
    store,
    profiles,
    commands: new CommandReview(profiles, approvals, log),
    // Secrets belong to servers that exist; accounts use the names as stored.
    secrets: {
      status: (ref) => secrets.status(profiles.canonicalRef(ref)),
      set: (ref, kind, secret) => secrets.set(profiles.canonicalRef(ref), kind, secret),
      delete: (ref, kind) => secrets.delete(profiles.canonicalRef(ref), kind),
    },
    testConnection: (ref) => {
      const canonical = profiles.canonicalRef(ref);
      return testServerConnection(profiles.server(canonical), canonical, secretStore, env, log);
    },
    close: () => store.close(),
  };
}
