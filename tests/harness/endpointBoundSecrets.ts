// The keychain as connections see it (EndpointBoundSecretStore) over any SecretStore, with
// its bindings in a real SQLite file of its own, for tests that call the connection code
// without a whole ReplicaDesk.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/main/core/logging/logger';
import { EndpointBoundSecretStore } from '../../src/main/core/secrets/endpointBoundSecretStore';
import { SecretBindings } from '../../src/main/core/secrets/secretBindings';
import type { SecretStore } from '../../src/main/core/secrets/secretStore';
import { openStore } from '../../src/main/core/store/database';

export interface BoundSecretsFixture {
  secrets: EndpointBoundSecretStore;
  bindings: SecretBindings;
  /** Closes the SQLite file and removes its directory. */
  close(): void;
}

export function endpointBoundSecrets(store: SecretStore): BoundSecretsFixture {
  const dir = mkdtempSync(join(tmpdir(), 'rd-bindings-'));
  const sqlite = openStore(join(dir, 'replica-desk.sqlite'));
  const bindings = new SecretBindings(sqlite.db);
  return {
    secrets: new EndpointBoundSecretStore(store, bindings, createLogger(join(dir, 'test.log'))),
    bindings,
    close: () => {
      sqlite.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
