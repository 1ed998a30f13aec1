// The swap of a replica's schema as the restore runner calls it: the generic swap of
// postgres/schemaSwap.ts plus what only a CoreMedia repository can tell. Inside the swap's
// transaction, after the tables are locked: the schema that leaves the name must not call
// itself a publication server (a profile aimed at the master would take the master's name
// away), and the schema that takes it must say "live" — a shadow whose fix-ups did not run
// would start the replica as a second master.
import type { ClientBase } from 'pg';
import { swapBack, swapInShadow, type SwapDirection, type SwapOptions, type SwapResult } from '../postgres/schemaSwap';
import { SwapServerTypeError } from '../postgres/schemaSwapErrors';
import { resolveRepositoryTables } from './repositoryTables';
import { readServerType } from './serverType';

/** The schema's server type; null when it is no repository (or has no such row). */
async function serverTypeOf(client: ClientBase, schema: string): Promise<string | null> {
  const tables = await resolveRepositoryTables(client, schema).catch(() => null);
  return tables ? readServerType(client, schema, tables) : null;
}

const guard =
  (direction: SwapDirection) =>
  async (client: ClientBase, schemas: { live: string | null; incoming: string }): Promise<void> => {
    if (schemas.live !== null && (await serverTypeOf(client, schemas.live)) === 'publication') throw new SwapServerTypeError(schemas.live, 'publication', 'live');
    const incoming = await serverTypeOf(client, schemas.incoming);
    // A swap back may return an empty schema (a replica restored for the first time had one); never a master's.
    if (incoming === 'publication' || (direction === 'swap' && incoming !== 'live')) throw new SwapServerTypeError(schemas.incoming, incoming, 'incoming');
  };

/** swapInShadow for a replica: refuses SwapServerTypeError besides the generic refusals. */
export function swapInReplicaShadow(client: ClientBase, options: Omit<SwapOptions, 'beforeRename'>): Promise<SwapResult> {
  return swapInShadow(client, { ...options, beforeRename: guard('swap') });
}

/** swapBack for a replica's rollback, with the same server-type checks. */
export function swapBackReplica(client: ClientBase, options: Omit<SwapOptions, 'beforeRename'>): Promise<SwapResult> {
  return swapBack(client, { ...options, beforeRename: guard('swap-back') });
}
