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
import { checkKeychainHealth, checkOsKeychainHealth } from './secrets/keychainHealth';
import type { KeychainHealth } from '../../shared/keychainHealth';
import { SecretService, type SecretEndpointCheck } from './secrets/secretService';
import { SecretBindings } from './secrets/secretBindings';
import { EndpointBoundSecretStore } from './secrets/endpointBoundSecretStore';
import { routeContextFor } from './tunnels/sshConfig';
import type { SecretEndpoint } from './secrets/secretEndpoint';
import { testServerConnection } from './postgres/connectionTest';
import { fetchHostKey, jumpSecretBase, type HostKeyRequest } from './tunnels/fetchHostKey';
import { hopSecretLookup } from './tunnels/hopSecrets';
import { hopHostKeys, type RouteHostKeys } from './tunnels/hopHostKeys';
import { RunStore } from './history/runStore';
import { RestoreService } from './restore/restoreService';
import { KeptSchemaService } from './restore/keptSchemaService';
import { DumpRetention } from './history/dumpRetention';
import { SettingsStore } from './store/settingsStore';
import { TopologyCache } from './topology/topologyCache';
import { TopologyService } from './topology/topologyService';
import { LocalSandboxService, type SandboxService } from './sandbox/sandboxService';
import { SandboxStore } from './sandbox/sandboxStore';
import { SandboxLock } from './sandbox/sandboxLock';
import { SandboxKeychain } from './sandbox/sandboxKeychain';
import { SandboxProfile } from './sandbox/sandboxProfile';

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
    /** Where the stored secret was entered for, against the server's endpoint now. */
    check(ref: ServerRef, kind: SecretKind): Promise<SecretEndpointCheck>;
    /** Rebinds the stored secret to the server's current endpoint, which must still be `shown`; callers ask the admin first. */
    confirmEndpoint(ref: ServerRef, kind: SecretKind, shown: SecretEndpoint): Promise<void>;
  };
  readonly restore: RestoreService;
  /** Schemas side-by-side runs kept aside: discard, and what the databases hold now. */
  readonly keptSchemas: KeptSchemaService;
  readonly topology: TopologyService;
  /** The sandbox installation: `sandbox up|status|down`, the app's *Try the sandbox* (sandbox/sandboxService.ts). */
  readonly sandbox: SandboxService;
  readonly settings: SettingsStore;
  /** Old dumps: list, prune to the newest N, delete one (history/dumpRetention.ts). */
  readonly dumps: DumpRetention;
  testConnection(ref: ServerRef): Promise<ConnectionReport>;
  /** An SSH hop's host key fingerprint, through the jump hosts before it (tunnels/fetchHostKey.ts). */
  fetchHostKey(request: HostKeyRequest): Promise<{ fingerprint: string }>;
  /** The host key every SSH hop of the server's routes presents now, against its pin (tunnels/hopHostKeys.ts). */
  hopHostKeys(ref: ServerRef): Promise<RouteHostKeys[]>;
  /** One harmless keychain read: whether it answers, is locked, or is missing (secrets/keychainHealth.ts). */
  keychainHealth(): Promise<KeychainHealth>;
  close(): void;
}

export function openReplicaDesk(options: OpenOptions = {}): ReplicaDesk {
  const env = options.env ?? process.env;
  const home = options.home ?? resolveDataDir(env);
  const log = createLogger(join(home, 'logs', 'replica-desk.log'));
  const store = openStore(join(home, 'replica-desk.sqlite'), options.sqliteNativeBinding ? { nativeBinding: options.sqliteNativeBinding } : {});
  const keychain = options.secretStore ?? new KeytarSecretStore();
  const bindings = new SecretBindings(store.db);
  const secrets = new SecretService(keychain, bindings, log, () => routeContextFor(env));
  // Every connection reads the keychain through this: a secret goes only to its endpoint.
  const secretStore = new EndpointBoundSecretStore(keychain, bindings, log);
  const approvals = new CommandApprovals(store.db);
  // The sandbox's installation is the sandbox's alone: profile changes leave it to `sandbox down`.
  const sandboxState = new SandboxStore(store.db);
  const profiles = new ProfileService(new ProfileRepository(store.db), secrets, log, approvals, sandboxState);
  const runs = new RunStore(store.db);
  const settings = new SettingsStore(store.db);
  const dumps = new DumpRetention(runs, settings, log);
  const restore = new RestoreService(profiles, runs, secretStore, env, log, home, approvals, dumps);
  const topologyCache = new TopologyCache(store.db);
  const topology = new TopologyService(profiles, topologyCache, restore.runs, secretStore, env, log, approvals);
  // One harmless read (the app's banner, the CLI's warning, `sandbox up` before it builds).
  const keychainHealth = () => (options.secretStore ? checkKeychainHealth({ store: options.secretStore, env }) : checkOsKeychainHealth(env));
  const sandbox = new LocalSandboxService({
    home,
    env,
    log,
    state: sandboxState,
    lock: new SandboxLock(store.db),
    keychain: new SandboxKeychain(secrets, keychain, bindings),
    profile: new SandboxProfile(profiles, approvals, topologyCache),
    keychainHealth,
    runs,
    dumps,
  });
  return {
    home,
    restore,
    keptSchemas: new KeptSchemaService(profiles, runs, secretStore, env, log),
    topology,
    sandbox,
    settings,
    dumps,
    log,
    store,
    profiles,
    commands: new CommandReview(profiles, approvals, log),
    // Secrets belong to servers that exist; accounts use the names as stored.
    secrets: {
      status: (ref) => {
        const canonical = profiles.canonicalRef(ref);
        return secrets.status(canonical, profiles.server(canonical));
      },
      set: (ref, kind, secret) => {
        const canonical = profiles.canonicalRef(ref);
        return secrets.set(canonical, kind, secret, profiles.server(canonical));
      },
      delete: (ref, kind) => {
        const canonical = profiles.canonicalRef(ref);
        return secrets.delete(canonical, kind, profiles.server(canonical));
      },
      check: (ref, kind) => {
        const canonical = profiles.canonicalRef(ref);
        return secrets.check(canonical, kind, profiles.server(canonical));
      },
      confirmEndpoint: (ref, kind, shown) => {
        const canonical = profiles.canonicalRef(ref);
        return secrets.confirm(canonical, kind, profiles.server(canonical), shown);
      },
    },
    testConnection: (ref) => {
      const canonical = profiles.canonicalRef(ref);
      return testServerConnection(profiles.server(canonical), canonical, secretStore, env, log);
    },
    fetchHostKey: async (request) => {
      const ref = request.ref ? profiles.canonicalRef(request.ref) : undefined;
      const secretBase = ref && request.via ? jumpSecretBase(profiles.server(ref), request.via) : 'tunnel';
      const options = { env, context: await routeContextFor(env), hopSecrets: hopSecretLookup(secretStore), secretBase, timeoutMs: 10_000 };
      return fetchHostKey({ ...request, ...(ref ? { ref } : {}) }, options);
    },
    hopHostKeys: async (ref) => {
      const canonical = profiles.canonicalRef(ref);
      return hopHostKeys(profiles.server(canonical), canonical, { env, context: await routeContextFor(env), hopSecrets: hopSecretLookup(secretStore), timeoutMs: 10_000 });
    },
    keychainHealth,
    close: () => store.close(),
  };
}
