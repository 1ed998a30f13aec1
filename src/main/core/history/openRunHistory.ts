// Opens the local database for reading the history alone (`runs list`): the store and the
// run tables, and nothing of PostgreSQL, SSH or the keychain, whose modules take longer to
// load than a page of runs takes to list.
import { join } from 'node:path';
import { resolveDataDir } from '../dataDir';
import { openStore } from '../store/database';
import { RunHistory } from './runHistory';
import { RunStore } from './runStore';

export interface OpenedRunHistory {
  history: RunHistory;
  close(): void;
}

/** The history in `home` (default: REPLICA_DESK_HOME, then the app's data directory, as openReplicaDesk). */
export function openRunHistory(options: { home?: string; env?: NodeJS.ProcessEnv } = {}): OpenedRunHistory {
  const home = options.home ?? resolveDataDir(options.env ?? process.env);
  const store = openStore(join(home, 'replica-desk.sqlite'));
  return { history: new RunHistory(new RunStore(store.db)), close: () => store.close() };
}
