// What a side-by-side restore needs of each replica's database, checked read-only before the
// run: the replica's role may create the shadow schema; the database server has room for a
// second copy of the schema; no shadow schema of an interrupted run is in the way.
import { existsSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClientBase } from 'pg';
import { formatByteSize } from '../../../shared/byteSize';
import type { Server } from '../../../shared/profiles';
import type { PreflightFinding } from '../../../shared/restorePlan';
import { quoteIdent, schemaExists } from '../postgres/catalog';
import { requireSchemaRecreatable } from '../postgres/restoreTarget';
import { toErrorPayload } from '../errors';
import { shadowSchemaName } from './sideBySideNames';
import { shadowOwnerRun } from './steps/shadowSchema';


/** Where the replica's database keeps its files, and how much room is left there; null with the reason when that cannot be known from here. */
export type DatabaseSpace = { free: number; where: string } | { free: null; why: string };

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Free space in the directory of the database's tablespace, when the server runs on this
 * machine (a loopback or Unix-socket host) and lets this role read its data directory
 * (superuser or pg_read_all_settings). Anything else is unknown, not guessed.
 */
export async function databaseSpace(client: ClientBase, db: Server['db']): Promise<DatabaseSpace> {
  if (!LOOPBACK.has(db.host) && !db.host.startsWith('/')) return { free: null, why: `the database server ${db.host} is another machine` };
  let dir: string;
  try {
    const { rows } = await client.query<{ data: string | null; location: string; oid: string }>(
      `SELECT current_setting('data_directory') AS data, pg_catalog.pg_tablespace_location(d.dattablespace) AS location, d.oid::text AS oid
         FROM pg_catalog.pg_database d WHERE d.datname = current_database()`,
    );
    const row = rows[0];
    if (!row?.data) return { free: null, why: 'the server did not say where its data directory is' };
    dir = row.location ? row.location : join(row.data, 'base', row.oid);
  } catch {
    return { free: null, why: `${db.user} may not read the server's data_directory setting (it needs pg_read_all_settings)` };
  }
  // A loopback port may lead into a container: the directory must be there, as PostgreSQL's own.
  if (!existsSync(dir)) return { free: null, why: `the data directory ${dir} is not on this machine (a container or a tunnel?)` };
  try {
    const s = await statfs(dir);
    return { free: s.bavail * s.bsize, where: dir };
  } catch (e) {
    return { free: null, why: `${dir} could not be examined: ${(e as Error).message}` };
  }
}

/** The room check's finding; pure, so the decision is testable without a disk of the right size. */
export function roomFinding(server: string, masterSchemaBytes: number | undefined, space: DatabaseSpace): PreflightFinding {
  const check = 'room-for-shadow';
  const how = 'estimated as the master schema\'s size on disk (pg_total_relation_size summed over its tables: rows, indexes and TOAST), since the shadow is a fresh copy of the same rows beside the current schema; WAL written meanwhile is not counted';
  if (masterSchemaBytes === undefined) {
    return { check, server, ok: false, severity: 'warning', message: `The room for a second copy of the schema is unknown: the master schema's size could not be read.`, hint: 'Make sure the replica\'s database server has free space for another copy of the master schema.' };
  }
  const needed = masterSchemaBytes;
  if (space.free === null) {
    return { check, server, ok: false, severity: 'warning', message: `Free space for the shadow schema is unknown (${space.why}); it needs about ${formatByteSize(needed)}, ${how}.`, hint: 'Check the free space of the replica\'s database server yourself, or restore --in-place, which needs no second copy. Side-by-side is still chosen by default: a remote server\'s room cannot be measured from here, and refusing it would make side-by-side impossible wherever the database runs on its own machine.' };
  }
  if (space.free < needed) {
    return { check, server, ok: false, severity: 'error', message: `Not enough room for the shadow schema: ${formatByteSize(space.free)} free in ${space.where}, about ${formatByteSize(needed)} needed, ${how}.`, hint: 'Free some space on the replica\'s database server, or restore --in-place, which needs no second copy.' };
  }
  return { check, server, ok: true, severity: 'info', message: `${formatByteSize(space.free)} free in ${space.where}; the shadow schema needs about ${formatByteSize(needed)}, ${how}` };
}

/** Every side-by-side finding for one replica; `space` as databaseSpace() found it. */
export async function checkSideBySide(client: ClientBase, replica: Server, serverRef: string, masterSchemaBytes: number | undefined, space: DatabaseSpace): Promise<PreflightFinding[]> {
  const findings: PreflightFinding[] = [];
  const shadow = shadowSchemaName(replica.db.schema);
  try {
    await requireSchemaRecreatable(client, replica.db, shadow);
    findings.push({ check: 'shadow-privileges', server: serverRef, ok: true, severity: 'info', message: `${replica.db.user} may create the shadow schema ${shadow} in ${replica.db.database}` });
  } catch (e) {
    const p = toErrorPayload(e);
    findings.push({ check: 'shadow-privileges', server: serverRef, ok: false, severity: 'error', message: p.message, hint: `${p.hint} Or restore --in-place.` });
  }
  findings.push(roomFinding(serverRef, masterSchemaBytes, space));
  findings.push(await leftoverShadowFinding(client, replica, serverRef, 'side-by-side'));
  return findings;
}

/**
 * A shadow schema an interrupted side-by-side run left in the replica's database. It blocks a
 * side-by-side restore; an in-place one runs beside it and leaves it where it is, and the
 * finding (a warning) says so, and that the old run cannot be resumed afterwards.
 */
export async function leftoverShadowFinding(client: ClientBase, replica: Server, serverRef: string, mode: 'side-by-side' | 'in-place'): Promise<PreflightFinding> {
  const shadow = shadowSchemaName(replica.db.schema);
  if (!(await schemaExists(client, shadow))) return { check: 'leftover-shadow', server: serverRef, ok: true, severity: 'info', message: `No leftover shadow schema ${shadow}` };
  const run = await shadowOwnerRun(client, shadow);
  const drop = `DROP SCHEMA ${quoteIdent(shadow)} CASCADE;`;
  const leftBy = `left by ${run ? `run ${run}` : 'an interrupted run that did not record its id'}`;
  if (mode === 'in-place') {
    return {
      check: 'leftover-shadow',
      server: serverRef,
      ok: false,
      severity: 'warning',
      message: `A shadow schema ${shadow} is in ${replica.db.database}, ${leftBy}; the in-place restore leaves it in place (neither used nor dropped).`,
      hint: run
        ? `To finish that run instead, resume it (\`replica-desk runs resume ${run}\`) rather than restoring in place. After this in-place restore, run ${run} cannot be resumed (it would swap a stale copy in): check and drop the shadow by hand, ${drop}`
        : `Check what it holds, then drop it by hand: ${drop}`,
    };
  }
  return {
    check: 'leftover-shadow',
    server: serverRef,
    ok: false,
    severity: 'error',
    message: `A shadow schema ${shadow} is already in ${replica.db.database}, ${leftBy}; it is never dropped silently.`,
    hint: run ? `Resume that run (\`replica-desk runs resume ${run}\`), or, if it is abandoned, check and drop the schema by hand: ${drop}` : `Check what it holds, then drop it by hand: ${drop}`,
  };
}
